"""The provincial recommendation list (拟推荐名单): rank eligible applicants within quotas.

:func:`recommend` evaluates a folder (applications with their reviews, as ``shifan batch``
does), ranks the eligible applicants by :mod:`shifan.recommend.ranking` and writes the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shifan.batch.runner import Progress, run_batch
from shifan.errors import UsageError
from shifan.present.recommendation import write_recommendation
from shifan.recommend.ranking import QuotaBy, Recommendation, build_recommendation

__all__ = ["RecommendResult", "Recommendation", "recommend"]


@dataclass
class RecommendResult:
    recommendation: Recommendation
    files: list[Path]
    failures: int


def recommend(
    source: Path,
    out: Path,
    *,
    quota: int,
    quota_by: QuotaBy | None = None,
    min_score: float | None = None,
    criteria: str | None = None,
    as_of: dt.date | None = None,
    jobs: int | None = None,
    pdf: bool = True,
    progress: Progress | None = None,
    publication: Any = None,
) -> RecommendResult:
    """Evaluate every application under ``source`` and write the recommendation list to ``out``.

    ``publication`` (a :class:`shifan.present.publication.Publication`: issuer, year, 文号) is
    passed through to the writers.
    """
    if quota < 1:
        raise UsageError("名额（--quota）应为正整数")
    report = run_batch(source, None, criteria=criteria, as_of=as_of, jobs=jobs, pdf=False, progress=progress)
    recommendation = build_recommendation(
        report.rows, report.failures, quota=quota, quota_by=quota_by, min_score=min_score
    )
    files = write_recommendation(out, recommendation, pdf=pdf, publication=publication, rows=report.rows)
    return RecommendResult(recommendation, files, len(report.failures))
