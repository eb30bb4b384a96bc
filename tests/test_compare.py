"""``shifan check APP --compare RUBRIC`` and :func:`shifan.evaluate.compare.compare_application`."""

from __future__ import annotations

import json

from conftest import APPLICATIONS, INSTITUTIONS, REGIONS, invoke
from shifan.evaluate.compare import compare_application
from shifan.present.compare_text import render_comparison
from shifan.rules.vocab import Status

XINAN = APPLICATIONS / "anhui" / "12-xinan-nursing-beds.yaml"


def test_anhui_sample_against_national() -> None:
    comparison = compare_application(XINAN, criteria=None, compare="national/institution")
    assert comparison.primary.rubric.id == "anhui/institution"  # named by the application
    assert comparison.other.rubric.id == "national/institution"
    assert (comparison.primary.score, comparison.other.score) == (91.0, 95.0)
    assert comparison.score_delta == 4
    assert not comparison.verdict_changed
    changed = {item.id: item for item in comparison.changed_items}
    assert set(changed) == {"B2", "G2", "AH1", "AH2"}
    assert changed["AH1"].presence == "removed" and changed["AH1"].status_before is Status.FAIL
    assert (changed["B2"].points_before, changed["B2"].points_after) == (4, 8)
    assert len(comparison.items) == 29


def test_text_lists_only_the_changes() -> None:
    out = invoke(["check", XINAN, "--compare", "national/institution"], 0).stdout
    assert "对比：anhui/institution（版本 2025.2）→ national/institution（版本 2025.1）" in out
    assert "得分：91 / 100 → 95 / 100（+4）" in out
    assert "结论：具备申报资格 → 具备申报资格（结论不变）" in out
    assert "～ B2 失能（含失智）老年人占比：符合 4/4 → 符合 8/8  +4 分" in out
    assert "－ AH1 护理型床位占比：不符合 0/4 → （无此项）" in out
    assert "其余 25 项结果和分值相同。" in out


def test_json_has_both_results_and_the_changes() -> None:
    data = json.loads(invoke(["check", XINAN, "--compare", "national/institution", "--format", "json"], 0).stdout)
    assert data["schema_version"] == 1
    assert data["primary"]["rubric"]["id"] == "anhui/institution"
    assert data["other"]["rubric"]["id"] == "national/institution"
    assert [c["id"] for c in data["changes"]] == ["B2", "AH1", "G2", "AH2"]
    assert len(data["items"]) == 29


def test_explicit_primary_rubric() -> None:
    out = invoke(
        [
            "check",
            INSTITUTIONS / "01-kangning-eligible.yaml",
            "-c",
            "national/institution",
            "--compare",
            "anhui/centre",
        ],
        0,
    ).stdout
    assert "national/institution（版本 2025.1）→ anhui/centre" in out
    assert "＋ AHC1 医疗和养老资源统筹：（无此项） → 符合（否决项）" in out


def test_verdict_change_is_called_out() -> None:
    # 06 fails SH1 and SH3, which national/institution does not have, and still fails A1 there.
    comparison = compare_application(
        INSTITUTIONS / "06-changning-no-clinic.yaml", criteria=None, compare="national/institution"
    )
    assert comparison.primary.failed_gates != comparison.other.failed_gates
    assert "SH1" in comparison.primary.failed_gates and "SH1" not in comparison.other.failed_gates
    out = render_comparison(comparison)
    assert "未通过的否决项：" in out and "→ A1、A2" in out
    # 11 is eligible nationally; under Changning its internal clinic lacks a registered nurse (SH2).
    changed = compare_application(
        INSTITUTIONS / "11-yiyang-active-seniors.yaml", criteria=None, compare="shanghai/changning"
    )
    assert changed.verdict_changed and changed.other.verdict == "ineligible"
    assert changed.other.failed_gates == ["SH2"]
    assert "（结论改变）" in render_comparison(changed)
    # 01 is a 护理院 with 200 beds: the 100-bed rule is about 养老机构, so it does not apply.
    same = compare_application(INSTITUTIONS / "01-kangning-eligible.yaml", criteria=None, compare="shanghai/changning")
    assert not same.verdict_changed
    assert next(c for c in same.other.criteria if c.id == "SH1").status is Status.NOT_APPLICABLE


def test_exit_code_follows_the_primary_rubric() -> None:
    # eligible under its own rubric, not yet confirmable under Changning's: still exit 0
    invoke(["check", INSTITUTIONS / "01-kangning-eligible.yaml", "--compare", "shanghai/changning"], 0)
    # ineligible under its own rubric: exit 1 whatever the other says
    invoke(["check", INSTITUTIONS / "03-fushou-major-incident.yaml", "--compare", "anhui/institution"], 1)


def test_self_scores_of_the_primary_rubric_only_are_ignored_elsewhere() -> None:
    qimen = APPLICATIONS / "anhui" / "17-qimen-county.yaml"
    comparison = compare_application(qimen, criteria=None, compare="national/region")
    assert comparison.ignored_self_scores == ["AHR5"]
    assert "自评分 AHR5 在 national/region 中没有对应指标，未使用" in render_comparison(comparison)


def test_same_rubric_twice_changes_nothing() -> None:
    out = invoke(["check", REGIONS / "07-xiuning-county.yaml", "--compare", "national/region"], 0).stdout
    assert "全部 13 项指标的结果和分值相同。" in out
    assert "100 / 100 → 100 / 100（0）" in out


def test_as_of_applies_to_both_rubrics() -> None:
    data = json.loads(
        invoke(
            ["check", XINAN, "--compare", "national/institution", "--as-of", "2024-12-31", "--format", "json"], 0
        ).stdout
    )
    assert data["primary"]["as_of"] == data["other"]["as_of"] == "2024-12-31"
    ah1 = next(c for c in data["primary"]["criteria"] if c["id"] == "AH1")
    assert "52%" in ah1["expected"]


def test_subject_mismatch_is_invalid_input() -> None:
    err = invoke(["check", XINAN, "--compare", "national/region"], 2).stderr
    assert "适用对象不一致" in err


def test_unknown_compare_rubric_is_a_usage_error() -> None:
    err = invoke(["check", XINAN, "--compare", "national/instiution"], 2).stderr
    assert "national/institution" in err
