"""Trust boundaries and hostile inputs beyond the bad-input corpus: who can change a verdict,
what people read, what a batch writes, and how much work an input can cause."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, invoke
from shifan.batch import runner
from shifan.batch.guard import own_output, still_owner
from shifan.batch.model import ItemResult, Task
from shifan.batch.runner import BatchReport, output_stem, run_batch
from shifan.batch.worker import process as worker_process
from shifan.errors import InputError, OutputError
from shifan.evaluate.pipeline import check_application
from shifan.files import sha256_file
from shifan.formatting import one_line
from shifan.present.cells import csv_cell
from shifan.present.formats import applicant_writers
from shifan.present.report import fonts
from shifan.present.spreadsheet import Sheet, write_xlsx
from shifan.present.summary import SUMMARY
from shifan.review import load_reviews
from shifan.rules.base import MAX_NAME

BAD = ROOT / "tests" / "bad_inputs" / "applications"
VALID = BAD / "valid-institution.yaml"


def applicant(folder: Path, file: str = "app.yaml", *, gate_fail: bool = False, **fields: str) -> Path:
    """A copy of the valid institution (with its evidence) in ``folder``; ``gate_fail`` makes its
    2024 incident a major medical accident (gate A3 fails); ``fields`` replace top-level lines."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "evidence").exists():
        shutil.copytree(BAD / "evidence", folder / "evidence")
    text = VALID.read_text(encoding="utf-8")
    if gate_fail:
        text = text.replace("category: fire\n    severity: general", "category: medical_accident\n    severity: major")
    lines = text.splitlines()
    for key, value in fields.items():
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines]
        if not any(line.startswith(f"{key}:") for line in lines):
            lines.append(f"{key}: {value}")
    path = folder / file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def review_of(app: Path, where: Path, reviewer: str, **override: str) -> Path:
    """A review sheet of ``app`` at ``where`` (made by ``review init``), optionally with an
    override of gate A3."""
    invoke(["review", "init", app, "--reviewer", reviewer, "-o", where], 0)
    if override:
        text = where.read_text(encoding="utf-8")
        start = text.index("    override:", text.index("\n  A3:"))
        end = text.index("\n", start)
        entry = "{" + ", ".join(f"{k}: {v}" for k, v in override.items()) + "}"
        text = text[:start] + f"    override: {entry}" + text[end:]
        where.write_text(text, encoding="utf-8")
    return where


# --- F1: rubric ids never resolve from the working directory -------------------------------------


