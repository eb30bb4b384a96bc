"""The shipped criteria library: every criterion traceable and exercised by the sample applications.

The meta-test evaluates every sample application under every shipped rubric of its kind and
requires, for each criterion, one sample that passes it (符合) and one that fails it (不符合 or
部分符合: points lost). A criterion no sample can fail is untested; one no sample can pass may be
impossible to meet. New criteria therefore come with samples under ``applications/``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import APPLICATIONS, ROOT, invoke
from shifan.evaluate import EvaluationResult, evaluate
from shifan.evaluate.compare import evaluate_under
from shifan.evaluate.rollup import roll_up
from shifan.load.application import LoadedApplication, load_application
from shifan.load.rubric import load_rubric, shipped_rubric_ids
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import Status

SEEDS = Path(os.environ.get("SHIFAN_SEEDS", ROOT.parent / "shared" / "seeds"))
FAILED = {Status.FAIL, Status.PARTIAL}


@cache
def rubrics() -> dict[str, Rubric]:
    return {rubric_id: load_rubric(rubric_id) for rubric_id in shipped_rubric_ids()}


@cache
def samples() -> list[LoadedApplication]:
    found = []
    for path in sorted(APPLICATIONS.rglob("*.yaml")):
        if "evidence" in path.parts:
            continue
        kind = YAML(typ="safe").load(path.read_text(encoding="utf-8")).get("kind")
        if kind in ("institution", "region"):
            found.append(load_application(path))
    return found


@cache
def results(rubric_id: str) -> list[tuple[str, EvaluationResult]]:
    rubric = rubrics()[rubric_id]
    return [
        (loaded.path.stem, evaluate_under(loaded, rubric, None, roll_up(loaded)))
        for loaded in samples()
        if loaded.app.kind == rubric.subject
    ]


def test_library_has_the_rubrics_users_need() -> None:
    assert set(rubrics()) >= {
        "national/institution",
        "national/region",
        "anhui/institution",
        "anhui/centre",
        "anhui/region",
        "shanghai/changning",
    }


@pytest.mark.parametrize("rubric_id", shipped_rubric_ids())
def test_every_criterion_passed_and_failed_by_a_sample(rubric_id: str) -> None:
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"pass": [], "fail": []})
    for name, result in results(rubric_id):
        for criterion in result.criteria:
            if criterion.status is Status.PASS:
                seen[criterion.id]["pass"].append(name)
            elif criterion.status in FAILED:
                seen[criterion.id]["fail"].append(name)
    missing = [
        f"{c.id} {c.title}："
        + "、".join(word for word, key in (("无符合的示例", "pass"), ("无不符合的示例", "fail")) if not seen[c.id][key])
        for _, c in rubrics()[rubric_id].criteria()
        if not seen[c.id]["pass"] or not seen[c.id]["fail"]
    ]
    assert not missing, f"{rubric_id}: criteria not exercised by the samples:\n" + "\n".join(missing)


@pytest.mark.parametrize("rubric_id", shipped_rubric_ids())
def test_every_parameter_is_sourced(rubric_id: str) -> None:
    rubric = rubrics()[rubric_id]
    documents = {d.id: d for d in rubric.sources}
    for name, param in rubric.parameters.items():
        assert param.status in ("quoted", "default", "interpretation"), name
        assert param.source.document in documents, f"{name}: undefined source document {param.source.document}"
        assert param.source.clause, f"{name}: no clause"
        assert param.unit, f"{name}: no unit"
        if param.status == "interpretation":
            assert param.note, f"{name}: an interpretation must say what the source addresses instead"
        if param.status in ("quoted", "interpretation"):
            assert param.source.quote, f"{name}: a quoted number needs the quote"
            assert documents[param.source.document].seed, f"{name}: quoted from a document not in the seeds"
        elif param.source.document != "shifan":
            assert param.note, f"{name}: a default standing in for a lost number must say why it was chosen"


@pytest.mark.parametrize("rubric_id", shipped_rubric_ids())
def test_every_criterion_is_sourced(rubric_id: str) -> None:
    rubric = rubrics()[rubric_id]
    documents = {d.id for d in rubric.sources}
    for _, criterion in rubric.criteria():
        assert criterion.source.document in documents, criterion.id
        assert criterion.source.clause, criterion.id
        assert criterion.source.quote, f"{criterion.id}: no quote from the source"
    for priority in rubric.priorities:
        assert priority.source.document in documents, priority.id


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source documents (seeds) not available")
@pytest.mark.parametrize("rubric_id", shipped_rubric_ids())
def test_quotes_appear_verbatim_in_the_seeds(rubric_id: str) -> None:
    rubric = rubrics()[rubric_id]
    seeds = {d.id: d.seed for d in rubric.sources if d.seed}
    refs = [(f"parameter {n}", p.source) for n, p in rubric.parameters.items()]
    refs += [(f"criterion {c.id}", c.source) for _, c in rubric.criteria()]
    refs += [(f"priority {p.id}", p.source) for p in rubric.priorities]
    for label, ref in refs:
        if not ref.quote or ref.document not in seeds:
            continue
        text = _normalise((SEEDS / seeds[ref.document]).read_text(encoding="utf-8"))
        assert _normalise(ref.quote) in text, f"{rubric_id} {label}: quote not found in {seeds[ref.document]}"


@pytest.mark.parametrize("rubric_id", shipped_rubric_ids())
def test_scores_add_up(rubric_id: str) -> None:
    rubric = rubrics()[rubric_id]
    assert rubric.max_score == pytest.approx(100)
    for _, criterion in rubric.criteria():
        if criterion.gate:
            assert criterion.points == 0, criterion.id
    for section in rubric.sections:
        assert section.note, f"{rubric_id} section {section.id}: explain the allocation in its note"
    assert rubric.grades and rubric.description


@pytest.mark.parametrize("rubric_id", [r for r in shipped_rubric_ids() if load_rubric(r).subject == "institution"])
def test_institution_rubrics_rank_by_priorities(rubric_id: str) -> None:
    titles = {p.title for p in rubrics()[rubric_id].priorities}
    assert {"护理院", "具有中医药特色", "服务失能老年人较多", "农村医养结合", "发挥辐射带动作用"} <= titles


def test_national_defaults_are_the_lost_numbers() -> None:
    rubric = rubrics()["national/institution"]
    for name in (
        "operating_years_min",
        "incident_window_years",
        "occupancy_min",
        "disabled_share_min",
        "satisfaction_min",
    ):
        assert rubric.parameters[name].status == "default", name
    assert rubrics()["national/region"].parameters["care_medical_share_min"].status == "quoted"


def test_anhui_and_changning_numbers_are_quoted() -> None:
    anhui = rubrics()["anhui/institution"]
    assert [anhui.parameters[n].value for n in ("nursing_bed_share_2023", "nursing_bed_share_2025")] == [52, 55]
    for name in ("drills_per_half_year", "safety_training_per_quarter"):
        assert anhui.parameters[name].status == "quoted", name
    # a city-wide average applied to one institution is an interpretation, not a quote
    assert anhui.parameters["nursing_bed_share_2025"].status == "interpretation"
    region = rubrics()["anhui/region"]
    assert region.parameters["health_management_min"].value == 65
    assert region.parameters["signing_share_2025"].status == "interpretation"  # Guangde's own target
    guangde = rubrics()["anhui/guangde"]
    assert guangde.parameters["health_management_min"].value == 65  # a local target never lowers D3
    assert guangde.parameters["guangde_health_management_min"].value == 63
    assert guangde.parameters["signing_share_2025"].status == "quoted"
    changning = rubrics()["shanghai/changning"]
    assert all(
        changning.parameters[n].status == "quoted" for n in ("internal_clinic_bed_threshold", "clinic_nurses_min")
    )


# ---------------------------------------------------------------------------------------------
# Samples 09-19: what each one demonstrates (samples 01-08 are covered by test_cli_samples.py)

SAMPLES = {
    "institutions/09-qingxi-township-new": (1, "ineligible", {"A2": "fail", "F2": "fail", "F3": "fail", "G2": "fail"}),
    "institutions/10-huaxi-larger-fire": (
        1,
        "ineligible",
        {"A4": "fail", "A5": "fail", "A7": "fail", "D2": "fail", "G1": "partial"},
    ),
    "institutions/11-yiyang-active-seniors": (
        0,
        "eligible",
        {"B2": "fail", "B4": "fail", "C3": "fail", "C4": "fail", "E5": "fail", "E1": "partial"},
    ),
    "anhui/12-xinan-nursing-beds": (0, "eligible", {"AH1": "fail", "AH2": "fail", "G2": "fail", "B1": "pass"}),
    "anhui/13-taiping-centre": (0, "eligible", {"AHC1": "pass", "AHC2": "pass", "AH1": "pass", "G2": "pass"}),
    "shanghai/14-xinhua-new-clinic": (1, "ineligible", {"SH1": "pass", "SH2": "fail", "SH3": "pass", "A2": "fail"}),
    "shanghai/15-jiangsu-road-small-home": (
        1,
        "ineligible",
        {"A1": "fail", "SH1": "not_applicable", "SH2": "not_applicable", "SH3": "pass"},
    ),
    "shanghai/16-tianshan-eligible": (
        0,
        "eligible",
        {"SH1": "pass", "SH2": "pass", "SH3": "pass"},
    ),
    "anhui/17-qimen-county": (
        0,
        "eligible",
        {
            "AHR1": "pass",
            "AHR2": "pass",
            "AHR3": "pass",
            "AHR4": "pass",
            "AHR5": "pass",
            "AHR6": "pass",
            "AHR7": "pass",
        },
    ),
    "anhui/18-yixian-county": (
        0,
        "eligible",
        {"AHR1": "fail", "AHR2": "fail", "AHR3": "fail", "AHR4": "fail", "AHR6": "fail", "C1": "partial", "F1": "fail"},
    ),
    # a complete roster: the county's signed count and nursing beds contradict it, the roster counts
    "anhui/19-jixi-complete-roster": (0, "eligible", {"AHR1": "fail", "AHR2": "fail", "AHR3": "pass", "D1": "pass"}),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_new_samples_show_what_they_document(name: str) -> None:
    code, verdict, statuses = SAMPLES[name]
    data = json.loads(invoke(["check", APPLICATIONS / f"{name}.yaml", "--format", "json"], code).stdout)
    assert data["verdict"] == verdict
    by_id = {c["id"]: c["status"] for c in data["criteria"]}
    assert {k: by_id.get(k) for k in statuses} == statuses


def test_perfect_samples_score_full_marks() -> None:
    for name in ("anhui/13-taiping-centre", "shanghai/16-tianshan-eligible", "anhui/17-qimen-county"):
        data = json.loads(invoke(["check", APPLICATIONS / f"{name}.yaml", "--format", "json"], 0).stdout)
        assert data["score"] == 100, name


# ---------------------------------------------------------------------------------------------
# Year-dependent targets: the one in force for the evaluation year applies


def _loaded(name: str) -> LoadedApplication:
    return load_application(APPLICATIONS / f"{name}.yaml")


def _status(result: EvaluationResult, criterion_id: str) -> Status:
    return next(c.status for c in result.criteria if c.id == criterion_id)


def test_nursing_bed_target_follows_the_evaluation_year() -> None:
    loaded = _loaded("anhui/13-taiping-centre")
    app = loaded.app.model_copy(update={"beds": loaded.app.beds.model_copy(update={"nursing_type": 32})})  # 53.3%
    rubric = rubrics()["anhui/institution"]
    assert _status(evaluate(app, rubric, dt.date(2025, 12, 31)), "AH1") is Status.FAIL  # 55% in force
    assert _status(evaluate(app, rubric, dt.date(2024, 12, 31)), "AH1") is Status.PASS  # 52% still in force
    assert _status(evaluate(app, rubric, dt.date(2022, 12, 31)), "AH1") is Status.NOT_APPLICABLE
    result = evaluate(app, rubric, dt.date(2024, 12, 31))
    reason = next(c.reason for c in result.criteria if c.id == "AH1")
    assert "2024年适用" in reason and "52%" in reason


def test_signing_rate_target_steps_up_in_2025() -> None:
    loaded = _loaded("regions/07-xiuning-county")
    # 22 / 23 = 95.7%; statistics without a date, so that earlier evaluation dates can use them
    indicators = loaded.app.indicators.model_copy(update={"care_signed_medical": 22, "date": None})
    app = loaded.app.model_copy(update={"indicators": indicators})
    rubric = rubrics()["anhui/region"]
    assert _status(evaluate(app, rubric, dt.date(2025, 12, 31)), "AHR2") is Status.FAIL
    assert _status(evaluate(app, rubric, dt.date(2024, 12, 31)), "AHR2") is Status.PASS
    assert _status(evaluate(app, rubric, dt.date(2023, 12, 31)), "AHR2") is Status.NOT_APPLICABLE


def test_as_of_on_the_command_line_changes_the_target() -> None:
    sample = APPLICATIONS / "anhui/12-xinan-nursing-beds.yaml"
    later = json.loads(invoke(["check", sample, "--format", "json"], 0).stdout)
    ah1 = next(c for c in later["criteria"] if c["id"] == "AH1")
    assert "55%" in ah1["expected"]
    assert {p["name"] for p in ah1["parameters"]} >= {"nursing_bed_share_2023", "nursing_bed_share_2025"}


def test_changning_rules_apply_to_the_institutions_they_address() -> None:
    rubric = rubrics()["shanghai/changning"]
    criteria = {c.id: c for _, c in rubric.criteria()}
    assert "SH4" not in criteria  # "运营3个月后即可申请医保定点" is a permission, not a condition
    assert not criteria["SH3"].gate and criteria["SH3"].points > 0  # "原则上每周" binds the health centre
    nursing_home = evaluate_under(_loaded("institutions/01-kangning-eligible"), rubric)
    assert _status(nursing_home, "SH1") is Status.NOT_APPLICABLE  # a 护理院 is a medical institution
    assert _status(nursing_home, "SH2") is Status.NOT_APPLICABLE  # a 护理院 is not a 医务室
    hospital = _loaded("institutions/05-jiankang-missing-evidence")  # 医疗机构开展养老服务, 200 beds
    assert _status(evaluate_under(hospital, rubric), "SH1") is Status.NOT_APPLICABLE
    monthly = evaluate_under(_loaded("institutions/06-changning-no-clinic"), rubric)
    assert _status(monthly, "SH3") is Status.FAIL and "SH3" not in monthly.failed_gates


def test_signing_rate_deadline_is_the_year_end() -> None:
    rubric = rubrics()["anhui/region"]
    app = _loaded("anhui/18-yixian-county").app  # 86.7%
    early = evaluate(app, rubric, dt.date(2025, 3, 31))
    reason = next(c.reason for c in early.criteria if c.id == "AHR2")
    assert "95%" in reason and "2024年底起" in reason  # the end-2024 target, not the end-2025 one
    assert _status(evaluate(app, rubric, dt.date(2024, 12, 30)), "AHR2") is Status.NOT_APPLICABLE


def test_joint_inspection_is_a_county_duty() -> None:
    assert "AH3" not in {c.id for _, c in rubrics()["anhui/institution"].criteria()}
    region = {c.id: c for _, c in rubrics()["anhui/region"].criteria()}
    assert region["AHR6"].points == 2 and region["E1"].points == 8


def test_criteria_show_prints_provenance_and_priorities() -> None:
    shown = invoke(["criteria", "show", "anhui/institution"], 0).stdout
    assert "AH1" in shown and "2023年起不低于52%，2025年起不低于55%" in shown
    assert "继承链：national/institution → anhui/institution" in shown
    assert "优先推荐条件" in shown and "护理院" in shown
    assert "默认值，待核对官方原文" in shown


def test_validate_lists_every_shipped_rubric() -> None:
    out = invoke(["criteria", "validate"], 0).stdout
    for rubric_id in shipped_rubric_ids():
        assert f"✔ {rubric_id}" in out


def test_rubric_reference_is_up_to_date() -> None:
    generated = invoke(["criteria", "reference"], 0).stdout
    current = (ROOT / "docs" / "rubric-reference.md").read_text(encoding="utf-8")
    assert generated == current, (
        "docs/rubric-reference.md is stale: run shifan criteria reference -o docs/rubric-reference.md"
    )


def test_county_statistics_dated_after_as_of_are_not_used() -> None:
    app = _loaded("regions/07-xiuning-county").app  # indicators.date 2025-12-31
    result = evaluate(app, rubrics()["national/region"], dt.date(2025, 6, 30))
    d1 = next(c for c in result.criteria if c.id == "D1")
    assert d1.status is Status.INSUFFICIENT and "晚于评价基准日" in d1.reason


def test_requirements_bind_from_the_issue_date_of_their_document() -> None:
    # Guangde's task list was issued 2024-04-10, Changning's plan 2025-01-02.
    app = _loaded("anhui/12-xinan-nursing-beds").app
    before = evaluate(app, rubrics()["anhui/institution"], dt.date(2024, 4, 9))
    ah2 = next(c for c in before.criteria if c.id == "AH2")
    assert ah2.status is Status.NOT_APPLICABLE and "2024-04-10" in ah2.reason
    assert _status(evaluate(app, rubrics()["anhui/institution"], dt.date(2024, 9, 30)), "AH2") is not (
        Status.NOT_APPLICABLE
    )
    clinic = _loaded("shanghai/14-xinhua-new-clinic").app
    rubric = rubrics()["shanghai/changning"]
    assert _status(evaluate(clinic, rubric, dt.date(2025, 1, 1)), "SH2") is Status.NOT_APPLICABLE
    assert _status(evaluate(clinic, rubric, dt.date(2025, 12, 31)), "SH2") is Status.FAIL
