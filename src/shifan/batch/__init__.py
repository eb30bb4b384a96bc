"""Batch processing of a folder of applications and reviews (``shifan batch``).

:func:`run_batch` evaluates every application under a folder together with its reviews, on all
cores, writes per-applicant JSON and PDF, a summary table and a failure log, and on a rerun
redoes only the applicants whose inputs changed.
"""

from __future__ import annotations

from shifan.batch.model import Failure, SummaryRow
from shifan.batch.runner import BatchReport, default_jobs, run_batch

__all__ = ["BatchReport", "Failure", "SummaryRow", "default_jobs", "run_batch"]
