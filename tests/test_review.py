"""shifan review init / update / show: sheets, located errors, staleness, overrides."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import APPLICATIONS, invoke
from shifan.review import load_review


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A private copy of the shipped samples (applications, evidence and reviews)."""
    target = tmp_path / "applications"
    shutil.copytree(APPLICATIONS, target)
    return target


def init(work: Path, app: str, reviewer: str, name: str) -> Path:
    out = work / "reviews" / name
    invoke(["review", "init", work / "institutions" / app, "--reviewer", reviewer, "-o", out], 0)
    return out


def test_init_writes_a_commented_sheet_prefilled_with_the_evaluation(work: Path) -> None:
    sheet = init(work, "01-kangning-eligible.yaml", "赵专家", "new.yaml")
    text = sheet.read_text(encoding="utf-8")
    assert text.startswith("# 评审意见表")
    assert "kind: review" in text
    assert "# confirmed 已核实 / not_checked 未核查 / contradicts 与申报不符" in text
    assert "专家评分：0–10 分" in text
    loaded = load_review(sheet)
    review = loaded.review
    assert review.reviewer.name == "赵专家"
    assert review.application.path == "../institutions/01-kangning-eligible.yaml"
    assert loaded.target == (work / "institutions" / "01-kangning-eligible.yaml").resolve()
    assert review.items["B1"].computed is not None and review.items["B1"].computed.points == 10
    assert review.items["F3"].self_score == 3
    assert review.items["A1"].score is None and "score" not in review.items["A1"].model_fields_set


def test_init_refuses_to_overwrite_and_requires_a_reviewer(work: Path) -> None:
    sheet = init(work, "01-kangning-eligible.yaml", "赵专家", "new.yaml")
    app = work / "institutions" / "01-kangning-eligible.yaml"
    result = invoke(["review", "init", app, "--reviewer", "赵专家", "-o", sheet], 2)
    assert "已存在" in result.stderr
    invoke(["review", "init", app, "-o", work / "other.yaml"], 2)
    invoke(["review", "init", app, "--reviewer", "  ", "-o", work / "other.yaml"], 2)


def test_show_reconciles_the_sample_reviews(work: Path) -> None:
    reviews = sorted((work / "reviews").glob("01-*.yaml"))
    result = invoke(["review", "show", work / "institutions" / "01-kangning-eligible.yaml", *reviews], 0)
    assert "评审专家：李华、张明" in result.stdout
    assert "得分（合议后）：98.75 / 100" in result.stdout
    data = json.loads(
        invoke(
            ["review", "show", work / "institutions/01-kangning-eligible.yaml", *reviews, "--format", "json"], 0
        ).stdout
    )
    assert data["reviewed"] is True and data["stale"] is False
    b1 = next(c for c in data["criteria"] if c["id"] == "B1")
    assert b1["points"] == 9.75 and b1["method_used"] == "mean" and len(b1["reviews"]) == 2
    assert data["evaluation"]["score"] == 100


def test_sample_two_has_a_contradiction_and_opposite_opinions(work: Path) -> None:
    reviews = sorted((work / "reviews").glob("02-*.yaml"))
    result = invoke(["review", "show", work / "institutions/02-ankang-low-occupancy.yaml", *reviews], 0)
    assert "现场核查与申报不符：C1" in result.stdout
    assert "不同意推荐" in result.stdout and "同意推荐" in result.stdout


def test_update_keeps_entries_and_comments_and_marks_changed_items(work: Path) -> None:
    app = work / "institutions" / "01-kangning-eligible.yaml"
    sheet = work / "reviews" / "01-kangning-zhang.yaml"
    text = sheet.read_text(encoding="utf-8")
    text = text.replace("  B2:", "  # 专家手记：B2 待现场复核\n  B2:", 1)
    text += "# 文件末尾的专家备注\n"
    sheet.write_text(text, encoding="utf-8")
    before = load_review(sheet).review
    app.write_text(
        app.read_text(encoding="utf-8").replace("{month: 2025-12, occupied: 150}", "{month: 2025-12, occupied: 10}"),
        encoding="utf-8",
    )
    stale = invoke(["review", "show", app, sheet], 0)
    assert "评审意见已过期" in stale.stdout and "申报文件在评审后已修改" in stale.stdout
    result = invoke(["review", "update", sheet], 0)
    assert "B1 计算结果有变化" in result.stdout
    updated_text = sheet.read_text(encoding="utf-8")
    assert "# 专家手记：B2 待现场复核" in updated_text
    assert "# 文件末尾的专家备注" in updated_text
    assert "# 评审意见表" in updated_text
    after = load_review(sheet).review
    for key, item in before.items.items():
        other = after.items[key]
        assert (other.score, other.remark, other.verification, other.override) == (
            item.score,
            item.remark,
            item.verification,
            item.override,
        )
    assert after.final_opinion == before.final_opinion and after.reviewer == before.reviewer
    assert after.items["B1"].changed and "年入住率" in after.items["B1"].changed
    assert after.items["B2"].changed is None
    shown = invoke(["review", "show", app, sheet, "--format", "json"], 0)
    data = json.loads(shown.stdout)
    assert data["stale"] is False and data["changed_unreviewed"] == ["B1"]
    again = invoke(["review", "update", sheet], 0)
    assert "各项计算结果均无变化" in again.stdout