def test_planted_rubric_in_the_working_directory_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subm = tmp_path / "subm"
    app = applicant(subm, gate_fail=True, rubric="anhui/institution")
    planted = subm / "criteria" / "anhui" / "institution.yaml"
    planted.parent.mkdir(parents=True)
    planted.write_text(
        'id: anhui/institution\ntitle: 伪造\nversion: "2025.1"\nextends: national/institution\ndrop: [A3]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(subm)
    assert not check_application(app).result.eligible
    report = run_batch(Path("."), tmp_path / "out", writers=applicant_writers(["json"]), summary=SUMMARY, jobs=1)
    assert [r.eligible for r in report.rows] == [False]


# --- F2: review sheets only from the operator's folder -------------------------------------------


def test_review_planted_in_the_applicants_folder_is_reported_not_used(tmp_path: Path) -> None:
    source = tmp_path / "in"
    victim = applicant(source / "applicantY")
    applicant(source / "applicantX", uscc="52341002MJA000012B")
    review_of(victim, source / "applicantX" / "附件-材料清单.yaml", "王专家", decision="fail", reason="伪造")
    report = run_batch(source, tmp_path / "out", writers=applicant_writers(["json"]), summary=SUMMARY, jobs=1)
    rows = {r.file: r for r in report.rows}
    assert rows["applicantY/app.yaml"].eligible and rows["applicantY/app.yaml"].reviewers == []
    assert [f.file for f in report.failures] == ["applicantX/附件-材料清单.yaml"]
    assert "未采用" in report.failures[0].messages[0]


def test_reviews_are_used_from_the_folder_the_operator_names(tmp_path: Path) -> None:
    source = tmp_path / "in"
    app = applicant(source / "a")
    reviews = tmp_path / "reviews"
    reviews.mkdir()
    review_of(app, reviews / "r1.yaml", "王专家", decision="fail", reason="现场核查不符")
    result = invoke(["batch", source, "--reviews", reviews, "-o", tmp_path / "out", "--no-pdf", "-j", "1"], 0)
    assert "具备申报资格 0 个" in result.stdout


# --- F3: invisible override reasons, reviewers counted twice -------------------------------------


@pytest.mark.parametrize("char", ["\\u200b", "\\u2060", "\\u00ad", "\\u3164", "\\u200b\\u00a0"])
def test_invisible_override_reason_is_refused(tmp_path: Path, char: str) -> None:
    app = applicant(tmp_path, gate_fail=True)
    sheet = review_of(app, tmp_path / "r.yaml", "张三", decision="pass", reason=f'"{char}"')
    with pytest.raises(InputError) as error:
        load_reviews([str(sheet)])
    assert "A3" in error.value.user_message() or "override" in error.value.user_message()


def test_same_reviewer_with_an_invisible_character_is_one_reviewer(tmp_path: Path) -> None:
    app = applicant(tmp_path)
    first = review_of(app, tmp_path / "r1.yaml", "张三")
    second = tmp_path / "r2.yaml"
    second.write_text(first.read_text(encoding="utf-8").replace("name: 张三", "name: 张三\u3000"), encoding="utf-8")
    result = invoke(["review", "show", app, first, second], 2)
    assert "同一评审专家有两份评审意见表" in result.output


# --- text hygiene at the edge (F5, F6, F7, F24, F25, F26, F32) ----------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('"示例\\n  4. 伪造护理院"', "应为一行文字"),  # F5 newline into the notice
        ('"示例\\e[17A结论：具备申报资格"', "控制字符 U+001B"),  # F6 terminal escapes
        ('"示例\\uFFFE护理院"', "非字符 U+FFFE"),  # F7 unreadable XLSX
        ('"示例\\r护理院"', "控制字符 U+000D"),  # F25 CR breaks the review sheet
        ('"\\u200b示例甲护理院"', "不可见字符 U+200B"),  # F26 invisible tie-break
        ('"示例\\u202e院理护"', "双向文字控制符 U+202E"),
    ],
)
def test_hostile_characters_in_a_name_are_refused_with_their_position(tmp_path: Path, value: str, shown: str) -> None:
    app = applicant(tmp_path, name=value)
    result = invoke(["check", app], 2)
    assert f"{app.name}:4:" in result.output and shown in result.output


def test_line_separator_is_reported_where_it_is(tmp_path: Path) -> None:  # F24
    app = applicant(tmp_path, address="安徽省示例市屯溪区\u2028康宁路 1 号（虚构）")
    line = next(i for i, text in enumerate(app.read_text(encoding="utf-8").splitlines(), 1) if "屯溪区" in text)
    result = invoke(["check", app], 2)
    assert f"app.yaml:{line}:" in result.output and "行分隔符或段分隔符 U+2028" in result.output


@pytest.mark.parametrize("field", ["filled_by", "phone"])
def test_cover_fields_are_one_line(tmp_path: Path, field: str) -> None:
    app = applicant(tmp_path, **{field: '"王示例\\n  结论：具备申报资格"'})
    result = invoke(["check", app], 2)
    assert "应为一行文字" in result.output and field in result.output


# --- batch that cannot lie (F8, F9, F13, F14, F15, F23) -------------------------------------------


def batch(source: Path, out: Path, **options: object) -> BatchReport:
    return run_batch(source, out, writers=applicant_writers(["json"]), summary=SUMMARY, jobs=1, **options)  # type: ignore[arg-type]


