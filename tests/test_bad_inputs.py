"""Broken and hostile inputs, driven by tests/bad_inputs/cases.yaml.

Each case runs the command its folder implies and asserts: the expected exit code; for a bad
input, one problem located at file:line and dotted key whose message contains the expected text;
no traceback; no partial output (``report self -o`` writes nothing, ``review update`` leaves the
sheet untouched); and no hang (a generous wall-time guard, not a speed target).

Inputs that could crash the interpreter or hang (alias bombs, very deep nesting, huge files) run
in a child process with a timeout; the rest run in-process through click's CliRunner.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markupsafe
import openpyxl
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from shifan.cli import cli
from shifan.errors import InputError
from shifan.read.yamldoc import MAX_FILE_BYTES, load_document

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad_inputs"
SRC = HERE.parent / "src"
APPLICATIONS = BAD / "applications"
VALID_APP = APPLICATIONS / "valid-institution.yaml"
#: Seconds after which a case counts as hung. A guard only: real runs take well under 2 s.
HANG_LIMIT = 20.0
FORMULA_START = ("=", "+", "-", "@")


# --- the manifest ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    file: str
    why: str
    exit: int = 2
    line: int | None = None
    key: str | None = None
    message: str = ""
    where: str | None = None
    generate: str | None = None
    subprocess: bool = False
    same_as: str | None = None
    hostile: str | None = None

    @property
    def id(self) -> str:
        return self.file.removesuffix(".yaml")

    @property
    def folder(self) -> str:
        return self.file.split("/", 1)[0]


def load_cases() -> list[Case]:
    data = YAML(typ="safe").load((BAD / "cases.yaml").read_text(encoding="utf-8"))
    return [Case(**entry) for entry in data["cases"]]


CASES = load_cases()
BAD_CASES = [c for c in CASES if c.exit == 2]


# --- running the command line ------------------------------------------------------------------


@dataclass
class Run:
    code: int
    output: str
    seconds: float


def run(args: list[str | Path], *, child: bool = False) -> Run:
    """Run ``shifan ARGS`` in a child process (with a timeout) or in-process."""
    argv = [str(a) for a in args]
    start = time.monotonic()
    if child:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
        completed = subprocess.run(
            [sys.executable, "-m", "shifan", *argv],
            capture_output=True,
            text=True,
            timeout=HANG_LIMIT,
            env=env,
            check=False,
        )
        return Run(completed.returncode, completed.stdout + completed.stderr, time.monotonic() - start)
    result = CliRunner().invoke(cli, argv, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.output, time.monotonic() - start)


def assert_clean(result: Run) -> None:
    assert "Traceback" not in result.output, result.output
    assert "内部错误" not in result.output, result.output
    assert result.seconds < HANG_LIMIT


def located(output: str, file_name: str, case: Case) -> bool:
    """Whether one reported problem is at ``file_name``:line with the key and message of ``case``."""
    where = re.escape(file_name) + (rf":{case.line}:\d+" if case.line is not None else r"(?::\d+)*")
    key = re.escape(case.key or "(文件)") if case.key is not None else r"\S+"
    pattern = re.compile(rf"(?:^|[\s/]){where}: {key}: .*{re.escape(case.message)}", re.MULTILINE)
    return pattern.search(output) is not None


# --- files built at test time --------------------------------------------------------------------


def copy_application(tmp_path: Path, name: str, text: str | None = None) -> Path:
    """The valid application (and its evidence) copied to ``tmp_path/app/NAME``."""
    folder = tmp_path / "app"
    if not folder.exists():
        shutil.copytree(APPLICATIONS / "evidence", folder / "evidence")
    path = folder / name
    path.write_text(text if text is not None else VALID_APP.read_text(encoding="utf-8"), encoding="utf-8")
    return path


AGREEMENT = "evidence/kangning/医疗合作协议.txt"
CONTACT = "contact: 王示例 0559-0000000\n"


def _with(old: str, new: str) -> str:
    text = VALID_APP.read_text(encoding="utf-8")
    assert text.count(old) == 1
    return text.replace(old, new)


def too_large(tmp_path: Path, name: str) -> Path:
    path = copy_application(tmp_path, name)
    with path.open("a", encoding="utf-8") as stream:
        stream.write("# " + "x" * (50 * 1024 * 1024) + "\n")
    assert path.stat().st_size > MAX_FILE_BYTES
    return path


def deep_flow(tmp_path: Path, name: str) -> Path:
    depth = 100_000
    return copy_application(tmp_path, name, _with(CONTACT, CONTACT + "notes: " + "[" * depth + "]" * depth + "\n"))


def many_nodes(tmp_path: Path, name: str) -> Path:
    return copy_application(tmp_path, name, _with(CONTACT, CONTACT + "extra: [" + ", ".join(["1"] * 120_000) + "]\n"))


def long_line(tmp_path: Path, name: str) -> Path:
    return copy_application(tmp_path, name, _with('region_code: "341002"', 'region_code: "' + "1" * 3_000_000 + '"'))


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("机密\n", encoding="utf-8")
    return outside


def symlink_dir_out(tmp_path: Path, name: str) -> Path:
    path = copy_application(tmp_path, name, _with(f"path: {AGREEMENT}", "path: 外部/secret.txt"))
    (path.parent / "外部").symlink_to(_outside(tmp_path), target_is_directory=True)
    return path


def symlink_file_out(tmp_path: Path, name: str) -> Path:
    path = copy_application(tmp_path, name)
    target = path.parent / AGREEMENT
    target.unlink()
    target.symlink_to(_outside(tmp_path) / "secret.txt")
    return path


def symlink_loop(tmp_path: Path, name: str) -> Path:
    path = copy_application(tmp_path, name, _with(f"path: {AGREEMENT}", "path: 环1/协议.txt"))
    (path.parent / "环1").symlink_to(path.parent / "环2")
    (path.parent / "环2").symlink_to(path.parent / "环1")
    return path


GENERATORS: dict[str, Callable[[Path, str], Path]] = {
    f.__name__: f
    for f in (too_large, deep_flow, many_nodes, long_line, symlink_dir_out, symlink_file_out, symlink_loop)
}


def materialise(case: Case, tmp_path: Path) -> Path:
    if case.generate:
        return GENERATORS[case.generate](tmp_path, Path(case.file).name)
    return BAD / case.file


# --- the data-driven cases -----------------------------------------------------------------------


def test_manifest_lists_every_committed_input() -> None:
    listed = {c.file for c in CASES}
    helpers = {"criteria/bad/cycle-b.yaml"}  # the other half of the cycle-a case
    committed = {str(p.relative_to(BAD)) for p in BAD.rglob("*.yaml") if p.name != "cases.yaml"}
    committed -= {p for p in committed if p.startswith("applications/evidence/")}
    assert committed - helpers == listed - {c.file for c in CASES if c.generate}
    assert len(BAD_CASES) >= 60
    assert all(c.line is not None or c.key == "" for c in BAD_CASES), "every located case names a line"
    assert all(c.key is not None and c.message for c in BAD_CASES)


def command_for(case: Case, path: Path) -> list[str | Path]:
    if case.folder == "criteria":
        return ["criteria", "validate", path]
    if case.folder == "reviews":
        return ["review", "show", VALID_APP, path]
    return ["check", path]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_input(case: Case, tmp_path: Path) -> None:
    path = materialise(case, tmp_path)
    result = run(command_for(case, path), child=case.subprocess)
    assert_clean(result)
    assert result.code == case.exit, f"{case.why}\n{result.output}"
    if case.exit == 2:
        shown = Path(case.where).name if case.where else path.name
        assert located(result.output, shown, case), (
            f"{case.why}: expected {shown}:{case.line}: {case.key}: …{case.message}…\n{result.output}"
        )


@pytest.mark.slow  # renders a report per bad file; test_input covers the same files quickly
@pytest.mark.parametrize("case", [c for c in BAD_CASES if c.folder != "reviews"], ids=lambda c: c.id)
def test_no_partial_report(case: Case, tmp_path: Path) -> None:
    """A report command given a bad input fails before anything is written."""
    path = materialise(case, tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "自评报告.html"
    if case.folder == "criteria":
        args: list[str | Path] = ["report", "self", VALID_APP, "--criteria", path, "-o", out]
    else:
        args = ["report", "self", path, "-o", out]
    result = run(args, child=case.subprocess)
    assert_clean(result)
    assert result.code == 2, result.output
    assert not out.exists() and list(out_dir.iterdir()) == []


@pytest.fixture(scope="module")
def review_copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The valid application and every review, copied so that reviews may be updated."""
    root = tmp_path_factory.mktemp("reviews")
    shutil.copytree(APPLICATIONS / "evidence", root / "applications" / "evidence")
    shutil.copy(VALID_APP, root / "applications" / VALID_APP.name)
    shutil.copytree(BAD / "reviews", root / "reviews")
    return root


