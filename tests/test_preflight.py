"""Pre-flight checks of a recommendation: duplicates, review status, rubrics, pass grade, notice."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from conftest import APPLICATIONS, invoke
from shifan.present.publication import process_sentence
from shifan.present.recommendation import notice_text
from shifan.recommend.preflight import preflight
from shifan.recommend.ranking import build_recommendation
from test_recommend import read_csv, row

KANGNING = "institutions/01-kangning-eligible.yaml"
COPY = "institutions/01-kangning-eligible - 副本.yaml"


def folder_with_copy(tmp_path: Path) -> Path:
    """Sample 01 with its two reviews, sample 02 with its reviews, and an unreviewed Windows copy of 01."""
    source = tmp_path / "in"
    (source / "institutions").mkdir(parents=True)
    shutil.copytree(APPLICATIONS / "institutions" / "evidence", source / "institutions" / "evidence")
    shutil.copytree(APPLICATIONS / "reviews", source / "reviews")
    for name in ("01-kangning-eligible.yaml", "02-ankang-low-occupancy.yaml"):
        shutil.copy(APPLICATIONS / "institutions" / name, source / "institutions" / name)
    shutil.copy(source / KANGNING, source / COPY)
    return source


def test_duplicate_is_a_preflight_error_naming_both_files(tmp_path: Path) -> None:
    source, out = folder_with_copy(tmp_path), tmp_path / "out"
    result = invoke(["recommend", source, "--quota", "3", "-o", out, "--no-pdf"], 1)
    assert f"出现在 2 个文件中：{COPY}、{KANGNING}" in result.stderr + result.stdout
    listed = [r["申报单位"] for r in read_csv(out / "recommendation.csv")]
    assert "示例市康宁护理院（虚构）" not in listed
    reasons = {r["申报文件"]: r["未列入原因"] for r in read_csv(out / "annex.csv")}
    assert reasons[COPY].startswith("同一申报单位另有文件") and reasons[KANGNING].startswith("同一申报单位另有文件")
    assert "出现在 2 个文件中" in (out / "preflight.txt").read_text(encoding="utf-8")
    assert (out / "notice.txt").read_text(encoding="utf-8").startswith("【排序前检查有未处理的问题")


def test_prefer_reviewed_picks_the_reviewed_file(tmp_path: Path) -> None:
    source, out = folder_with_copy(tmp_path), tmp_path / "out"
    invoke(
        [
            "recommend",
            source,
            "--reviews",
            source / "reviews",
            "--quota",
            "3",
            "-o",
            out,
            "--no-pdf",
            "--prefer",
            "reviewed",
        ],
        0,
    )
    listed = read_csv(out / "recommendation.csv")
    assert (listed[0]["申报单位"], listed[0]["申报文件"]) == ("示例市康宁护理院（虚构）", KANGNING)
    reasons = {r["申报文件"]: r["未列入原因"] for r in read_csv(out / "annex.csv")}
    assert reasons[COPY] == f"同一申报单位另有文件，已选用 {KANGNING}，本文件未采用"


def test_prefer_newest_picks_the_most_recently_modified_file() -> None:
    rows = [row("甲", 90, id="X", file="a.yaml"), row("甲", 80, id="X", file="b.yaml")]
    checked = preflight(rows, prefer="newest", mtimes={"a.yaml": 1.0, "b.yaml": 2.0})
    assert [r.file for r in checked.rows] == ["b.yaml"] and not checked.blocking
    tied = preflight(rows, prefer="newest", mtimes={"a.yaml": 1.0, "b.yaml": 1.0})
    assert tied.rows == [] and tied.blocking


def test_the_same_county_twice_is_found_by_its_region_code() -> None:
    county: dict[str, Any] = {"kind": "region", "category": "county", "category_label": "县"}
    rows = [row("某县", 90, id="341022", **county), row("某县（修改）", 92, id="341022 ", file="b.yaml", **county)]
    checked = preflight(rows)
    assert checked.blocking and checked.problems[0].code == "duplicate"


def test_three_rubrics_make_three_lists(tmp_path: Path) -> None:
    rows = [
        row("甲", 90, rubric_id="national/institution", rubric_title="全国医养结合示范机构评分标准"),
        row("乙", 95, rubric_id="anhui/centre", rubric_title="安徽省优质医养结合示范中心评分标准"),
        row("丙", 99, rubric_id="shanghai/changning", rubric_title="医养结合示范机构评分标准（上海市长宁区）"),
    ]
    recommendation = build_recommendation(rows, [], quota=5)
    assert [(r.title, [e.row.name for e in r.recommended]) for r in recommendation.lists] == [
        ("全国医养结合示范机构", ["甲"]),
        ("安徽省优质医养结合示范中心", ["乙"]),
        ("医养结合示范机构（上海市长宁区）", ["丙"]),
    ]
    assert any(p.code == "rubrics" and len(p.rubrics) == 3 for p in recommendation.preflight)
    assert not recommendation.blocking


def test_a_county_below_the_pass_grade_is_not_recommended_by_default(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(APPLICATIONS / "anhui", source)
    for path in [*source.glob("1[23]-*.yaml"), *source.glob("19-*.yaml")]:
        path.unlink()
    invoke(["recommend", source, "--quota", "5", "-o", out, "--no-pdf"], 0)
    reasons = {r["申报文件"]: r["未列入原因"] for r in read_csv(out / "annex.csv")}
    assert reasons["18-yixian-county.yaml"] == "得分 52.4 低于评分标准的合格线 70"
    assert "黟县" not in (out / "notice.txt").read_text(encoding="utf-8")
    explicit = tmp_path / "explicit"
    invoke(["recommend", source, "--quota", "5", "-o", explicit, "--no-pdf", "--min-score", "50"], 0)
    assert "18-yixian-county.yaml" in {r["申报文件"] for r in read_csv(explicit / "recommendation.csv")}


def test_unreviewed_applicants_stay_out_when_any_review_exists() -> None:
    rows = [row("甲", 99), row("乙", 90, reviewers=["张"], review_levels=["province"])]
    recommendation = build_recommendation(rows, [], quota=5)
    assert [e.row.name for e in recommendation.lists[0].recommended] == ["乙"]
    assert [a.cause for a in recommendation.lists[0].annex] == ["not_reviewed"]
    mixed = build_recommendation(rows, [], quota=5, checked=preflight(rows, require_review=False))
    assert [e.row.name for e in mixed.lists[0].recommended] == ["甲", "乙"]
    assert [p.code for p in mixed.preflight] == ["mixed_review"]


def test_stale_reviews_are_a_blocking_problem() -> None:
    rows = [row("甲", 99, reviewers=["张"], stale=True)]
    recommendation = build_recommendation(rows, [], quota=5)
    assert recommendation.blocking and recommendation.lists[0].annex[0].cause == "stale_review"


def test_notice_sentence_states_what_happened() -> None:
    def sentence(*rows: Any) -> str:
        return process_sentence(build_recommendation(list(rows), [], quota=5, checked=preflight(rows)))

    assert sentence(row("甲", 90)) == "经申报单位自评和系统核验（未经专家评审）"
    assert sentence(row("甲", 90, reviewers=["张"])) == "经申报单位自评和专家评审"
    county_and_province = row("甲", 90, reviewers=["张", "李"], review_levels=["county", "province"])
    assert sentence(county_and_province) == "经申报单位自评和县级初审、省级评审"
    assert sentence(row("乙", 95, reviewers=["王"], review_levels=["province"]), county_and_province) == (
        "经申报单位自评和省级评审"
    )
    rows = [row("甲", 90, reviewers=["张"], review_levels=["province"]), row("乙", 95)]
    mixed = build_recommendation(rows, [], quota=5, checked=preflight(rows, require_review=False))
    assert "其中 1 个申报单位经省级评审（其余 1 个未经专家评审）" in notice_text(mixed)
    assert "县级初审" not in notice_text(mixed)


def test_invisible_characters_do_not_win_a_tie() -> None:
    # 乙 (U+4E59) sorts before 甲 (U+7532); a zero-width space before 甲 must not change that.
    rows = [row("示例乙护理院", 90), row("\u200b示例甲护理院", 90)]
    recommendation = build_recommendation(rows, [], quota=1)
    assert recommendation.lists[0].recommended[0].row.name == "示例乙护理院"


def test_city_names_in_quota_groups_and_lists(tmp_path: Path) -> None:
    source, out = folder_with_copy(tmp_path), tmp_path / "out"
    os.remove(source / COPY)
    invoke(
        [
            "recommend",
            source,
            "--reviews",
            source / "reviews",
            "--quota",
            "3",
            "--quota-by",
            "region",
            "-o",
            out,
            "--no-pdf",
        ],
        0,
    )
    listed = read_csv(out / "recommendation.csv")
    assert {r["名额分组"] for r in listed} == {"黄山市"}
    assert {r["所在地区"] for r in listed} == {"安徽省黄山市屯溪区"}


def test_division_names_and_unknown_codes(tmp_path: Path) -> None:
    from shifan.rules.divisions import TABLE_DATE, city_name, division

    found = division("310105")
    assert found is not None and found.full_name == "上海市长宁区" and city_name("341022") == "黄山市"
    text = (APPLICATIONS / "institutions" / "01-kangning-eligible.yaml").read_text(encoding="utf-8")
    path = tmp_path / "app.yaml"
    path.write_text(text.replace('region_code: "341002"', 'region_code: "341099"'), encoding="utf-8")
    err = invoke(["check", path], 2).stderr
    assert f"region_code: 不在行政区划代码表（截至 {TABLE_DATE}）中" in err


def test_division_table_ships_with_the_package() -> None:
    """The one division table is package data: inside the wheel's package folder, not ignored, and
    the only source of city names (group labels, the 地市概况 sheet, the 地市 column)."""
    import subprocess
    import tomllib
    from importlib import resources

    from shifan.present.overview import city_overview
    from shifan.present.row_text import city_label
    from shifan.rules.divisions import TABLE, table

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    relative = TABLE.relative_to(root)
    assert any(relative.is_relative_to(package) for package in wheel["packages"])
    assert not wheel.get("exclude")
    ignored = subprocess.run(["git", "check-ignore", "-q", str(relative)], cwd=root, check=False)
    assert ignored.returncode != 0  # hatch leaves out what git ignores (0 would mean ignored)
    assert (resources.files("shifan") / "data" / "regions.csv").is_file()
    assert len(table()) > 3000 and not (root / "src" / "shifan" / "present" / "regions.py").exists()
    assert city_label("341002") == "黄山市" and city_label("330106") == "杭州市"
    assert city_label("719900") == "台湾省（地市代码 719900）"
    row = type("Row", (), {"region_code": "341022", "kind": "institution", "eligible": True, "id": "x"})()
    assert city_overview([row], {"x"}).rows[0][:2] == ["黄山市", "341000"]  # type: ignore[list-item]