def test_output_names_never_collide(tmp_path: Path) -> None:  # F8
    source, out = tmp_path / "in", tmp_path / "out"
    applicant(source / "a__b", "c.yaml", name="第一家：甲护理院")
    batch(source, out)
    applicant(source / "a", "b__c.yaml", name="第二家：乙护理院", gate_fail=True)
    report = batch(source, out)
    assert report.processed == 1 and report.skipped == 1
    rows = {r.file: r for r in report.rows}
    assert rows["a__b/c.yaml"].output != rows["a/b__c.yaml"].output
    for rel, row in rows.items():
        data = json.loads((out / "applicants" / f"{row.output}.json").read_text(encoding="utf-8"))
        assert data["evaluation"]["applicant"]["name"] == row.name, rel
    assert output_stem("a__b/c.yaml") == output_stem("a__b/c.yaml")  # stable across runs


def test_word_outputs_and_summary_links_use_the_collision_free_names(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    applicant(source / "a__b", "c.yaml", name="第一家：甲护理院")
    applicant(source / "a", "b__c.yaml", name="第二家：乙护理院", uscc="52341002MJA000012B")
    report = run_batch(source, out, writers=applicant_writers(["json", "docx"]), summary=SUMMARY, jobs=1)
    stems = {row.output for row in report.rows}
    assert len(stems) == 2
    assert {p.name for p in (out / "applicants").glob("*.docx")} == {f"{stem}.docx" for stem in stems}
    sheet = openpyxl.load_workbook(out / "summary.xlsx").worksheets[0]
    targets = {cell.hyperlink.target for row in sheet.iter_rows() for cell in row if cell.hyperlink}
    assert {f"applicants/{stem}.docx" for stem in stems} <= targets


def test_rerun_from_another_folder_deletes_only_its_own_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # F9
    project, elsewhere = tmp_path / "proj", tmp_path / "elsewhere"
    applicant(project / "in", "gone.yaml")
    applicant(project / "in", "kept.yaml", uscc="52341002MJA000012B")
    monkeypatch.chdir(project)
    batch(Path("in"), Path("out"))
    gone = project / "out" / "applicants" / f"{output_stem('gone.yaml')}.json"
    assert gone.is_file()
    manifest = json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert all(
        not Path(p).is_absolute() and not p.startswith("out") for e in manifest["items"].values() for p in e["outputs"]
    )
    (project / "in" / "gone.yaml").unlink()
    decoy = elsewhere / "out" / "applicants" / gone.name
    decoy.parent.mkdir(parents=True)
    decoy.write_text("unrelated", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    report = batch(Path("../proj/in"), Path("../proj/out"))
    assert decoy.read_text(encoding="utf-8") == "unrelated"
    assert not gone.exists()
    assert report.skipped == 1


def test_report_never_overwrites_its_input(tmp_path: Path) -> None:  # F23
    app = applicant(tmp_path)
    before = app.read_bytes()
    result = invoke(["report", "self", app, "-o", app], 2)
    assert "不能覆盖" in result.output and app.read_bytes() == before
    sheet = review_of(app, tmp_path / "r.yaml", "张三")
    invoke(["report", "review", app, sheet, "-o", sheet, "--format", "html"], 2)


def test_a_file_edited_during_the_run_is_redone_after_it_is_reverted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # F15
    source, out = tmp_path / "in", tmp_path / "out"
    app = applicant(source)
    original = app.read_text(encoding="utf-8")
    real_scan = runner.scan

    def scan_then_edit(*args: object, **kwargs: object) -> object:
        found = real_scan(*args, **kwargs)  # type: ignore[arg-type]
        app.write_text(applicant(tmp_path / "edited", gate_fail=True).read_text(encoding="utf-8"), encoding="utf-8")
        return found

    monkeypatch.setattr(runner, "scan", scan_then_edit)
    assert [r.eligible for r in batch(source, out).rows] == [False]
    monkeypatch.setattr(runner, "scan", real_scan)
    app.write_text(original, encoding="utf-8")
    again = batch(source, out)
    assert again.processed == 1 and [r.eligible for r in again.rows] == [True]


def poison(arg: str) -> str:
    """Kills its own worker on one argument (an OOM kill or a crash in a library)."""
    if arg == "poison":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.02)
    return arg.upper()


def test_a_worker_killed_by_a_signal_fails_only_its_own_call() -> None:  # F13
    args = [f"a{i}" for i in range(12)] + ["poison"] + [f"b{i}" for i in range(12)]
    results: dict[str, str | None] = {}
    runner._run_pool(poison, args, 2, results.__setitem__)
    assert results.pop("poison") is None
    assert results == {a: a.upper() for a in args if a != "poison"}


def killing_process(task: Task) -> ItemResult:
    if task.rel.startswith("poison"):
        os.kill(os.getpid(), signal.SIGKILL)
    return worker_process(task)


def test_a_worker_killed_mid_batch_is_an_internal_fault_of_one_applicant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # F13
    source, out = tmp_path / "in", tmp_path / "out"
    for index in range(6):
        applicant(source, f"app{index}.yaml")
    applicant(source, "poison.yaml")
    monkeypatch.setattr(runner, "process", killing_process)
    report = run_batch(source, out, writers=applicant_writers(["json"]), summary=SUMMARY, jobs=2)
    assert len(report.rows) == 6
    assert [(f.file, f.kind) for f in report.failures] == [("poison.yaml", "internal")]
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert "失败（内部错误，非申报文件问题）" in summary and "申报文件有误" not in summary


def test_a_second_live_run_on_the_same_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with own_output(out) as first:
        with pytest.raises(OutputError), own_output(out):
            pass
        assert still_owner(out, first)
    with own_output(out) as second:
        assert not still_owner(out, first) and still_owner(out, second)


def test_a_worker_of_an_older_run_writes_nothing(tmp_path: Path) -> None:  # F14
    out = tmp_path / "out"
    (out / "applicants").mkdir(parents=True)
    app = applicant(tmp_path / "in")
    with own_output(out) as old:
        pass
    with own_output(out):
        task = Task(
            app=str(app),
            rel="app.yaml",
            reviews=(),
            criteria=None,
            as_of=None,
            out_base=str(out / "applicants" / "app"),
            writers=tuple(applicant_writers(["json"])),
            owner=(str(out), old),
        )
        item = worker_process(task)
    assert item.failure is not None and not list((out / "applicants").iterdir())


@pytest.mark.slow
def test_workers_die_with_a_killed_parent_and_a_newer_run_stands(tmp_path: Path) -> None:  # F14
    source, out = tmp_path / "in", tmp_path / "out"
    for index in range(40):
        applicant(source, f"app{index:02d}.yaml")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-m", "shifan", "batch", str(source), "-o", str(out), "--no-pdf", "--jobs", "2"]
    parent = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and time.monotonic() < deadline:
        children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children")
        workers = [int(p) for p in children.read_text().split()] if children.exists() else []
        time.sleep(0.05)
    assert workers, "the batch should have started its workers"
    os.kill(parent.pid, signal.SIGKILL)  # the parent only: its workers are not signalled
    parent.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their parent"
        time.sleep(0.05)
    report = run_batch(source, out, writers=applicant_writers(["json"]), summary=SUMMARY, jobs=2)
    assert report.ok and report.total == 40


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


@pytest.mark.slow
def test_pdf_workers_leave_no_temporary_folders(tmp_path: Path) -> None:  # F22
    source, temp = tmp_path / "in", tmp_path / "tmp"
    temp.mkdir()
    applicant(source, "a.yaml")
    applicant(source, "b.yaml", uscc="52341002MJA000012B")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), TMPDIR=str(temp))
    command = [sys.executable, "-m", "shifan", "batch", str(source), "-o", str(tmp_path / "out"), "--jobs", "2"]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=300)
    assert len(list((tmp_path / "out" / "applicants").glob("*.pdf"))) == 2
    assert not list(temp.glob("weasyprint-*"))


