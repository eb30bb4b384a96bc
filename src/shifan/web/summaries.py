"""The summary row of an applicant's current version, as ``shifan batch`` gives it (verdict, score,
flags, reviewers, staleness…), reconciled with the applicant's stored reviews.

It is worked out whenever the whole check is at hand — a save, a review saved, or (once) the
dashboard finding none — and kept beside the version's stored check (:func:`shifan.web.checks.keep_summary`)
with the ids and versions of the reviews it was reconciled with, so that the dashboard's flags and
pre-flight read it instead of evaluating the round again. A row whose reviews key is not the
current one is not used.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shifan.batch.model import SummaryRow
from shifan.batch.rows import summary_row
from shifan.web.db import Review
from shifan.web.store import Outcome, reconcile_reviews

__all__ = ["encoded", "reviews_key", "summary", "summary_of"]


def reviews_key(reviews: Iterable[tuple[int, int]]) -> str:
    """The key of a set of stored reviews: their ids and versions (any saved review changes it)."""
    return ",".join(f"{review_id}.{version}" for review_id, version in sorted(reviews))


def summary_of(applicant_id: int, result: Outcome, reviews: list[str]) -> SummaryRow | None:
    """The applicant's summary row reconciled with ``reviews`` (None when it could not be evaluated)."""
    if result.checked is None:
        return None
    reconciled = reconcile_reviews(result.checked, reviews)
    return summary_row(str(applicant_id), "", result.checked, reconciled)


def summary(session: Session, applicant_id: int, result: Outcome) -> tuple[str, SummaryRow | None]:
    """The reviews key and summary row of ``result`` with the applicant's stored reviews now."""
    stored = session.execute(
        select(Review.id, Review.version, Review.data).where(Review.applicant_id == applicant_id).order_by(Review.id)
    ).all()
    key = reviews_key((review_id, version) for review_id, version, _ in stored)
    return key, summary_of(applicant_id, result, [data for _, _, data in stored])


def encoded(found: tuple[str, SummaryRow | None]) -> tuple[str, str | None]:
    """A summary as :func:`shifan.web.checks.keep_summary` stores it."""
    key, row = found
    return key, row.model_dump_json() if row is not None else None
