"""Batch processing of a folder of applications and reviews (``shifan batch``).

:func:`run_batch` evaluates every application under a folder together with its reviews, on all
cores, hands each result to the per-applicant writers and the summary writer its caller gives
(the formats live in :mod:`shifan.present.formats`), and on a rerun redoes only the applicants
whose inputs changed.

The names below are imported when first used: a rerun with nothing to do never loads the
evaluation.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shifan.batch.model import ApplicantWriter, Evaluated, Failure, SummaryRow
    from shifan.batch.runner import BatchReport, SummaryWriter, default_jobs, run_batch

_WHERE = {
    "ApplicantWriter": "shifan.batch.items",
    "Failure": "shifan.batch.items",
    "Evaluated": "shifan.batch.model",
    "SummaryRow": "shifan.batch.model",
    "BatchReport": "shifan.batch.runner",
    "SummaryWriter": "shifan.batch.runner",
    "default_jobs": "shifan.batch.runner",
    "run_batch": "shifan.batch.runner",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


__all__ = [
    "ApplicantWriter",
    "BatchReport",
    "Evaluated",
    "Failure",
    "SummaryRow",
    "SummaryWriter",
    "default_jobs",
    "run_batch",
]