# --- what people read stays what it is (F5, F6, F7, F32) ------------------------------------------


@pytest.mark.parametrize("lead", ["＝", "＋", "－", "＠", "\x00=", "\x1b=", "\x7f=", "\u200b=", "\ufeff=", "\u202e="])
def test_formula_behind_invisible_or_full_width_characters_is_neutralised(lead: str) -> None:  # F32
    assert csv_cell(lead + "1+1").startswith("'")


def test_noncharacters_never_reach_an_xlsx(tmp_path: Path) -> None:  # F7
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [Sheet("表", ["名称"], [["示例\ufffe护理院\uffff"]])])
    assert openpyxl.load_workbook(path).active["A2"].value == "示例护理院"  # type: ignore[index]


def test_file_names_cannot_drive_the_terminal(tmp_path: Path) -> None:  # F6
    source = tmp_path / "in"
    source.mkdir()
    (source / "\x1b[2Jx\n伪造.yaml").write_text("kind: institution\n", encoding="utf-8")
    result = invoke(["batch", source, "-o", tmp_path / "out", "--no-pdf", "-j", "1"], 1)
    assert "\x1b" not in result.stderr and "<U+001B>[2Jx<U+000A>伪造.yaml" in result.stderr


def test_a_name_in_the_notice_is_one_line() -> None:  # F5, defence behind the intake check
    assert one_line("甲\n  4. 伪造\r\u2028") == "甲<U+000A>  4. 伪造<U+000D><U+2028>"


