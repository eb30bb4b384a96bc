"""The provincial recommendation list (拟推荐名单): rank eligible applicants within quotas.

:func:`recommend` evaluates a folder (applications with their reviews, as ``shifan batch``
does) and ranks the eligible applicants by :mod:`shifan.recommend.ranking`; the list is data,
written by :mod:`shifan.present.recommendation`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from shifan.batch.model import SummaryRow
from shifan.batch.runner import Progress, run_batch
from shifan.errors import UsageError
from shifan.recommend.preflight import Prefer, preflight
from shifan.recommend.ranking import QuotaBy, Recommendation, build_recommendation

__all__ = ["RecommendResult", "Recommendation", "recommend"]


@dataclass
class RecommendResult:
    recommendation: Recommendation
    failures: int
    rows: list[SummaryRow] = field(default_factory=list)  # every applicant evaluated, listed or not


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def recommend(
    source: Path,
    *,
    quota: int,
    quota_by: QuotaBy | None = None,
    min_score: float | None = None,
    criteria: str | None = None,
    reviews_dir: Path | None = None,
    as_of: dt.date | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    prefer: Prefer | None = None,
    require_review: bool | None = None,
) -> RecommendResult:
    """Evaluate every application under ``source``, run the pre-flight checks and rank the
    eligible ones into lists (one per rubric)."""
    if quota < 1:
        raise UsageError("名额（--quota）应为正整数")
    report = run_batch(
        source, None, criteria=criteria, reviews_dir=reviews_dir, as_of=as_of, jobs=jobs, progress=progress
    )
    mtimes = {row.file: _mtime(source / row.file) for row in report.rows}
    checked = preflight(report.rows, prefer=prefer, require_review=require_review, mtimes=mtimes)
    recommendation = build_recommendation(
        report.rows, report.failures, quota=quota, quota_by=quota_by, min_score=min_score, checked=checked
    )
    return RecommendResult(recommendation, len(report.failures), list(report.rows))
