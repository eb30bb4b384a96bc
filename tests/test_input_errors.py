"""Bad applications and rubrics: exit 2, every problem located by line, column and dotted key."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import INSTITUTIONS, invoke

SAMPLE = (INSTITUTIONS / "01-kangning-eligible.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "app.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_all_problems_listed_with_location(tmp_path: Path) -> None:
    text = SAMPLE.replace("attachments:", "attachments_removed:").replace("  approved: 200", "  approvd: 200")
    text = text.replace("  operating: 180", "  operating: many")
    path = write(tmp_path, text)
    err = invoke(["check", path], 2).stderr
    assert f"app.yaml:{line_of(text, 'approvd')}:3: beds.approvd: 未知的键，是否应为 “approved”？" in err
    assert f"app.yaml:{line_of(text, 'operating: many')}:" in err and "beds.operating: 应为整数" in err
    assert "attachments_removed" in err
    assert "Traceback" not in err


def test_impossible_values(tmp_path: Path) -> None:
    text = SAMPLE.replace("{month: 2025-03, occupied: 141}", "{month: 2025-03, occupied: 500}")
    text = text.replace("  - id: N02", "  - id: N01", 1)
    text = text.replace("date: 2024-05-12", "date: 2026-05-12")
    path = write(tmp_path, text)
    err = invoke(["check", path], 2).stderr
    assert f":{line_of(text, 'occupied: 500')}:" in err and "occupancy.2.occupied: 在住床位数大于实际运营床位数" in err
    assert "staff.3.id: 工号重复" in err
    assert "incidents.0.date: 日期晚于评价基准日" in err


def test_missing_attachment(tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE)
    err = invoke(["check", path], 2).stderr
    assert "attachments.0.path: 佐证材料文件不存在" in err
    assert err.count("佐证材料文件不存在") == SAMPLE.split("attachments:")[1].count("path:")


def test_attachment_outside_folder(tmp_path: Path) -> None:
    text = SAMPLE.split("attachments:")[0] + "attachments:\n  - {type: medical_licence, path: ../../etc/passwd}\n"
    err = invoke(["check", write(tmp_path, text)], 2).stderr
    assert "attachments.0.path: 佐证材料路径指向申报文件所在目录之外" in err


def test_invalid_uscc_and_region(tmp_path: Path) -> None:
    text = SAMPLE.replace("52341002MJA0000118", "52341002MJA0000119").replace(
        'region_code: "341002"', 'region_code: "991002"'
    )
    err = invoke(["check", write(tmp_path, text)], 2).stderr
    assert f"app.yaml:{line_of(text, 'uscc:')}:1: uscc: 校验码错误：第18位应为 8" in err
    assert "region_code: 前两位 99 不是有效的省级代码" in err


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "kind: institution\nname: [unclosed\n")
    err = invoke(["check", path], 2).stderr
    assert "app.yaml:" in err and "YAML 语法错误" in err


def test_unknown_self_score_criterion(tmp_path: Path) -> None:
    text = SAMPLE.replace("  F3: 3\n", "  F33: 3\n", 1)
    shutil.copytree(INSTITUTIONS / "evidence" / "kangning", tmp_path / "evidence" / "kangning")
    err = invoke(["check", write(tmp_path, text)], 2).stderr
    assert "self_scores.F33: 评分标准中没有这个指标，是否应为 “F3”？" in err


RUBRIC = """\
id: test/overlay
title: 测试
version: "1"
extends: national/institution
parameters:
  occupancy_min:
    title: 入住率
    value: 70
    unit: "%"
    status: quoted
    source: {document: nowhere, clause: 一}
drop: [B9]
replace:
  - id: B1
    title: 年入住率
    requirement: 入住率不低于{occupancy_mn}
    points: 10
    check: {kind: metric, metric: occupancy_rte, value: occupancy_min}
    source: {document: nhc2022, clause: 一}
"""


def test_bad_rubric_all_problems(tmp_path: Path) -> None:
    root = tmp_path / "criteria" / "test"
    root.mkdir(parents=True)
    path = root / "overlay.yaml"
    path.write_text(RUBRIC, encoding="utf-8")
    err = invoke(["criteria", "validate", str(path)], 2).stderr
    assert f"overlay.yaml:{line_of(RUBRIC, 'drop:')}:" in err and "drop.0: 要删除的指标不存在" in err
    assert "parameters.occupancy_min.source.document: 未定义的来源文件" in err
    assert "replace.0.requirement: 要求文字引用了未定义的参数，是否应为 “occupancy_min”？" in err
    assert "replace.0.check.metric: 未知的指标，是否应为 “occupancy_rate”？" in err


def test_overlay_cycle(tmp_path: Path) -> None:
    root = tmp_path / "criteria" / "loop"
    root.mkdir(parents=True)
    for name, other in (("a", "b"), ("b", "a")):
        (root / f"{name}.yaml").write_text(
            f'id: loop/{name}\ntitle: 环\nversion: "1"\nsubject: institution\nextends: loop/{other}\n', encoding="utf-8"
        )
    err = invoke(["criteria", "validate", str(root / "a.yaml")], 2).stderr
    assert "extends: rubric 继承形成循环" in err


def test_duplicate_criterion_id(tmp_path: Path) -> None:
    root = tmp_path / "criteria" / "dup"
    root.mkdir(parents=True)
    text = """\
id: dup/one
title: 重复
version: "1"
extends: national/institution
add:
  - section: B
    criteria:
      - id: B1
        title: 重复的指标
        requirement: 要求
        points: 1
        check: {kind: flag, path: features.tcm}
        source: {document: nhc2022, clause: 一}
"""
    (root / "one.yaml").write_text(text, encoding="utf-8")
    err = invoke(["criteria", "validate", str(root / "one.yaml")], 2).stderr
    assert "add.0.criteria.0.id: 指标编号重复" in err


def test_yes_no_is_not_a_count(tmp_path: Path) -> None:
    text = SAMPLE.replace("  approved: 200", "  approved: true")
    err = invoke(["check", write(tmp_path, text)], 2).stderr
    assert f"app.yaml:{line_of(text, 'approved: true')}:3: beds.approved: 应为整数" in err


def test_unknown_rubric_named_by_application(tmp_path: Path) -> None:
    text = SAMPLE.replace("kind: institution\n", "kind: institution\nrubric: national/instituton\n", 1)
    shutil.copytree(INSTITUTIONS / "evidence" / "kangning", tmp_path / "evidence" / "kangning")
    err = invoke(["check", write(tmp_path, text)], 2).stderr
    assert f"app.yaml:{line_of(text, 'rubric:')}:1: rubric: 找不到评分标准" in err
    assert "是否应为 “national/institution”" in err


def test_directories_are_reported_in_chinese(tmp_path: Path) -> None:
    err = invoke(["check", tmp_path], 2).stderr
    assert "这是一个目录" in err
    err = invoke(
        ["report", "self", INSTITUTIONS / "01-kangning-eligible.yaml", "-o", tmp_path, "--format", "html"], 4
    ).stderr
    assert "这是一个目录" in err and "Traceback" not in err


def test_prescan_skipped_only_when_limits_cannot_be_reached() -> None:
    from shifan.read.yamldoc import MAX_DEPTH, _may_exceed_limits

    assert not _may_exceed_limits(SAMPLE)
    assert _may_exceed_limits("a: &x 1\nb: *x\n")
    assert _may_exceed_limits("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert _may_exceed_limits("".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 2)))
    assert _may_exceed_limits("- " * (MAX_DEPTH + 1) + "x\n")