# --- sandboxed templates (F19) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self._TemplateReference__context }}{{ lipsum.__globals__['os'].system('touch PWNED') }}",
    ],
)
def test_user_templates_cannot_reach_outside_the_view_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str
) -> None:
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "self.html").write_text(
        '{% extends "default:self.html" %}{% block body %}' + payload + "{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    app = applicant(tmp_path / "app")
    result = invoke(["report", "self", app, "--templates", evil, "-o", tmp_path / "x.html"], 2)
    assert "报告模板" in result.output
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "x.html").exists()


# --- JSON on errors ----------------------------------------------------------------------------


def test_invalid_input_gives_a_json_error_document_with_json_format(tmp_path: Path) -> None:
    app = applicant(tmp_path, name='"示例\\u200b护理院"', founded='"not a date"')
    result = invoke(["check", app, "--format", "json"], 2)
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1 and document["error"]["exit_code"] == 2
    problems = document["error"]["problems"]
    assert ("name", 4) in {(p["key"], p["line"]) for p in problems}
    assert all(set(p) == {"file", "line", "column", "key", "message", "found", "expected"} for p in problems)
    assert "申报文件有" in result.stderr


def test_text_format_errors_stay_on_stderr(tmp_path: Path) -> None:
    result = invoke(["check", tmp_path / "missing.yaml"], 2)
    assert result.stdout == "" and "文件不存在" in result.stderr
    missing = json.loads(invoke(["criteria", "show", "nowhere/x", "--format", "json"], 2).stdout)
    assert missing["error"]["problems"] == [] and missing["error"]["message"]


# --- bounded work (F10, F11, F12, F16, F17, F18, F29) ---------------------------------------------


def test_discovery_never_blocks_on_a_fifo_nor_reads_a_huge_file(tmp_path: Path) -> None:  # F11
    source = tmp_path / "in"
    applicant(source)
    os.mkfifo(source / "pipe.yaml")
    with (source / "big.yaml").open("wb") as handle:
        handle.truncate(1 << 30)  # sparse: 1 GB that costs nothing on disk
    (source / "zero.yaml").symlink_to("/dev/zero")
    started = time.monotonic()
    report = batch(source, tmp_path / "out")
    assert time.monotonic() - started < 30
    messages = {f.file: " ".join(f.messages) for f in report.failures}
    assert "不是普通文件" in messages["pipe.yaml"] and "不是普通文件" in messages["zero.yaml"]
    assert "文件过大" in messages["big.yaml"]
    assert [r.file for r in report.rows] == ["app.yaml"]


