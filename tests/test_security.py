"""Trust boundaries and hostile inputs beyond the bad-input corpus: who can change a verdict,
what people read, what a batch writes, and how much work an input can cause."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, invoke
from shifan.batch import run_batch
from shifan.errors import InputError
from shifan.evaluate.pipeline import check_application
from shifan.present.formats import applicant_writers
from shifan.present.summary import SUMMARY
from shifan.review import load_reviews

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
