"""Evidence follows the way a criterion was met (``evidence_by_way`` on an ``any`` check)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import APPLICATIONS
from shifan.evaluate.pipeline import check_application
from shifan.evaluate.result import CriterionResult


@pytest.fixture
def work(tmp_path: Path) -> Path:
    target = tmp_path / "applications"
    shutil.copytree(APPLICATIONS, target)
    return target


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def _criterion(path: Path, criterion_id: str) -> CriterionResult:
    return next(c for c in check_application(path).result.criteria if c.id == criterion_id)


PROOF = "  - {type: adjacency_proof, path: evidence/taiping/与卫生院毗邻建设位置图.txt}\n"
LICENCE = "  - {type: medical_licence, path: evidence/taiping/卫生院执业许可证.txt}\n"
INTERNAL = ("internal_medical_institution: false", "internal_medical_institution: true")
NOT_ADJACENT = ("adjacent_medical_institution: true", "adjacent_medical_institution: false")


def test_met_by_adjacency_asks_for_the_proof_of_adjacency() -> None:
    ahc1 = _criterion(APPLICATIONS / "anhui" / "13-taiping-centre.yaml", "AHC1")
    assert ahc1.status.value == "pass"
    assert [e.type for e in ahc1.evidence] == ["adjacency_proof"]


def test_met_by_adjacency_without_the_proof_is_insufficient(work: Path) -> None:
    sample = work / "anhui" / "13-taiping-centre.yaml"
    _edit(sample, (PROOF, ""))
    ahc1 = _criterion(sample, "AHC1")
    assert ahc1.status.value == "insufficient_evidence"
    assert "以“与医疗卫生机构毗邻建设”方式符合所需" in ahc1.reason
    assert ahc1.missing_evidence == ["与医疗卫生机构毗邻建设的证明材料（位置图、场地产权或租赁证明）"]


def test_met_by_an_internal_clinic_asks_for_the_licence_only(work: Path) -> None:
    sample = work / "anhui" / "13-taiping-centre.yaml"
    _edit(sample, INTERNAL, NOT_ADJACENT, (PROOF, ""))
    ahc1 = _criterion(sample, "AHC1")
    assert ahc1.status.value == "pass" and [e.type for e in ahc1.evidence] == ["medical_licence"]
    _edit(sample, (LICENCE, ""))
    ahc1 = _criterion(sample, "AHC1")
    assert ahc1.status.value == "insufficient_evidence" and "以“设内设医疗机构”方式符合所需" in ahc1.reason


def test_met_both_ways_the_way_with_complete_evidence_counts(work: Path) -> None:
    sample = work / "anhui" / "13-taiping-centre.yaml"
    _edit(sample, INTERNAL, (LICENCE, ""))
    ahc1 = _criterion(sample, "AHC1")
    assert ahc1.status.value == "pass" and [e.type for e in ahc1.evidence] == ["adjacency_proof"]
    _edit(sample, (PROOF, ""))
    ahc1 = _criterion(sample, "AHC1")
    # neither way has its evidence: the first way met is named
    assert ahc1.status.value == "insufficient_evidence" and "设内设医疗机构" in ahc1.reason


def test_not_met_asks_for_no_way_evidence(work: Path) -> None:
    sample = work / "anhui" / "13-taiping-centre.yaml"
    _edit(sample, NOT_ADJACENT, (PROOF, ""))
    ahc1 = _criterion(sample, "AHC1")
    assert ahc1.status.value == "fail" and ahc1.evidence == [] and "缺少佐证材料" not in ahc1.reason


def test_changning_sh1_met_by_an_adjacent_hospital_needs_no_licence(work: Path) -> None:
    sample = work / "shanghai" / "06-adjacent.yaml"
    shutil.copy(work / "shanghai" / "16-tianshan-eligible.yaml", sample)
    _edit(
        sample,
        (
            "internal_medical_institution: true",
            "internal_medical_institution: false\n  adjacent_medical_institution: true",
        ),
    )
    sh1 = _criterion(sample, "SH1")
    assert sh1.status.value == "insufficient_evidence"
    assert [e.type for e in sh1.evidence] == ["adjacency_proof"]
    assert "以“与医疗机构邻近”方式符合所需" in sh1.reason
