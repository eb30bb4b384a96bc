"""Reviews: review sheets (评审意见表), several reviewers reconciled with the evaluation.

The API other parts of shifan use:

* :func:`load_review` / :func:`load_reviews` — read and schema-check one sheet or several
  (:class:`LoadedReview`), every problem of all of them raised together;
* :func:`reconcile` — ``reconcile(checked, reviews) -> ReconciledResult``: the evaluation plus
  every reviewer's scores, remarks, on-site verification, overrides, staleness and final
  opinions, reconciled by the rubric's ``review`` settings;
* :func:`write_new_sheet` / :func:`update_review` — ``review init`` / ``review update``.
"""

from __future__ import annotations

from shifan.review.load import LoadedReview, load_review, load_reviews, review_problems
from shifan.review.model import Conclusion, ReviewFile, Verification
from shifan.review.reconcile import (
    OverrideRecord,
    ReconciledCriterion,
    ReconciledResult,
    ReviewerEntry,
    ReviewInfo,
    combine,
    reconcile,
)
from shifan.review.sheet import UpdateReport, update_review, write_new_sheet

__all__ = [
    "Conclusion",
    "LoadedReview",
    "OverrideRecord",
    "ReconciledCriterion",
    "ReconciledResult",
    "ReviewFile",
    "ReviewInfo",
    "ReviewerEntry",
    "UpdateReport",
    "Verification",
    "combine",
    "load_review",
    "load_reviews",
    "reconcile",
    "review_problems",
    "update_review",
    "write_new_sheet",
]