@pytest.mark.parametrize("case", [c for c in BAD_CASES if c.folder == "reviews"], ids=lambda c: c.id)
def test_refused_review_is_not_rewritten(case: Case, review_copies: Path) -> None:
    """``review update`` either accepts a sheet (it may retire unknown items) or leaves it as it was."""
    path = review_copies / case.file
    before = path.read_bytes()
    listing = sorted(p.name for p in path.parent.iterdir())
    result = run(["review", "update", path])
    assert_clean(result)
    assert result.code in (0, 2), result.output
    if result.code == 2:
        assert path.read_bytes() == before
        assert sorted(p.name for p in path.parent.iterdir()) == listing


# --- valid and hostile inputs ---------------------------------------------------------------------


def evaluation(path: Path) -> dict[str, Any]:
    result = run(["check", path, "--format", "json"])
    assert_clean(result)
    assert result.code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.output)
    data.pop("application_sha256")
    data.pop("input_notes", None)  # how natural input was read; the evaluation is compared
    return data


@pytest.mark.parametrize("case", [c for c in CASES if c.same_as], ids=lambda c: c.id)
def test_same_evaluation_as_the_valid_file(case: Case) -> None:
    """A BOM, CRLF line ends or hostile text change nothing in the evaluation (bar the applicant's
    own text)."""
    got, want = evaluation(BAD / case.file), evaluation(BAD / str(case.same_as))
    for data in (got, want):
        data["applicant"].pop("name")
        for criterion in data["criteria"]:
            criterion.pop("observed")
            criterion.pop("reason")
            criterion.pop("details")
    assert got == want


