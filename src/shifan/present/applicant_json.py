"""The per-applicant JSON document of ``shifan batch``: the reconciled result and where it came from."""

from __future__ import annotations

from pydantic import Field

from shifan.evaluate.pipeline import Checked
from shifan.evaluate.rollup import Rollup
from shifan.present.json_output import JSON_SCHEMA_VERSION
from shifan.review.reconcile import ReconciledResult


class ApplicantOutput(ReconciledResult):
    """The per-applicant JSON of a batch: the reconciled result, the file it came from, and a
    county's roll-up."""

    schema_version: int = JSON_SCHEMA_VERSION
    file: str = Field(description="申报文件（相对批处理目录）")
    rollup: Rollup | None = None


def applicant_json(file: str, checked: Checked, reconciled: ReconciledResult) -> str:
    """The per-applicant JSON text of a batch."""
    values = {name: getattr(reconciled, name) for name in ReconciledResult.model_fields}
    output = ApplicantOutput.model_construct(
        **values, schema_version=JSON_SCHEMA_VERSION, file=file, rollup=checked.rollup
    )
    return output.model_dump_json(indent=2) + "\n"  # pydantic's encoder: 4x faster than json.dumps
