"""Plausibility flags (提示): each fires on a case built for it and stays silent on the eligible samples."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import APPLICATIONS, INSTITUTIONS, REGIONS, invoke
from shifan.evaluate import evaluate
from shifan.evaluate.pipeline import check_application
from shifan.evaluate.result import Flag
from shifan.load.application import load_application
from shifan.load.rubric import load_rubric
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.flags import FLAG_KINDS
from shifan.rules.region import RosterIndicators

SAMPLES = sorted(p for p in APPLICATIONS.glob("*/[0-9]*.yaml") if p.parent.name != "reviews")


def institution(**changes: Any) -> InstitutionApplication:
    app = load_application(INSTITUTIONS / "01-kangning-eligible.yaml").app
    assert isinstance(app, InstitutionApplication)
    return app.model_copy(update=changes)


def flags_of(app: InstitutionApplication | RegionApplication, roster: RosterIndicators | None = None) -> list[Flag]:
    return evaluate(app, load_rubric(f"national/{app.kind}"), roster=roster).flags


def codes(app: InstitutionApplication | RegionApplication, roster: RosterIndicators | None = None) -> list[str]:
    return [f.code for f in flags_of(app, roster)]


def staff_member(base: InstitutionApplication, index: int, **changes: Any) -> Any:
    return base.staff[index].model_copy(update=changes)


#: Eligible samples built to show a flag, with the flags they must raise (and no other).
SHOWCASES = {"19-jixi-complete-roster.yaml": ["roster_mismatch"]}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_eligible_samples_raise_no_flag(path: Path) -> None:
    checked = check_application(path)
    if checked.result.eligible:
        expected = SHOWCASES.get(path.name, [])
        assert [f.code for f in checked.result.flags] == expected, [f.message for f in checked.result.flags]


def test_staff_ratio_150_beds_with_4_staff() -> None:
    base = institution()
    app = institution(staff=base.staff[:4])
    flag = next(f for f in flags_of(app) if f.code == "staff_ratio")
    assert flag.data == {"residents": 150, "staff": 4}
    assert "花名册工作人员 4 人" in flag.message and flag.parameters[0].status == "default"


def test_carer_ratio() -> None:
    base = institution()
    app = institution(staff=[s for s in base.staff if s.role.value not in ("nurse", "caregiver")] + base.staff[-1:])
    assert "carer_ratio" in codes(app)


def test_occupancy_months_outside_the_year() -> None:
    base = institution()
    months = [m.model_copy(update={"month": m.month.replace("2025", "2022")}) for m in base.occupancy]
    flag = next(f for f in flags_of(institution(occupancy=months)) if f.code == "occupancy_window")
    assert "2022-01" in flag.message and flag.data["window"] == "2025-01/2025-12"


def test_residents_assessed_long_before_as_of() -> None:
    residents = institution().residents
    assert residents is not None
    old = residents.model_copy(update={"assessed": dt.date(2023, 6, 30)})
    assert "assessment_age" in codes(institution(residents=old))
    later = residents.model_copy(update={"assessed": dt.date(2026, 3, 1)})
    assert "晚于评价基准日" in next(f.message for f in flags_of(institution(residents=later)))


def test_survey_dated_after_as_of() -> None:
    survey = institution().satisfaction
    assert survey is not None
    assert "survey_date" in codes(institution(satisfaction=survey.model_copy(update={"date": dt.date(2026, 2, 1)})))


def test_placeholder_and_repeated_certificate_numbers() -> None:
    base = institution()
    nurse = next(i for i, s in enumerate(base.staff) if s.role.value == "nurse")
    cert = base.staff[nurse].certificates[0]
    placeholder = staff_member(base, nurse, certificates=[cert.model_copy(update={"number": "待补"})])
    app = institution(staff=[*base.staff[:nurse], placeholder, *base.staff[nurse + 1 :]])
    assert "certificate_placeholder" in codes(app)
    other = next(i for i, s in enumerate(base.staff) if s.role.value == "nurse" and i != nurse)
    copied = staff_member(base, other, certificates=[cert])
    app = institution(staff=[*base.staff[:other], copied, *base.staff[other + 1 :]])
    flag = next(f for f in flags_of(app) if f.code == "certificate_repeated")
    assert cert.number in flag.message


def test_repeated_staff_names() -> None:
    base = institution()
    twin = staff_member(base, 1, name=base.staff[0].name)
    assert "staff_repeated" in codes(institution(staff=[base.staff[0], twin, *base.staff[2:]]))


def test_template_sample_values() -> None:
    flag = next(f for f in flags_of(institution(name="请填写单位全称")) if f.code == "template_value")
    assert "请填写单位全称" in flag.message


def test_county_figures_contradicting_the_roster() -> None:
    app = load_application(REGIONS / "07-xiuning-county.yaml").app
    assert isinstance(app, RegionApplication)
    stated = app.indicators.model_copy(
        update={"care_institutions": 2, "care_providing_medical": 2, "care_signed_medical": 2}
    )
    county = app.model_copy(update={"indicators": stated})
    roster = RosterIndicators(
        care_institutions=3, care_providing_medical=3, care_signed_medical=1, care_beds=100, nursing_type_beds=50
    )
    flag = next(f for f in flags_of(county, roster) if f.code == "roster_mismatch")
    assert "多于县填报的 2" in flag.message
    consistent = RosterIndicators(
        care_institutions=1, care_providing_medical=1, care_signed_medical=1, care_beds=10, nursing_type_beds=5
    )
    assert "roster_mismatch" not in codes(county, consistent)


def test_every_flag_kind_has_a_test() -> None:
    text = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{code}"' in text for code in FLAG_KINDS)


def test_flags_shown_in_check_and_the_review_sheet(tmp_path: Path) -> None:
    assert "合理性提示" in invoke(["check", INSTITUTIONS / "10-huaxi-larger-fire.yaml"], 1).stdout
    sheet = tmp_path / "review.yaml"
    invoke(["review", "init", INSTITUTIONS / "10-huaxi-larger-fire.yaml", "--reviewer", "张三", "-o", sheet], 0)
    assert "合理性提示" in sheet.read_text(encoding="utf-8")


def test_unknown_flag_code_in_a_rubric_is_located(tmp_path: Path) -> None:
    rubric = tmp_path / "r.yaml"
    rubric.write_text(
        "id: extra\ntitle: 示例\nversion: '1'\nextends: national/institution\nflags:\n  - {code: staff_ration}\n",
        encoding="utf-8",
    )
    err = invoke(["criteria", "validate", rubric], 2).stderr
    assert "flags.0.code: 未知的提示编号" in err and "staff_ratio" in err


def test_flags_in_the_batch_summary(tmp_path: Path) -> None:
    source = tmp_path / "in"
    shutil.copytree(INSTITUTIONS / "evidence", source / "evidence")
    shutil.copy(INSTITUTIONS / "10-huaxi-larger-fire.yaml", source / "10.yaml")
    invoke(["batch", source, "-o", tmp_path / "out", "--no-pdf"], 0)
    from test_recommend import read_csv

    rows = read_csv(tmp_path / "out" / "summary.csv")
    assert rows[0]["合理性提示"].startswith("护士和护理员与失能老年人配比偏离标准：")


def test_flags_in_the_word_editions(tmp_path: Path) -> None:
    import docx

    sample = INSTITUTIONS / "10-huaxi-larger-fire.yaml"
    self_report, sheet, review = tmp_path / "self.docx", tmp_path / "review.yaml", tmp_path / "review.docx"
    invoke(["report", "self", sample, "-o", self_report], 0)
    invoke(["review", "init", sample, "--reviewer", "张三", "-o", sheet], 0)
    invoke(["report", "review", sample, sheet, "-o", review], 0)
    for path in (self_report, review):
        document = docx.Document(str(path))
        text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
        assert "合理性提示（不影响得分和结论，请优先核实）" in text and "⚠ 护士和护理员与失能老年人配比偏离标准" in text