HOSTILE = [c for c in CASES if c.hostile == "html"]
#: Pieces of the hostile texts that would act if they reached the HTML unescaped.
MARKUP = ("<script>alert(", "<img src=x", "<style>body{display:none}", '<a href="javascript:', "&amp;</td></tr>")


def hostile_texts(path: Path) -> list[str]:
    """Every free text of the file that carries markup."""
    found: list[str] = []
    stack: list[Any] = [YAML(typ="safe").load(path.read_text(encoding="utf-8"))]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and "<script>" in node:
            found.append(node)
    return found


def json_strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in json_strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in json_strings(value)]
    return [data] if isinstance(data, str) else []


def json_args(case: Case) -> list[str | Path]:
    if case.folder == "reviews":
        return ["review", "show", VALID_APP, BAD / case.file, "--format", "json"]
    return ["check", BAD / case.file, "--format", "json"]


def report_args(case: Case, out: Path) -> list[str | Path]:
    if case.folder == "reviews":
        return ["report", "review", VALID_APP, BAD / case.file, "-o", out]
    return ["report", "self", BAD / case.file, "-o", out]


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.id)
def test_hostile_text_intact_in_json(case: Case) -> None:
    texts = hostile_texts(BAD / case.file)
    assert len(texts) >= 6
    result = run(json_args(case))
    assert_clean(result)
    assert result.code == 0, result.output
    shown = [s for s in json_strings(json.loads(result.output)) if "<script>" in s]
    assert len(shown) >= 4
    # Each text appears whole: never cut, unescaped or re-encoded.
    assert all(any(text in s for text in texts) for s in shown)


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.id)
def test_hostile_text_escaped_in_html_report(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "报告.html"
    result = run(report_args(case, out))
    assert_clean(result)
    assert result.code == 0, result.output
    html = out.read_text(encoding="utf-8")
    for piece in MARKUP:
        assert piece not in html, piece
    shown = [text for text in hostile_texts(BAD / case.file) if str(markupsafe.escape(text)) in html]
    assert len(shown) >= 4  # e.g. name, licence and filing numbers, partner; or reviewer, remark, reason
    assert "{{ 7*191 }}" in html and "1337" not in html  # template syntax is shown, not run


@pytest.mark.slow
@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.id)
def test_hostile_text_shown_as_text_in_pdf(case: Case, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = tmp_path / "报告.pdf"
    result = run(report_args(case, out))
    assert_clean(result)
    if result.code == 2 and "字体" in result.output:
        pytest.skip("no CJK font installed")
    assert result.code == 0, result.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    printed = [t for t in hostile_texts(BAD / case.file) if "".join(t.split()) in flat]
    assert printed, flat[:2000]  # the markup is printed as text, not interpreted


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.id)
def test_hostile_text_literal_in_docx(case: Case, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "报告.docx"
    result = run(report_args(case, out))
    assert_clean(result)
    assert result.code == 0, result.output
    document = docx.Document(str(out))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for p in document.sections[0].header.paragraphs]
    text = "\n".join(parts)
    shown = [t for t in hostile_texts(BAD / case.file) if t in text]
    assert len(shown) >= 4  # whole, literal: <script>, &amp; and {{ 7*191 }} are text in Word
    assert "{{ 7*191 }}" in text and "1337" not in text


