"""County roll-up from the roster of institution files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import APPLICATIONS, REGIONS, invoke
from shifan.evaluate.pipeline import check_application

COUNTY = """\
kind: region
name: 名册县（虚构）
region_code: "341022"
level: county
province: 安徽省
assessment_date: 2025-12-31
measures: [in_development_plan, in_sector_plans, working_mechanism, work_plan]
indicators:
  level2_general_hospitals: 4
  with_geriatrics: 3
  population_65: 1000
  health_managed_65: 700
roster:
  - file: ../institutions/01-kangning-eligible.yaml
  - file: ../institutions/02-ankang-low-occupancy.yaml
  - file: ../institutions/no-medical.yaml
"""


def _no_medical(work: Path) -> None:
    """Sample 06 without its agreement: no form of medical service at all."""
    text = (work / "institutions" / "06-changning-no-clinic.yaml").read_text(encoding="utf-8")
    head, tail = text.split("agreements:", 1)
    tail = tail[tail.index("services:") :]
    (work / "institutions" / "no-medical.yaml").write_text(head + tail, encoding="utf-8")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    target = tmp_path / "applications"
    shutil.copytree(APPLICATIONS, target)
    _no_medical(target)
    return target


def test_indicators_the_county_left_empty_come_from_the_roster(work: Path) -> None:
    county = work / "regions" / "roster-county.yaml"
    county.write_text(COUNTY, encoding="utf-8")
    checked = check_application(county)
    rollup = checked.rollup
    assert rollup is not None
    derived = {i.name: (i.derived, i.used) for i in rollup.indicators}
    assert derived["care_institutions"] == (3, "derived")
    # no-medical.yaml has neither a licence, an internal clinic, an adjacent hospital nor an agreement
    assert derived["care_providing_medical"] == (2, "derived")
    d1 = next(c for c in checked.result.criteria if c.id == "D1")
    assert d1.status.value == "fail" and "由名册汇总" in d1.observed
    share = next(s for s in rollup.shares if s.metric == "care_medical_share")
    assert [lag.name for lag in share.laggards] == ["示例长宁区虹桥颐养院（虚构）"]
    signed = next(s for s in rollup.shares if s.metric == "care_signed_share")
    assert [lag.name for lag in signed.laggards] == ["示例长宁区虹桥颐养院（虚构）"]
    text = invoke(["check", county], 0).stdout
    assert "辖区机构名册：3 家" in text and "拉低：示例长宁区虹桥颐养院（虚构）" in text
    data = json.loads(invoke(["check", county, "--format", "json"], 0).stdout)
    assert data["rollup"]["indicators"][0]["derived"] == 3


def test_stated_indicators_win_and_sample_county_stays_eligible() -> None:
    checked = check_application(REGIONS / "07-xiuning-county.yaml")
    assert checked.result.eligible
    assert checked.rollup is not None
    used = {i.name: i.used for i in checked.rollup.indicators}
    assert set(used.values()) == {"stated"}
    assert any("名册可能不完整" in note for note in checked.rollup.notes)


def test_nursing_bed_laggards_are_below_the_roster_share(work: Path) -> None:
    county = work / "regions" / "roster-county.yaml"
    county.write_text(COUNTY, encoding="utf-8")
    rollup = check_application(county).rollup
    assert rollup is not None
    share = next(s for s in rollup.shares if s.metric == "region_nursing_bed_share")
    assert share.derived is not None
    members = {m.name: m for m in rollup.members}
    for laggard in share.laggards:
        member = members[laggard.name]
        assert 100 * member.nursing_beds / member.beds < share.derived


def test_broken_roster_entries_are_located(work: Path) -> None:
    county = work / "regions" / "roster-county.yaml"
    text = COUNTY + "  - file: ../institutions/missing.yaml\n  - file: /etc/passwd\n  - file: 07-xiuning-county.yaml\n"
    county.write_text(text, encoding="utf-8")
    err = invoke(["check", county], 2).stderr
    assert "roster-county.yaml:17:" in err and "roster.3.file" in err and "文件有 1 处错误" in err
    assert "missing.yaml" in err and "文件不存在" in err
    assert "roster.4.file" in err and "须相对于县申报文件" in err
    assert "roster.5.file" in err and "名册应指向示范机构申报文件" in err


def _stated(county: str, **values: int) -> str:
    lines = "".join(f"  {name}: {value}\n" for name, value in values.items())
    return county.replace("indicators:\n", "indicators:\n" + lines, 1)


@pytest.mark.parametrize(
    ("stated_total", "complete"),
    [(3, True), (4, False), (2, False)],
)
def test_a_complete_roster_outweighs_a_contradicting_stated_indicator(
    work: Path, stated_total: int, complete: bool
) -> None:
    # The roster holds 3 elderly-care institutions, 2 of them providing medical services.
    county = work / "regions" / "roster-county.yaml"
    county.write_text(
        _stated(COUNTY, care_institutions=stated_total, care_providing_medical=stated_total), encoding="utf-8"
    )
    checked = check_application(county)
    rollup = checked.rollup
    assert rollup is not None and rollup.complete is complete
    used = {i.name: i.used for i in rollup.indicators}
    d1 = next(c for c in checked.result.criteria if c.id == "D1")
    if complete:
        assert used["care_providing_medical"] == "derived" and used["care_institutions"] == "stated"
        assert d1.status.value == "fail"
        assert "能提供医疗卫生服务的养老机构数申报数 3 与名册汇总 2 不一致，按名册计" in d1.observed
        assert any("按名册计" in note for note in rollup.notes)
    else:
        assert used["care_providing_medical"] == "stated" and d1.status.value != "fail"
        assert "按名册计" not in d1.observed
        assert any("名册可能不完整" in note for note in rollup.notes)


def test_a_complete_roster_that_agrees_keeps_the_stated_figures(work: Path) -> None:
    county = work / "regions" / "roster-county.yaml"
    county.write_text(_stated(COUNTY, care_institutions=3, care_providing_medical=2), encoding="utf-8")
    checked = check_application(county)
    assert checked.rollup is not None and checked.rollup.complete
    assert {i.name: i.used for i in checked.rollup.indicators}["care_providing_medical"] == "stated"
    d1 = next(c for c in checked.result.criteria if c.id == "D1")
    assert "按名册计" not in d1.observed and "由名册汇总" not in d1.observed


def test_sample_county_with_a_complete_roster_is_scored_on_the_roster() -> None:
    checked = check_application(APPLICATIONS / "anhui" / "19-jixi-complete-roster.yaml")
    assert checked.rollup is not None and checked.rollup.complete
    by_id = {c.id: c for c in checked.result.criteria}
    assert by_id["AHR2"].status.value == "fail"
    assert "与医疗机构签约的养老机构数申报数 3 与名册汇总 2 不一致，按名册计" in by_id["AHR2"].observed
    assert by_id["AHR1"].status.value == "fail" and "按名册计" in by_id["AHR1"].observed
