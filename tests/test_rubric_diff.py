"""``shifan criteria diff`` and :func:`shifan.evaluate.rubric_diff.diff_rubrics`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import invoke
from shifan.evaluate.rubric_diff import RubricDiff, diff_rubrics
from shifan.load.rubric import load_rubric
from shifan.present.diff_text import render_diff


def _diff(base: str, other: str) -> RubricDiff:
    return diff_rubrics(load_rubric(base), load_rubric(other))


def test_anhui_overlay_against_national() -> None:
    diff = _diff("national/institution", "anhui/institution")
    assert diff.overlay_of_base
    assert [c.id for c in diff.criteria_added] == ["AH1", "AH2"]
    assert not diff.criteria_removed
    changed = {c.id: c for c in diff.criteria_changed}
    assert set(changed) == {"B2", "B4", "G2"}
    assert {f.field for f in changed["B2"].changes} >= {"points"}
    assert {f.field for f in changed["B4"].changes} >= {"title", "requirement", "source"}
    assert "drills_per_half_year" in changed["G2"].parameters
    params = {p.name: p for p in diff.parameters_changed}
    status = next(f for f in params["drills_per_half_year"].changes if f.field == "status")
    assert (status.before, status.after) == ("默认值", "原文")
    assert {p.name for p in diff.parameters_added} >= {"nursing_bed_share_2023", "nursing_bed_share_2025"}
    added = {p.name: p for p in diff.parameters_added}
    assert added["nursing_bed_share_2025"].status == "interpretation"
    moves = {m.id: (m.before, m.after) for m in diff.points_moved}
    assert moves == {"B2": (8, 4), "G2": (5, 3), "AH1": (0, 4), "AH2": (0, 2)}
    sections = {s.id: s for s in diff.sections}
    assert (sections["B"].before, sections["B"].after) == (30, 30)
    assert [m.id for m in sections["G"].moves] == ["G2", "AH2"]
    assert not any(f.field == "max_score" for f in diff.other_changes)


def test_text_names_every_change_in_chinese() -> None:
    text = render_diff(_diff("national/institution", "anhui/institution"))
    assert "新增指标（2）" in text and "+ AH1 护理型床位占比" in text
    assert "变更指标（3）" in text and "分值：8 → 4" in text
    assert "状态：默认值 → 原文" in text
    assert "B 服务运营：30 → 30 （合计不变）" in text
    assert "AH1 护理型床位占比：0 → 4（+4）" in text
    assert "继承链：national/institution → anhui/institution" in text


def test_reverse_direction_lists_removed_criteria() -> None:
    diff = _diff("anhui/institution", "national/institution")
    assert [c.id for c in diff.criteria_removed] == ["AH1", "AH2"]
    assert not diff.overlay_of_base
    assert "删除指标（2）" in render_diff(diff)


def test_parameter_only_change_marks_the_criteria_using_it() -> None:
    diff = _diff("anhui/region", "anhui/guangde")
    changed = {c.id: c for c in diff.criteria_changed}
    assert "D3" not in changed  # Guangde's own 63% does not lower the national criterion
    assert [f.field for f in changed["AHR4"].changes] == ["parameters"]
    assert changed["AHR4"].parameters == ["family_doctor_min"]
    status = next(f for f in {p.name: p for p in diff.parameters_changed}["family_doctor_min"].changes)
    assert (status.before, status.after) == ("解释性适用", "原文")
    check = next(f for f in changed["AHR3"].changes if f.field == "check")
    assert '"op": ">"' in check.before and '"op": ">="' in check.after


def test_identical_rubrics_have_no_difference() -> None:
    diff = _diff("national/region", "national/region")
    assert diff.empty
    assert "均相同" in render_diff(diff)


def test_points_grades_priorities_and_dropped_criteria(tmp_path: Path) -> None:
    root = tmp_path / "criteria" / "test"
    root.mkdir(parents=True)
    (root / "lean.yaml").write_text(
        """\
id: test/lean
title: 精简版
version: "1"
extends: national/institution
drop: [B3]
parameters:
  grade_excellent: {title: 优秀等级分数线, value: 85, unit: 分, status: default, source: {document: shifan, clause: 等级划分}}
priorities:
  - id: P7
    title: 设有安宁疗护病区
    check: {kind: items, field: services, required: [hospice]}
    source: {document: nhc2022, clause: 五、优先推荐}
""",
        encoding="utf-8",
    )
    diff = diff_rubrics(load_rubric("national/institution"), load_rubric(root / "lean.yaml"))
    assert [c.id for c in diff.criteria_removed] == ["B3"]
    assert {f.field: (f.before, f.after) for f in diff.other_changes}["max_score"] == ("100", "93")
    assert [(p.id, p.change) for p in diff.priorities] == [("P7", "added")]
    assert diff.grades and "优秀 ≥85分" in diff.grades[0].after
    text = render_diff(diff)
    assert "满分：100 → 93" in text and "新增 P7 设有安宁疗护病区" in text and "等级划分：" in text


def test_cli_single_argument_compares_with_the_base() -> None:
    out = invoke(["criteria", "diff", "anhui/centre"], 0).stdout
    assert out.startswith("评分标准对比：anhui/institution（版本")
    assert "+ AHC1 医疗和养老资源统筹" in out and "B4 医养签约合作与绿色通道：5 → 2（-3）" in out


def test_cli_json() -> None:
    data = json.loads(
        invoke(["criteria", "diff", "national/institution", "anhui/centre", "--format", "json"], 0).stdout
    )
    assert data["base"]["id"] == "national/institution" and data["other"]["id"] == "anhui/centre"
    assert {c["id"] for c in data["criteria_added"]} == {"AH1", "AH2", "AHC1", "AHC2"}
    assert data["other"]["chain"] == ["national/institution", "anhui/institution", "anhui/centre"]


def test_cli_base_rubric_alone_is_a_usage_error() -> None:
    err = invoke(["criteria", "diff", "national/institution"], 2).stderr
    assert "不继承其他标准" in err


def test_cli_unknown_rubric_is_a_usage_error() -> None:
    err = invoke(["criteria", "diff", "anhui/instituton", "national/institution"], 2).stderr
    assert "anhui/institution" in err