def test_formula_cells_neutralised_in_batch_output(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(APPLICATIONS / "evidence", folder / "evidence")
    shutil.copy(APPLICATIONS / "hostile-formula.yaml", folder)
    # A file name is a cell too: a broken file named like a formula lands in the failure rows.
    (folder / "=HYPERLINK(1).yaml").write_text("kind: institution\n", encoding="utf-8")
    (folder / "@SUM(1).yaml").write_bytes((APPLICATIONS / "encoding-gbk.yaml").read_bytes())
    out = tmp_path / "out"
    result = run(["batch", folder, "-o", out, "--no-pdf", "-j", "1"])
    assert_clean(result)
    assert result.code == 1, result.output  # two files fail, the rest is processed
    name = YAML(typ="safe").load((folder / "hostile-formula.yaml").read_text(encoding="utf-8"))["name"]
    assert name.startswith("=")

    rows = list(csv.reader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + name in cells and "'=HYPERLINK(1).yaml" in cells and "'@SUM(1).yaml" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]

    workbook = openpyxl.load_workbook(out / "summary.xlsx")
    texts = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in texts if c.value.startswith(FORMULA_START)]
    assert name in [c.value for c in risky]  # kept exactly, ...
    assert all(c.data_type == "s" for c in risky)  # ... but as text, never as a formula


def test_batch_over_every_bad_application(tmp_path: Path) -> None:
    """One broken file never stops a batch: each is listed with its located problem."""
    folder = tmp_path / "in"
    shutil.copytree(APPLICATIONS, folder)
    out = tmp_path / "out"
    result = run(["batch", folder, "-o", out, "--no-pdf", "-j", "2"])
    assert_clean(result)
    assert result.code == 1, result.output
    log = (out / "failures.log").read_text(encoding="utf-8")
    bad = [c for c in BAD_CASES if c.folder == "applications" and not c.generate]
    for case in bad:
        assert f"== {Path(case.file).name}" in log, case.file
    assert "内部错误" not in log and "Traceback" not in log
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8-sig"))))
    processed = {row["申报文件"] for row in rows if row["结论"]}
    assert {"valid-institution.yaml", "valid-bom.yaml", "valid-crlf.yaml", "hostile-text.yaml"} <= processed


# --- inputs that are not files ---------------------------------------------------------------------


def test_directory_given_as_input(tmp_path: Path) -> None:
    folder = tmp_path / "申报.yaml"
    folder.mkdir()
    result = run(["check", folder])
    assert_clean(result)
    assert result.code == 2 and "申报.yaml" in result.output
    result = run(["criteria", "validate", folder])
    assert_clean(result)
    assert result.code == 2 and "评分标准文件不存在" in result.output
    with pytest.raises(InputError, match="这是一个目录"):
        load_document(folder)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    result = run(["check", tmp_path / "无此文件.yaml"])
    assert_clean(result)
    assert result.code == 2
    with pytest.raises(InputError, match="文件不存在"):
        load_document(tmp_path / "无此文件.yaml")
    with pytest.raises(InputError, match="文件路径含有不允许的字符"):
        load_document(tmp_path / "a\x00b.yaml")
    if os.geteuid() != 0:  # root reads everything
        locked = tmp_path / "locked.yaml"
        locked.write_text("kind: institution\n", encoding="utf-8")
        locked.chmod(0)
        with pytest.raises(InputError, match="无法读取"):
            load_document(locked)
