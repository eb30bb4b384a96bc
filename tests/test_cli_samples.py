"""Every shipped sample through the command line: exit codes, verdicts and the telling statuses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import INSTITUTIONS, REGIONS, invoke
from shifan.formatting import format_number
from shifan.rules.vocab import Status, Verdict

EXPECTED = {
    "01-kangning-eligible": (0, {"A1": "pass", "A7": "pass", "B1": "pass", "C1": "pass", "G2": "pass"}),
    "02-ankang-low-occupancy": (0, {"B1": "fail", "A1": "pass"}),
    "03-fushou-major-incident": (1, {"A3": "fail", "A7": "pass", "B1": "pass"}),
    "04-renhe-uncertified-staff": (1, {"A6": "fail", "C1": "fail", "A1": "pass"}),
    "05-jiankang-missing-evidence": (
        1,
        {"A1": "insufficient_evidence", "B1": "insufficient_evidence", "B3": "insufficient_evidence"},
    ),
    "06-changning-no-clinic": (1, {"SH1": "fail", "SH2": "not_applicable", "SH3": "fail", "A1": "fail"}),
    "07-xiuning-county": (0, {"A1": "pass", "A2": "pass", "D1": "pass", "D2": "pass"}),
    "08-shexian-county": (1, {"A1": "fail", "A2": "fail", "D1": "fail", "D2": "fail"}),
}


def _path(name: str) -> Path:
    folder = REGIONS if name.startswith(("07", "08")) else INSTITUTIONS
    return folder / f"{name}.yaml"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_json(name: str) -> None:
    code, statuses = EXPECTED[name]
    result = invoke(["check", _path(name), "--format", "json"], code)
    data = json.loads(result.stdout)
    by_id = {c["id"]: c for c in data["criteria"]}
    for criterion_id, status in statuses.items():
        assert by_id[criterion_id]["status"] == status, (criterion_id, by_id[criterion_id])
    assert data["eligible"] is (code == 0)
    for key in ("applicant", "rubric", "as_of", "score", "max_score", "criteria"):
        assert key in data
    assert len(data["rubric"]["sha256"]) == 64
    for criterion in data["criteria"]:
        assert set(criterion) >= {
            "id",
            "title",
            "status",
            "gate",
            "points",
            "max_points",
            "observed",
            "expected",
            "reason",
        }
        assert 0 <= criterion["points"] <= criterion["max_points"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_text(name: str) -> None:
    code, _ = EXPECTED[name]
    text = invoke(["check", _path(name)], code).stdout
    data = json.loads(invoke(["check", _path(name), "--format", "json"], code).stdout)
    verdict = Verdict(data["verdict"])
    assert f"结论：{verdict.label}" in text
    assert f"得分：{format_number(data['score'])} / {format_number(data['max_score'])}" in text
    for criterion in data["criteria"]:
        if criterion["status"] in ("fail", "insufficient_evidence"):
            rows = [line for line in text.splitlines() if f" {criterion['id']} {criterion['title']} " in line]
            assert any(Status(criterion["status"]).label in row for row in rows), rows


def test_failing_names_are_listed() -> None:
    result = invoke(["check", INSTITUTIONS / "04-renhe-uncertified-staff.yaml"], 1)
    assert "吴护士" in result.stdout and "褚护理员" in result.stdout
    assert "2025-04-30 过期" in result.stdout


def test_defaults_are_flagged() -> None:
    result = invoke(["check", INSTITUTIONS / "01-kangning-eligible.yaml"], 0)
    assert "默认值，待核对官方原文" in result.stdout
    assert "occupancy_min = 60%" in result.stdout


def test_as_of_changes_time_windows() -> None:
    # The major incident of 2024-08-09 leaves the 3-year window by 2027-08-10.
    sample = INSTITUTIONS / "03-fushou-major-incident.yaml"
    later = json.loads(invoke(["check", sample, "--as-of", "2027-08-10", "--format", "json"], 0).stdout)
    gate = next(c for c in later["criteria"] if c["id"] == "A3")
    assert gate["status"] == "pass"
    assert later["as_of"] == "2027-08-10"


def test_a_cancelled_title_bars_reapplication_until_the_anniversary() -> None:
    sample = INSTITUTIONS / "10-huaxi-larger-fire.yaml"
    for as_of, status in (("2025-12-31", "fail"), ("2028-01-19", "fail"), ("2028-01-20", "pass")):
        data = json.loads(invoke(["check", sample, "--as-of", as_of, "--format", "json"], 1).stdout)
        a7 = next(c for c in data["criteria"] if c["id"] == "A7")
        assert a7["status"] == status, as_of
    assert "2028-01-20 起方可申报" in invoke(["check", sample], 1).stdout


def test_same_input_same_output() -> None:
    sample = INSTITUTIONS / "02-ankang-low-occupancy.yaml"
    first = invoke(["check", sample, "--format", "json"], 0).stdout
    second = invoke(["check", sample, "--format", "json"], 0).stdout
    assert first == second


def test_bad_as_of_is_usage_error() -> None:
    result = invoke(["check", INSTITUTIONS / "01-kangning-eligible.yaml", "--as-of", "2025-13-01"], 2)
    assert "YYYY-MM-DD" in result.stderr


def test_unknown_rubric_is_usage_error() -> None:
    result = invoke(["check", INSTITUTIONS / "01-kangning-eligible.yaml", "--criteria", "national/instituton"], 2)
    assert "national/institution" in result.stderr


def test_rubric_subject_must_match() -> None:
    result = invoke(["check", INSTITUTIONS / "01-kangning-eligible.yaml", "--criteria", "national/region"], 2)
    assert "适用对象不一致" in result.stderr


def test_python_dash_m_runs() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "shifan", "check", str(INSTITUTIONS / "03-fushou-major-incident.yaml")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")},
    )
    assert completed.returncode == 1
    assert "不具备申报资格" in completed.stdout


def test_criteria_commands() -> None:
    listing = invoke(["criteria", "list"], 0).stdout
    assert "national/institution" in listing
    invoke(["criteria", "validate"], 0)
    shown = invoke(["criteria", "show", "shanghai/changning"], 0).stdout
    assert "SH1" in shown and "继承链" in shown


def test_init_template_is_valid_yaml_with_comments(tmp_path: Path) -> None:
    target = tmp_path / "申报.yaml"
    invoke(["init", "-o", target], 0)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# ")
    invoke(["init", "-o", target], 2)  # refuses to overwrite
    # the untouched template is read without input errors; its samples are named as such
    result = invoke(["check", target], 1)
    assert "仍是模板示例" in result.stdout
    assert "按未持有该证书处理" in result.stdout


@pytest.mark.parametrize("which", ["application", "rubric"])
def test_schema(which: str) -> None:
    """The schema an editor completes from: every property of every object carries a Chinese
    description, and unknown keys are refused, as the loader refuses them."""
    schema = json.loads(invoke(["schema", which], 0).stdout)
    objects = [schema, *schema.get("$defs", {}).values()]
    checked = 0
    for obj in objects:
        if obj.get("type") != "object" or "properties" not in obj:
            continue
        assert obj.get("additionalProperties") is False, obj.get("title")
        for key, prop in obj["properties"].items():
            if key == "kind":
                continue
            description = prop.get("description", "")
            assert re.search(r"[\u4e00-\u9fff]", description), f"{obj.get('title')}.{key} has no Chinese description"
            checked += 1
    assert checked > (100 if which == "application" else 30)
