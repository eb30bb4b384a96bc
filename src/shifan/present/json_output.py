"""The JSON documents shifan writes: one envelope (``schema_version`` first, then the payload).

``shifan check --format json``, ``shifan review show --format json`` and the per-applicant JSON of
``shifan batch`` all carry the same ``schema_version``; it goes up by one when a field changes
incompatibly (docs/json-output.md). The per-applicant document of a batch is in
:mod:`shifan.present.applicant_json`, so a plain ``check`` does not load the review models.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from shifan.evaluate.pipeline import Checked
    from shifan.review.reconcile import ReconciledResult

JSON_SCHEMA_VERSION = 1


def envelope(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` behind the ``schema_version`` key."""
    return {"schema_version": JSON_SCHEMA_VERSION, **payload}


def with_rollup(payload: dict[str, Any], checked: Checked) -> dict[str, Any]:
    """The enveloped ``payload`` plus how natural input was read and a county's roll-up, when
    there are."""
    data = envelope(payload)
    if checked.loaded.notes:
        data["input_notes"] = list(checked.loaded.notes)
    if checked.rollup is not None:
        data["rollup"] = checked.rollup.model_dump(mode="json")
    return data


def dumps(data: Any) -> str:
    """Indented UTF-8 JSON text as printed on the terminal."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def result_json(checked: Checked) -> str:
    """The result exactly as ``shifan check --format json`` prints it (embedded in PDF/A reports)."""
    return dumps(with_rollup(checked.result.model_dump(mode="json"), checked)) + "\n"


def reconciled_json(checked: Checked, reconciled: ReconciledResult) -> str:
    """The reconciled result exactly as ``shifan review show --format json`` prints it."""
    return dumps(with_rollup(reconciled.model_dump(mode="json"), checked)) + "\n"


def model_json(model: BaseModel) -> str:
    """A model as indented UTF-8 JSON text (no envelope), ending with a newline."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
