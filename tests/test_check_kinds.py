"""Data-driven cases for every check kind: tests/check_cases/<kind>.yaml.

Each case patches the eligible sample application (dicts merge, lists replace), evaluates one check
with the given parameters and asserts the status (and, when given, points, value or reason text).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from ruamel.yaml import YAML

from shifan.evaluate.engine import points_for
from shifan.rules.application import Application
from shifan.rules.checks import REGISTRY, CheckSpec, Context
from shifan.rules.params import Parameter
from shifan.rules.vocab import Status

CASES_DIR = Path(__file__).parent / "check_cases"
BASE_APP = Path(__file__).parent.parent / "applications" / "institutions" / "01-kangning-eligible.yaml"
REGION_APP = Path(__file__).parent.parent / "applications" / "regions" / "07-xiuning-county.yaml"
yaml = YAML(typ="safe")


def merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        result = dict(base)
        for key, value in patch.items():
            if value == "__delete__":
                result.pop(key, None)
            else:
                result[key] = merge(base.get(key), value)
        return result
    return copy.deepcopy(patch)


def load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.load(path.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            params.append(pytest.param(path.stem, spec, case, id=f"{path.stem}:{case['name']}"))
    return params


def parameters(spec: dict[str, Any], case: dict[str, Any]) -> dict[str, Parameter]:
    merged = {**spec.get("params", {}), **case.get("params", {})}
    return {
        name: Parameter(
            title=name, value=value[0], unit=value[1], status="default", source={"document": "test", "clause": "test"}
        )
        for name, value in merged.items()
    }


@pytest.mark.parametrize(("kind", "spec", "case"), load_cases())
def test_case(kind: str, spec: dict[str, Any], case: dict[str, Any]) -> None:
    subject = case.get("subject", spec.get("subject", "institution"))
    base_file = REGION_APP if subject == "region" else BASE_APP
    data = merge(yaml.load(base_file.read_text(encoding="utf-8")), case.get("app", {}))
    data.pop("attachments", None)
    app = TypeAdapter(Application).validate_python(data)
    check = TypeAdapter(CheckSpec).validate_python(case.get("check", spec.get("check")))
    as_of = case.get("as_of", spec.get("as_of", dt.date(2025, 12, 31)))
    max_points = float(case.get("max_points", spec.get("max_points", 10)))
    ctx = Context(app, as_of, parameters(spec, case), case.get("criterion", spec.get("criterion", "X1")), max_points)
    outcome = check.evaluate(ctx)
    assert outcome.status == Status(case["status"]), outcome
    if "points" in case:
        assert points_for(outcome, max_points) == pytest.approx(case["points"])
    if "value" in case:
        assert outcome.value == pytest.approx(case["value"])
    for text in case.get("reason_contains", []):
        assert text in outcome.reason + "".join(outcome.details), (text, outcome)


def test_every_kind_has_cases_and_examples() -> None:
    files = {p.stem for p in CASES_DIR.glob("*.yaml")}
    assert set(REGISTRY) <= files, f"check kinds without cases: {sorted(set(REGISTRY) - files)}"
    for kind, cls in REGISTRY.items():
        statuses = {c["status"] for c in yaml.load((CASES_DIR / f"{kind}.yaml").read_text(encoding="utf-8"))["cases"]}
        assert {"pass", "fail"} <= statuses, f"{kind}: needs a passing and a failing case, has {statuses}"
        doc = cls.__doc__ or ""
        assert "Passes" in doc and "Fails" in doc, f"{kind}: docstring lacks a passing and a failing example"