def test_rerun_does_not_follow_evidence_swapped_for_a_fifo_or_a_device(tmp_path: Path) -> None:  # F10
    source, out = tmp_path / "in", tmp_path / "out"
    app = applicant(source)
    batch(source, out)
    evidence = next(p for p in (source / "evidence").rglob("*") if p.is_file())
    evidence.unlink()
    os.mkfifo(evidence)
    started = time.monotonic()
    report = batch(source, out)
    assert time.monotonic() - started < 30 and report.processed == 1
    evidence.unlink()
    evidence.symlink_to("/dev/zero")
    assert batch(source, out).processed == 1
    assert app.exists()


def test_roster_cannot_point_at_a_device(tmp_path: Path) -> None:  # F12
    county = tmp_path / "county.yaml"
    text = (BAD / "valid-region.yaml").read_text(encoding="utf-8")
    shutil.copytree(BAD / "evidence", tmp_path / "evidence")
    county.write_text(text.replace("valid-institution.yaml", "../../../../../../../../dev/zero"), encoding="utf-8")
    result = invoke(["check", county], 2)
    assert "名册应指向机构申报文件" in result.output
    fifo = tmp_path / "member.yaml"
    os.mkfifo(fifo)
    county.write_text(text.replace("valid-institution.yaml", "member.yaml"), encoding="utf-8")
    assert "不是普通文件" in invoke(["check", county], 2).output


def test_hashing_streams_and_refuses_non_regular_files(tmp_path: Path) -> None:  # F29
    path = tmp_path / "scan.bin"
    path.write_bytes(b"x" * (3 << 20))
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OSError):
        sha256_file(tmp_path / "fifo")


@pytest.mark.slow
def test_thousands_of_unknown_keys_are_reported_quickly(tmp_path: Path) -> None:  # F17
    path = tmp_path / "keys.yaml"
    path.write_text(
        "kind: institution\n" + "".join(f"unknown_key_{i:05d}: 1\n" for i in range(24_000)), encoding="utf-8"
    )
    started = time.monotonic()
    result = invoke(["check", path], 2)
    assert time.monotonic() - started < 20
    assert "另有" in result.output and result.output.count("\n") < 200


