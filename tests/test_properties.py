"""Property-based tests: generated applications never crash the reader or the evaluator.

Valid applications are built from the shipped samples 01 (institution) and 07 (county) with
random, consistent changes; near-valid ones add random damage (keys dropped, renamed or added,
values of the wrong kind, numbers out of range, characters typed into the YAML text). Every
file goes through the real pipeline: written to disk, read, validated, evaluated.
"""

from __future__ import annotations

import atexit
import copy
import datetime as dt
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from shifan.errors import InputError
from shifan.evaluate.pipeline import check_loaded
from shifan.evaluate.result import EvaluationResult
from shifan.load.application import LoadedApplication, load_application
from shifan.load.rubric import load_rubric
from shifan.read.text import VALUE
from shifan.review import load_review
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import (
    Ability,
    ActivityType,
    Commitment,
    Facility,
    IncidentCategory,
    InstitutionCategory,
    RegionMeasure,
    Service,
    Severity,
    Status,
    System,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
INSTITUTION = ROOT / "applications" / "institutions" / "01-kangning-eligible.yaml"
REGION = ROOT / "applications" / "regions" / "07-xiuning-county.yaml"
#: Examples per property; raise it locally (SHIFAN_PROPERTY_EXAMPLES=5000) for a deeper search.
EXAMPLES = int(os.environ.get("SHIFAN_PROPERTY_EXAMPLES", "120"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATUSES = set(Status)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


BASE_INSTITUTION = _load(INSTITUTION)
BASE_REGION = _load(REGION)
BASE_REGION["roster"] = []  # roster files are checked in tests/test_rollup.py
FOUNDED: dt.date = BASE_INSTITUTION["founded"]
ASSESSED: dt.date = BASE_INSTITUTION["assessment_date"]

# One folder with the samples' evidence, shared by every example (hypothesis runs examples in
# sequence; each writes the same file name).
WORK = Path(tempfile.mkdtemp(prefix="shifan-properties-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
for sample in (INSTITUTION, REGION):
    shutil.copytree(sample.parent / "evidence", WORK / "evidence", dirs_exist_ok=True)

RUBRICS: dict[str, Rubric] = {}


def rubric(ref: str) -> Rubric:
    if ref not in RUBRICS:
        RUBRICS[ref] = load_rubric(ref)
    return RUBRICS[ref]


def write(data: dict[str, Any]) -> Path:
    buffer = io.StringIO()
    YAML(typ="safe").dump(data, buffer)
    path = WORK / "app.yaml"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# --- strategies -----------------------------------------------------------------------------------


def values(enum: type[Enum]) -> list[str]:
    return [str(member.value) for member in enum]


def subset(items: list[Any]) -> st.SearchStrategy[list[Any]]:
    """Some of ``items`` (copies), in their original order."""
    picks = st.sets(st.integers(0, len(items) - 1), max_size=len(items)) if items else st.just(set())
    return picks.map(lambda chosen: [copy.deepcopy(items[i]) for i in sorted(chosen)])


def between(start: dt.date, end: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=start, max_value=end)


text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), min_size=1, max_size=30)
    .filter(str.strip)
    .filter(lambda value: not VALUE.search(value))
)
#: Characters refused in every text field: controls, bidi overrides, invisible and zero-width
#: characters, noncharacters, line and paragraph separators.
hostile_char = st.sampled_from(
    [
        *"\x00\x01\x07\x1b\x7f\x85\x9b",
        "\r",
        *"\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u3164\u115f",
        *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c",
        *"\ufffe\uffff\ufdd0\u2028\u2029",
    ]
)


@st.composite
def institutions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid institution application: sample 01 with random, mutually consistent changes."""
    app = copy.deepcopy(BASE_INSTITUTION)
    app["category"] = draw(st.sampled_from(values(InstitutionCategory)))
    approved = draw(st.integers(0, 400))
    operating = draw(st.integers(0, approved))
    app["beds"] = {"approved": approved, "operating": operating, "nursing_type": draw(st.integers(0, approved))}
    months = draw(subset([f"2025-{m:02d}" for m in range(1, 13)]))
    occupied = st.floats(0, operating, allow_nan=False)
    app["occupancy"] = [{"month": m, "occupied": draw(occupied)} for m in sorted(months)]
    if draw(st.booleans()):
        total = draw(st.integers(0, operating))
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=4, max_size=4)))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        by_ability = dict(zip(values(Ability), parts, strict=True))
        app["residents"] = {
            "total": total,
            "by_ability": by_ability,
            "dementia_intact": draw(st.integers(0, by_ability["intact"])),
            "assessed": draw(between(FOUNDED, ASSESSED)),
        }
    else:
        app.pop("residents")
    app["staff"] = [member | {"trained": draw(st.booleans())} for member in draw(subset(BASE_INSTITUTION["staff"]))]
    for member in app["staff"]:
        if draw(st.booleans()):
            member.pop("certificates", None)
    app["incidents"] = [
        {
            "date": draw(between(FOUNDED, ASSESSED)),
            "category": draw(st.sampled_from(values(IncidentCategory))),
            "severity": draw(st.sampled_from(values(Severity))),
            "summary": draw(text),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    app["activities"] = [
        {"date": draw(between(FOUNDED, ASSESSED)), "type": draw(st.sampled_from(values(ActivityType)))}
        for _ in range(draw(st.integers(0, 6)))
    ]
    app["agreements"] = draw(subset(BASE_INSTITUTION["agreements"]))
    app["services"] = draw(subset(values(Service)))
    app["systems"] = draw(subset(values(System)))
    app["facilities"] = draw(subset(values(Facility)))
    app["commitments"] = draw(subset(values(Commitment)))
    if draw(st.booleans()):
        surveyed = draw(st.integers(0, 500))
        app["satisfaction"] = {
            "surveyed": surveyed,
            "satisfied": draw(st.integers(0, surveyed)),
            "date": draw(between(FOUNDED, ASSESSED)),
        }
    else:
        app.pop("satisfaction")
    quals = app["qualifications"]
    for key in ("medical_licence", "elderly_care_filing", "operation_start", "insurance_designated"):
        if draw(st.booleans()):
            quals.pop(key)
    quals["internal_medical_institution"] = draw(st.booleans())
    features = app["features"]
    for key in ("tcm", "rural", "transformed", "radiating"):
        features[key] = draw(st.booleans())
    app["self_scores"] = {"F3": draw(st.floats(0, 3, allow_nan=False))} if draw(st.booleans()) else {}
    app["attachments"] = draw(subset(BASE_INSTITUTION["attachments"]))
    return app


@st.composite
def regions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid county application: sample 07 with random indicators and measures."""
    app = copy.deepcopy(BASE_REGION)
    app["measures"] = draw(subset(values(RegionMeasure)))
    indicators: dict[str, Any] = {}
    pairs = {
        "care_institutions": ["care_providing_medical", "care_signed_medical"],
        "care_beds": ["nursing_type_beds"],
        "level2_general_hospitals": ["with_geriatrics"],
        "population_65": ["health_managed_65", "tcm_managed_65"],
        "key_population": ["key_population_signed"],
    }
    for whole, parts in pairs.items():
        if draw(st.booleans()):
            indicators[whole] = draw(st.integers(0, 100_000))
            for part in parts:
                if draw(st.booleans()):
                    indicators[part] = draw(st.integers(0, indicators[whole]))
    if draw(st.booleans()):
        indicators["home_hospital_beds"] = draw(st.integers(0, 1000))
    app["indicators"] = indicators
    app["incidents"] = [
        {
            "date": draw(between(dt.date(2020, 1, 1), app["assessment_date"])),
            "category": draw(st.sampled_from(values(IncidentCategory))),
            "severity": draw(st.sampled_from(values(Severity))),
            "summary": draw(text),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    app["attachments"] = draw(subset(BASE_REGION["attachments"]))
    return app


INSTITUTION_RUBRICS = ["national/institution", "anhui/institution", "shanghai/changning"]
AS_OF = st.one_of(st.none(), between(dt.date(2024, 1, 1), dt.date(2028, 12, 31)))


def leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path in the data, containers included."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*path, index)
            yield from leaves(value, (*path, index))


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.dates(),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.sampled_from(["a", "kind", "id", "名称"]), st.integers(-5, 5), max_size=2),
)


@st.composite
def damaged(draw: st.DrawFn, valid: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A valid application with one to three random injuries."""
    app = draw(valid)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(leaves(app))))
        parent = app
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["drop", "replace", "rename", "add"]))
        if action == "drop":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(junk)
        elif action == "rename" and isinstance(parent, dict):
            parent[str(last) + draw(st.sampled_from(["_", "s", "x"]))] = parent.pop(last)
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["unknown", "备注", "extra"]))] = draw(junk)
    return app


# --- invariants -------------------------------------------------------------------------------------


def check_invariants(result: EvaluationResult) -> None:
    for criterion in result.criteria:
        assert criterion.status in STATUSES
        assert criterion.status is not Status.ERROR, (criterion.id, criterion.reason)
        assert 0 <= criterion.points <= criterion.max_points + 1e-9, criterion.id
        if criterion.gate:
            assert criterion.points == 0
    gates = [c for c in result.criteria if c.gate]
    unmet = {c.id for c in gates if c.status not in (Status.PASS, Status.NOT_APPLICABLE)}
    assert result.eligible == (not unmet)
    assert set(result.failed_gates) == unmet
    assert 0 <= result.score <= result.max_score + 1e-9
    assert 0 <= result.normalized_score <= result.rubric_max_score + 1e-9
    for section in result.sections:
        assert 0 <= section.score <= section.max_score + 1e-9


def assert_located(error: InputError, path: Path) -> None:
    """Every problem names a file and a message; a line, when given, is one of the file's."""
    assert error.problems
    lines = path.read_bytes().count(b"\n") + 1
    for problem in error.problems:
        assert problem.file and problem.message
        assert problem.line is None or 1 <= problem.line <= lines, problem


def evaluate_twice(loaded: LoadedApplication, ref: str, as_of: dt.date | None) -> EvaluationResult:
    first = check_loaded(loaded, rubric(ref), as_of).result
    second = check_loaded(load_application(loaded.path), rubric(ref), as_of).result
    assert first.model_dump() == second.model_dump()  # the same input gives the same result
    return first


# --- properties -------------------------------------------------------------------------------------


@SETTINGS
@given(app=institutions(), ref=st.sampled_from(INSTITUTION_RUBRICS), as_of=AS_OF)
def test_valid_institutions_evaluate(app: dict[str, Any], ref: str, as_of: dt.date | None) -> None:
    loaded = load_application(write(app))
    check_invariants(evaluate_twice(loaded, ref, as_of))


@SETTINGS
@given(app=regions(), as_of=AS_OF)
def test_valid_regions_evaluate(app: dict[str, Any], as_of: dt.date | None) -> None:
    loaded = load_application(write(app))
    check_invariants(evaluate_twice(loaded, "national/region", as_of))


@SETTINGS
@given(app=st.one_of(damaged(institutions()), damaged(regions())), as_of=AS_OF)
def test_damaged_applications_load_or_raise_input_error(app: dict[str, Any], as_of: dt.date | None) -> None:
    path = write(app)
    try:
        loaded = load_application(path)
        result = check_loaded(loaded, rubric(f"national/{loaded.app.kind}"), as_of).result
    except InputError as error:
        assert_located(error, path)
        event("refused")
        return
    event("loaded")
    check_invariants(result)


TYPED = st.sampled_from(
    ["\t", ":", ": ", "- ", "[", "]", "{", "}", "&a", "*a", "!", "!!str ", "'", '"', "#", "\n", "\x00", "\ufeff"]
)


@SETTINGS
@given(data=st.data())
def test_damaged_text_loads_or_raises_input_error(data: st.DataObject) -> None:
    """Characters typed anywhere in the file, or bytes that are not UTF-8."""
    text = INSTITUTION.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:at] + data.draw(TYPED) + text[at:]
        else:
            text = text[:at] + text[at + data.draw(st.integers(1, 20)) :]
    raw = text.encode("utf-8")
    if data.draw(st.integers(0, 5)) == 0:  # bytes that are not UTF-8, between two characters
        at = len(text[: data.draw(st.integers(0, len(text)))].encode("utf-8"))
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=3)) + raw[at:]
    path = WORK / "app.yaml"
    path.write_bytes(raw)
    try:
        load_application(path)
        event("loaded")
    except InputError as error:
        assert_located(error, path)
        event("refused: " + error.problems[0].message.split("（")[0][:12])


