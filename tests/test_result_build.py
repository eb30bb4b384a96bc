"""Results the engine builds without validation are exactly what validation would build."""

from __future__ import annotations

import pytest

from conftest import INSTITUTIONS, REGIONS
from shifan.evaluate.pipeline import check_application
from shifan.evaluate.result import CriterionResult, EvidenceUse, trusted

SAMPLES = sorted(INSTITUTIONS.glob("*.yaml")) + sorted(REGIONS.glob("*.yaml"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_engine_results_survive_validation(path: object) -> None:
    checked = check_application(path)  # type: ignore[arg-type]
    for result in checked.result.criteria:
        again = CriterionResult.model_validate(result.model_dump())
        assert result == again
        assert result.model_dump_json() == again.model_dump_json()  # 1.0 stays 1.0, not 1


def test_trusted_is_the_validated_instance() -> None:
    built = trusted(EvidenceUse, type="a", title="b", files=["c"])
    assert built == EvidenceUse(type="a", title="b", files=["c"])
    assert built.model_fields_set == {"type", "title", "files"}
    with pytest.raises(TypeError):
        trusted(EvidenceUse, type="a", title="b")
