"""Batch processing of a folder of applications and reviews (``shifan batch``).

:func:`run_batch` evaluates every application under a folder together with its reviews, on all
cores, hands each result to the per-applicant writers and the summary writer its caller gives
(the formats live in :mod:`shifan.present.formats`), and on a rerun redoes only the applicants
whose inputs changed.
"""

from __future__ import annotations

from shifan.batch.model import ApplicantWriter, Evaluated, Failure, SummaryRow
from shifan.batch.runner import BatchReport, SummaryWriter, default_jobs, run_batch

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