def text_leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path to a text value."""
    if isinstance(data, str):
        yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from text_leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from text_leaves(value, (*path, index))


@SETTINGS
@given(st.data())
def test_hostile_characters_in_any_text_field_are_refused_with_a_position(data: st.DataObject) -> None:
    app = data.draw(st.sampled_from([BASE_INSTITUTION, BASE_REGION]))
    app = copy.deepcopy(app)
    path = data.draw(st.sampled_from(list(text_leaves(app))))
    parent = app
    for part in path[:-1]:
        parent = parent[part]
    value = parent[path[-1]]
    at = data.draw(st.integers(0, len(value)))
    char = data.draw(hostile_char)
    event(f"U+{ord(char):04X}")
    parent[path[-1]] = value[:at] + char + value[at:]
    written = write(app)
    with pytest.raises(InputError) as error:
        load_application(written)
    assert_located(error.value, written)
    assert all(problem.line is not None for problem in error.value.problems)
    # written as a YAML escape, a control character in a path reads as a Windows backslash path,
    # which is explained as such on its line
    explained = (f"U+{ord(char):04X}", "一行", "路径请用 /")
    assert any(any(word in problem.message for word in explained) for problem in error.value.problems)


BASE_REVIEW = _load(ROOT / "tests" / "bad_inputs" / "reviews" / "valid-review.yaml")


@SETTINGS
@given(st.data())
def test_hostile_characters_in_any_review_text_are_refused_with_a_position(data: st.DataObject) -> None:
    review = copy.deepcopy(BASE_REVIEW)
    path = data.draw(st.sampled_from(list(text_leaves(review))))
    parent = review
    for part in path[:-1]:
        parent = parent[part]
    value = parent[path[-1]]
    at = data.draw(st.integers(0, len(value)))
    parent[path[-1]] = value[:at] + data.draw(hostile_char) + value[at:]
    buffer = io.StringIO()
    YAML(typ="safe").dump(review, buffer)
    written = WORK / "review.yaml"
    written.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_review(written)
    assert_located(error.value, written)
    assert all(problem.line is not None for problem in error.value.problems)