def test_an_untrusted_font_cache_fallback_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # F18
    shared = tmp_path / "tmp"
    planted = shared / f"shifan-fonts-{os.getuid()}"
    planted.mkdir(parents=True)
    planted.chmod(0o777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    unwritable = tmp_path / "file-not-folder"
    unwritable.write_text("", encoding="utf-8")
    chosen = fonts._writable_cache(unwritable / "cache")
    assert chosen != planted and chosen.is_dir()


@pytest.mark.slow
def test_a_name_of_the_longest_allowed_length_renders_in_bounded_time(tmp_path: Path) -> None:  # F16
    app = applicant(tmp_path, name="很" * MAX_NAME)
    started = time.monotonic()
    invoke(["report", "self", app, "-o", tmp_path / "r.pdf"], 0)
    assert time.monotonic() - started < 60
    too_long = applicant(tmp_path / "long", name="很" * (MAX_NAME + 1))
    assert "过长" in invoke(["check", too_long], 2).output


# --- many reviewers (F21) ---------------------------------------------------------------------------


@pytest.mark.slow
def test_thirteen_reviewers_keep_every_column_on_the_page(tmp_path: Path) -> None:
    app = applicant(tmp_path)
    sheets = [review_of(app, tmp_path / f"r{i:02d}.yaml", f"专家{i}") for i in range(1, 14)]
    html = tmp_path / "review.html"
    invoke(["report", "review", app, *sheets, "-o", html, "--format", "html"], 0)
    text = html.read_text(encoding="utf-8")
    assert "专家评分（13 位）" in text and "专家13：" in text
    pdf = tmp_path / "review.pdf"
    invoke(["report", "review", app, *sheets, "-o", pdf], 0)
    printed = "".join(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "合议分" in printed and "现场核查" in printed and "专家意见" in printed and "专家13" in printed


def test_characters_the_fonts_cannot_draw_are_named_in_the_output(tmp_path: Path) -> None:  # F30
    app = applicant(tmp_path, name="ཁྲོམ་སྡེ示例𪚥护理院")
    result = invoke(["report", "self", app, "-o", tmp_path / "r.html", "--format", "html"], 0)
    assert "可能显示为方框" in result.stderr and "𪚥" in result.stderr and "U+0F41" in result.stderr
    assert "方框" not in invoke(["report", "self", app, "-o", tmp_path / "r.docx"], 0).stderr  # Word: reader's fonts
    plain = applicant(tmp_path / "plain")
    assert "方框" not in invoke(["report", "self", plain, "-o", tmp_path / "p.html", "--format", "html"], 0).stderr


def test_an_unwritable_output_is_not_blamed_on_the_applicant(tmp_path: Path) -> None:  # F27
    source, out = tmp_path / "in", tmp_path / "out"
    applicant(source)
    blocker = out / "applicants" / f"{output_stem('app.yaml')}.json"
    blocker.mkdir(parents=True)  # a folder where the output file should go
    report = batch(source, out)
    assert [f.kind for f in report.failures] == ["output"]
    assert "输出无法写入" in (out / "summary.csv").read_text(encoding="utf-8-sig")


def test_review_init_never_overwrites_the_application(tmp_path: Path) -> None:  # F23
    app = applicant(tmp_path)
    before = app.read_bytes()
    invoke(["review", "init", app, "--reviewer", "张三", "-o", app, "--force"], 2)
    assert app.read_bytes() == before


def test_the_reviews_folder_cannot_be_the_applications_folder(tmp_path: Path) -> None:
    applicant(tmp_path / "in")
    result = invoke(["batch", tmp_path / "in", "--reviews", tmp_path / "in", "-o", tmp_path / "out", "--no-pdf"], 2)
    assert "评审意见表目录不能是申报材料目录本身" in result.output


def test_review_show_gives_a_json_error_document(tmp_path: Path) -> None:
    app = applicant(tmp_path)
    sheet = review_of(app, tmp_path / "r.yaml", "张三")
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("name: 张三", 'name: "张\\u202e三"'), encoding="utf-8")
    document = json.loads(invoke(["review", "show", app, sheet, "--format", "json"], 2).stdout)
    assert [p["key"] for p in document["error"]["problems"]] == ["reviewer.name"]


@pytest.mark.slow
def test_sigterm_stops_a_batch_cleanly_with_its_workers(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    for index in range(40):
        applicant(source, f"app{index:02d}.yaml")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-m", "shifan", "batch", str(source), "-o", str(out), "--no-pdf", "--jobs", "2"]
    parent = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _finished_in_journal(out) < 3:
        assert time.monotonic() < deadline and parent.poll() is None
        time.sleep(0.05)
    children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
    parent.terminate()
    assert parent.wait(timeout=30) == 130
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(int(pid)) for pid in children):
        assert time.monotonic() < deadline, "workers outlived their parent"
        time.sleep(0.05)
    report = run_batch(source, out, writers=applicant_writers(["json"]), summary=SUMMARY, jobs=2)
    assert report.ok and report.skipped > 0


def _finished_in_journal(out: Path) -> int:
    """Applicants a running batch has recorded as finished so far."""
    try:
        return max(0, (out / "manifest.journal").read_bytes().count(b"\n") - 1)
    except OSError:
        return 0