def test_located_errors_all_at_once(work: Path) -> None:
    sheet = work / "reviews" / "01-kangning-li.yaml"
    text = sheet.read_text(encoding="utf-8")
    text = text.replace("  name: 李华", "  name: ''")
    text = text.replace("    score: 9.5", "    score: 12")
    text = text.replace("  B2:", "  B22:\n    score: 1\n  B2:", 1)
    text = text.replace("    override:", "    override: {decision: pass, reason: ''}", 1)
    text = text.replace("    verification: not_checked", "    verification: unchecked", 1)
    sheet.write_text(text, encoding="utf-8")
    result = invoke(["review", "show", work / "institutions/01-kangning-eligible.yaml", sheet], 2)
    err = result.stderr
    assert "01-kangning-li.yaml:" in err
    assert "reviewer.name" in err
    assert "override.reason" in err
    assert "verification" in err


def test_rubric_checks_score_range_unknown_item_and_gate_rules(work: Path) -> None:
    sheet = work / "reviews" / "01-kangning-li.yaml"
    text = sheet.read_text(encoding="utf-8")
    text = text.replace("    score: 9.5", "    score: 12")
    text = text.replace("  B2:", "  B22:\n    score: 1\n  B2:", 1)
    text = text.replace("  A2:", "  A2:\n    score: 1", 1)
    text = text.replace(
        "    self_score:\n", "    self_score:\n    override: {decision: fail, reason: 现场发现问题}\n", 1
    )
    sheet.write_text(text, encoding="utf-8")
    err = invoke(["review", "show", work / "institutions/01-kangning-eligible.yaml", sheet], 2).stderr
    line = next(line for line in err.splitlines() if "items.B1.score" in line)
    assert "评分超出该项分值" in line and "实际：12" in line and "0 至 10" in line
    assert ":" in line.split("items.B1.score")[0]  # file:line:column
    assert "评分标准中没有这个指标，是否应为 “B2”？" in err
    assert "items.A2.score" in err and "否决项不评分" in err
    assert "只有否决项可以改判" in err


def test_review_of_another_application_and_duplicate_reviewer(work: Path) -> None:
    app1 = work / "institutions/01-kangning-eligible.yaml"
    other = work / "reviews" / "02-ankang-zhang.yaml"
    err = invoke(["review", "show", app1, other], 2).stderr
    assert "不是针对该申报文件的" in err
    first = work / "reviews" / "01-kangning-zhang.yaml"
    copy = work / "reviews" / "01-copy.yaml"
    shutil.copy(first, copy)
    err = invoke(["review", "show", app1, first, copy], 2).stderr
    assert "同一评审专家有两份评审意见表" in err


def _set_override(sheet: Path, gate: str, decision: str) -> None:
    text = sheet.read_text(encoding="utf-8")
    head, tail = text.split(f"  {gate}:", 1)
    tail = tail.replace("    override:", f"    override: {{decision: {decision}, reason: 现场核查确认}}", 1)
    sheet.write_text(head + f"  {gate}:" + tail, encoding="utf-8")


def test_fail_override_makes_an_eligible_applicant_ineligible_and_is_shown(work: Path) -> None:
    sheet = init(work, "01-kangning-eligible.yaml", "赵专家", "o.yaml")
    _set_override(sheet, "A4", "fail")
    app = work / "institutions/01-kangning-eligible.yaml"
    result = invoke(["review", "show", app, sheet], 1)
    assert "改判（已生效）：A4" in result.stdout and "现场核查确认" in result.stdout
    data = json.loads(invoke(["review", "show", app, sheet, "--format", "json"], 1).stdout)
    assert data["overrides"][0]["criterion"] == "A4" and data["overrides"][0]["effective"] is True
    assert data["verdict"] == "ineligible" and data["evaluation"]["verdict"] == "eligible"


def test_pass_override_needs_majority(work: Path) -> None:
    app = work / "institutions/03-fushou-major-incident.yaml"
    sheets = [
        init(work, "03-fushou-major-incident.yaml", name, f"03-{index}.yaml")
        for index, name in enumerate(["甲", "乙", "丙"])
    ]
    _set_override(sheets[0], "A3", "pass")
    one = json.loads(invoke(["review", "show", app, *sheets, "--format", "json"], 1).stdout)
    assert one["verdict"] == "ineligible" and one["disagreements"] == ["A3"]
    assert one["overrides"][0]["effective"] is False
    _set_override(sheets[1], "A3", "pass")
    two = json.loads(invoke(["review", "show", app, *sheets, "--format", "json"], 0).stdout)
    assert two["verdict"] == "eligible" and all(o["effective"] for o in two["overrides"])
