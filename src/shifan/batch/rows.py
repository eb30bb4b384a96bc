"""One applicant's summary row: the data a summary table shows and a recommendation list ranks by.

The row holds data only (ids, statuses, reviewer names, numbers); every sentence shown to a user is
composed in :mod:`shifan.present`.
"""

from __future__ import annotations

import datetime as dt

from shifan.batch.model import FailedGate, ReviewerConclusion, StaleReview, SummaryRow
from shifan.evaluate.pipeline import Checked
from shifan.review.reconcile import ReconciledResult
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.checks.metrics import METRICS, Measurement, MetricOptions
from shifan.rules.divisions import division
from shifan.rules.vocab import Status


def ranking_disabled_share(app: InstitutionApplication | RegionApplication, as_of: dt.date) -> float | None:
    """The share of disabled (incl. dementia) residents, in %, used to break ties on a
    recommendation list; None for a county or when it cannot be computed.

    Measured here because a rubric need not score this metric, so the evaluation may not hold it.
    """
    if not isinstance(app, InstitutionApplication):
        return None
    measured = METRICS["disabled_share"].fn(app, as_of, MetricOptions())
    return round(measured.value, 2) if isinstance(measured, Measurement) else None


def region_name(code: str) -> str:
    """The full name of a division code (``安徽省黄山市屯溪区``), or "" when it is not in the table."""
    found = division(code)
    return found.full_name if found else ""


def summary_row(file: str, output: str, checked: Checked, reconciled: ReconciledResult) -> SummaryRow:
    """The summary row of one evaluated and reconciled applicant."""
    result = checked.result
    by_id = {c.id: c for c in result.criteria}
    merged = {c.id: c for c in reconciled.criteria}
    failed = [
        FailedGate(
            id=gate_id,
            title=by_id[gate_id].title,
            status=by_id[gate_id].status,
            reason=by_id[gate_id].reason,
            overridden=merged[gate_id].basis == "override",
        )
        for gate_id in reconciled.failed_gates
    ]
    return SummaryRow(
        file=file,
        output=output,
        name=result.applicant.name,
        id=result.applicant.id,
        kind=result.applicant.kind,
        category=result.applicant.category,
        category_label=result.applicant.category_label,
        region_code=result.applicant.region_code,
        region_name=region_name(result.applicant.region_code),
        rubric_id=result.rubric.id,
        rubric_title=result.rubric.title,
        pass_score=checked.rubric.pass_score,
        as_of=result.as_of.isoformat(),
        verdict=reconciled.verdict,
        eligible=reconciled.eligible,
        failed_gates=failed,
        computed_score=result.normalized_score,
        score=reconciled.normalized_score,
        max_score=result.rubric_max_score,
        grade=reconciled.grade,
        reviewers=[r.reviewer for r in reconciled.reviews],
        review_levels=[r.level for r in reconciled.reviews if r.level],
        stale=reconciled.stale,
        stale_reviews=[
            StaleReview(reviewer=r.reviewer, reasons=r.stale_reasons) for r in reconciled.reviews if r.stale
        ],
        disagreements=reconciled.disagreements,
        overrides=list(reconciled.overrides),
        contradicted=reconciled.contradicted,
        conclusions=[ReviewerConclusion(reviewer=r.reviewer, conclusion=r.conclusion) for r in reconciled.reviews],
        insufficient=sum(1 for c in result.criteria if c.status is Status.INSUFFICIENT),
        priorities=[p.met for p in result.priorities],
        priority_titles=[p.title for p in result.priorities if p.met],
        disabled_share=ranking_disabled_share(checked.loaded.app, result.as_of),
        flags=list(result.flags),
    )
