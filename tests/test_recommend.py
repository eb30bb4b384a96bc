"""The recommendation list: eligibility, quotas, minimum score, tie-breaks, outputs."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any, get_args

import openpyxl
import pytest

from conftest import APPLICATIONS, invoke
from shifan.batch.model import FailedGate, Failure, SummaryRow
from shifan.present.row_text import TIE_RULES, annex_reason, group_label, tie_note
from shifan.recommend.ranking import TieRule, build_recommendation, rank_list


def row(name: str, score: float, **changes: Any) -> SummaryRow:
    data: dict[str, Any] = {
        "file": f"{name}.yaml",
        "name": name,
        "id": changes.pop("id", f"ID-{name}"),
        "kind": "institution",
        "category": "nursing_home",
        "category_label": "护理院",
        "region_code": "341002",
        "rubric_id": "national/institution",
        "as_of": "2025-12-31",
        "verdict": "eligible",
        "eligible": True,
        "failed_gates": [],
        "computed_score": score,
        "score": score,
        "max_score": 100,
        "grade": "",
        "reviewers": [],
        "stale": False,
        "stale_reviews": [],
        "disagreements": [],
        "overrides": [],
        "contradicted": [],
        "conclusions": [],
        "insufficient": 0,
        "priorities": [False, False, False],
        "priority_titles": [],
        "disabled_share": 50.0,
    }
    data.update(changes)
    return SummaryRow.model_validate(data)


def gate(gate_id: str, title: str, reason: str) -> FailedGate:
    return FailedGate(id=gate_id, title=title, status="fail", reason=reason)


def names(rows: list[SummaryRow], **options: Any) -> list[str]:
    result = rank_list("institution", rows, [], quota=options.pop("quota", 99), **options)
    return [entry.row.name for entry in result.recommended]


def test_higher_score_first_then_priorities_in_rubric_order() -> None:
    rows = [
        row("丙", 90, priorities=[False, True, True]),
        row("乙", 90, priorities=[True, False, False]),
        row("甲", 95),
        row("丁", 90, priorities=[False, True, False]),
    ]
    assert names(rows) == ["甲", "乙", "丙", "丁"]


def test_ties_then_fewer_insufficient_then_disabled_share_then_code_point_then_id() -> None:
    rows = [
        row("B", 80, insufficient=2),
        row("A", 80, insufficient=1, disabled_share=40.0),
        row("C", 80, insufficient=1, disabled_share=70.0),
        row("D", 80, insufficient=1, disabled_share=None),
        row("E", 80, insufficient=1, disabled_share=40.0),
        row("A", 80, insufficient=1, disabled_share=40.0, id="ID-0", file="A2.yaml"),
    ]
    result = rank_list("institution", rows, [], quota=99)
    order = [(e.row.name, e.row.id) for e in result.recommended]
    assert order == [("C", "ID-C"), ("A", "ID-0"), ("A", "ID-A"), ("E", "ID-E"), ("D", "ID-D"), ("B", "ID-B")]
    notes = [tie_note(e) for e in result.recommended]
    assert "失能老年人占比较高" in notes[0] and "按编号顺序" in notes[1] and "按名称码位顺序" in notes[2]
    assert "证据不足项较少" in notes[4] and notes[5] == ""


def test_priorities_compare_one_by_one_not_by_count() -> None:
    rows = [row("多", 90, priorities=[False, True, True]), row("先", 90, priorities=[True, False, False])]
    result = rank_list("institution", rows, [], quota=99)
    assert [e.row.name for e in result.recommended] == ["先", "多"]
    assert "优先推荐条件第 1 项" in tie_note(result.recommended[0])


def test_the_tie_rules_are_stated_identically_everywhere() -> None:
    root = Path(__file__).resolve().parent.parent
    # One printed rule for the score and one per tie-break the code applies, in the same order.
    assert len(TIE_RULES) == 1 + len(get_args(TieRule))
    batch_doc = (root / "docs" / "batch.md").read_text(encoding="utf-8")
    positions = [batch_doc.find(rule) for rule in TIE_RULES]
    assert -1 not in positions, [rule for rule, at in zip(TIE_RULES, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    priority_rule = TIE_RULES[1]
    assert priority_rule in (root / "README.md").read_text(encoding="utf-8")
    for rubric in (root / "criteria").rglob("*.yaml"):
        text = rubric.read_text(encoding="utf-8")
        if "\npriorities:" in text:
            assert priority_rule in text, rubric


def test_names_sort_by_unicode_code_point() -> None:
    rows = [row("张", 70), row("安", 70), row("王", 70)]
    assert names(rows) == sorted(["张", "安", "王"])  # 安 U+5B89 < 张 U+5F20 < 王 U+738B


def test_ineligible_below_min_score_and_over_quota_go_to_the_annex_with_reasons() -> None:
    rows = [
        row("甲", 95),
        row("乙", 90),
        row("丙", 85),
        row(
            "丁",
            99,
            eligible=False,
            verdict="ineligible",
            failed_gates=[gate("A3", "无重大负面事件", "发生重大医疗事故")],
        ),
        row("戊", 99, eligible=False, verdict="incomplete", failed_gates=[gate("A1", "资质", "缺少佐证材料")]),
        row("己", 59.99),
    ]
    failures = [Failure("broken.yaml", "application", ["broken.yaml:1:1: YAML 语法错误"])]
    result = rank_list("institution", rows, failures, quota=2, min_score=60)
    assert [e.row.name for e in result.recommended] == ["甲", "乙"]
    reasons = {a.name or a.file: annex_reason(a) for a in result.annex}
    assert reasons["丁"] == "不具备申报资格：A3 无重大负面事件：发生重大医疗事故"
    assert reasons["丙"].startswith("超出名额") and "排名第 3" in reasons["丙"]
    assert reasons["丁"].startswith("不具备申报资格：A3")
    assert reasons["戊"].startswith("暂不能确认申报资格")
    assert reasons["己"] == "得分 59.99 低于最低分 60"
    assert reasons["broken.yaml"].startswith("文件有误")


def test_quota_per_category_and_per_city() -> None:
    rows = [
        row("护理院一", 95),
        row("护理院二", 94),
        row("护理院三", 93),
        row("内设一", 80, category="care_with_clinic", category_label="养老机构内设医疗机构", region_code="340102"),
        row("内设二", 79, category="care_with_clinic", category_label="养老机构内设医疗机构", region_code="340103"),
    ]
    by_category = rank_list("institution", rows, [], quota=1, quota_by="category")
    assert [(group_label(e.group), e.row.name, e.group_rank) for e in by_category.recommended] == [
        ("护理院", "护理院一", 1),
        ("养老机构内设医疗机构", "内设一", 1),
    ]
    by_city = rank_list("institution", rows, [], quota=2, quota_by="region")
    assert [(group_label(e.group), e.row.name) for e in by_city.recommended] == [
        ("合肥市", "内设一"),
        ("合肥市", "内设二"),
        ("黄山市", "护理院一"),
        ("黄山市", "护理院二"),
    ]
    assert [e.rank for e in by_city.recommended] == [4, 5, 1, 2]


def test_institutions_and_counties_are_separate_lists() -> None:
    rows = [row("机构", 90), row("县", 95, kind="region", category="county", category_label="县")]
    recommendation = build_recommendation(rows, [], quota=1)
    assert [(r.kind, [e.row.name for e in r.recommended]) for r in recommendation.lists] == [
        ("institution", ["机构"]),
        ("region", ["县"]),
    ]


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))


def core_samples(tmp_path: Path) -> Path:
    """The samples 01-08 with their reviews (later samples are left out so the list stays stable)."""
    source = tmp_path / "applications"
    for folder in ("institutions", "regions", "reviews"):
        shutil.copytree(APPLICATIONS / folder, source / folder)
    for path in [*source.glob("institutions/*.yaml"), *source.glob("regions/*.yaml")]:
        if path.name[:3] not in {f"0{n}-" for n in range(1, 9)}:
            path.unlink()
    return source


def test_command_on_the_samples(tmp_path: Path) -> None:
    source = core_samples(tmp_path)
    out = tmp_path / "rec"
    result = invoke(
        [
            "recommend",
            source,
            "--reviews",
            source / "reviews",
            "--quota",
            "2",
            "--min-score",
            "60",
            "-o",
            out,
            "--no-pdf",
        ],
        0,
    )
    assert "全国医养结合示范机构（全国医养结合示范机构评分标准）：拟推荐 2 个" in result.stdout
    listed = read_csv(out / "recommendation.csv")
    assert listed[0]["申报单位"] == "示例市康宁护理院（虚构）" and listed[0]["得分依据"] == "专家合议"
    annex = read_csv(out / "annex.csv")
    reasons = {r["申报文件"]: r["未列入原因"] for r in annex}
    assert reasons["institutions/03-fushou-major-incident.yaml"].startswith("不具备申报资格：A3")
    notice = (out / "notice.txt").read_text(encoding="utf-8")
    assert notice.startswith("关于") and "示例市康宁护理院（虚构）" in notice and "公示" in notice
    book = openpyxl.load_workbook(out / "recommendation.xlsx")
    assert book.sheetnames == [
        "全国医养结合示范机构",
        "医养结合示范机构（上海市长宁区）",
        "全国医养结合示范县（市、区）",
        "未列入名单",
        "地市概况",
        "排序前检查",
    ]
    data = json.loads((out / "recommendation.json").read_text(encoding="utf-8"))
    assert data["lists"][0]["quota"] == 2 and data["tie_rules"]


def test_recommend_writes_the_list_as_pdf(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    source = core_samples(tmp_path)
    invoke(["recommend", source, "--reviews", source / "reviews", "--quota", "1", "-o", out], 0)
    assert (out / "recommendation.pdf").read_bytes().startswith(b"%PDF")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_batch import GEN

    root = tmp_path_factory.mktemp("rec")
    GEN.generate(root / "in", 200, seed=13, counties=2, broken=1)
    return root


@pytest.mark.slow
def test_quotas_on_a_generated_folder_are_respected_and_deterministic(generated: Path) -> None:
    first, second = generated / "a", generated / "b"
    args = ["--quota", "3", "--quota-by", "category", "--min-score", "70", "--no-require-review", "--no-pdf"]
    args += ["--reviews", str(generated / "in" / "reviews")]
    invoke(["recommend", generated / "in", "-o", first, *args, "--jobs", "2"], 1)
    invoke(["recommend", generated / "in", "-o", second, *args, "--jobs", "1"], 1)
    for name in ("recommendation.csv", "annex.csv", "notice.txt", "recommendation.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    listed = [r for r in read_csv(first / "recommendation.csv") if r["申报类型"] == "全国医养结合示范机构"]
    per_group: dict[str, int] = {}
    for entry in listed:
        per_group[entry["名额分组"]] = per_group.get(entry["名额分组"], 0) + 1
        assert float(entry["得分"]) >= 70
    assert per_group and max(per_group.values()) <= 3
    annex = read_csv(first / "annex.csv")
    assert any(r["未列入原因"].startswith("文件有误") for r in annex)
    assert any(r["未列入原因"].startswith("超出名额") for r in annex)
    assert any("低于最低分 70" in r["未列入原因"] for r in annex)
