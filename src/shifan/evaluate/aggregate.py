"""Summing item results into a verdict, scores and a grade.

Used for the data-only evaluation (:mod:`shifan.evaluate.engine`) and for the result reconciled
with reviewers' sheets (:mod:`shifan.review.reconcile`), so both add up the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shifan.rules.rubric import Rubric
from shifan.rules.vocab import Status, Verdict

#: Gate statuses that make an applicant ineligible (a gate is met only in full).
FAILING_GATE = (Status.FAIL, Status.PARTIAL, Status.ERROR)


class Scored(Protocol):
    """An item result as the aggregation reads it."""

    @property
    def id(self) -> str: ...
    @property
    def gate(self) -> bool: ...
    @property
    def status(self) -> Status: ...
    @property
    def points(self) -> float: ...


class SectionScored(Scored, Protocol):
    """An item result that also knows its section and full marks."""

    @property
    def section(self) -> str: ...
    @property
    def max_points(self) -> float: ...


@dataclass(frozen=True)
class Subtotal:
    """The points of one section over the full marks of its applicable items."""

    score: float
    max_score: float


@dataclass(frozen=True)
class Totals:
    """The verdict and scores of a whole application."""

    verdict: Verdict
    failed_gates: list[str]
    score: float
    max_score: float
    normalized_score: float
    grade: str

    @property
    def eligible(self) -> bool:
        return self.verdict is Verdict.ELIGIBLE


def round_points(value: float) -> float:
    """Points and scores are kept to 2 decimals (``+ 0.0`` turns ``-0.0`` into ``0.0``)."""
    return round(value + 0.0, 2)


def section_subtotal(items: Sequence[SectionScored], section: str) -> Subtotal:
    """The subtotal of one section: not-applicable items count neither points nor full marks."""
    own = [r for r in items if r.section == section]
    return Subtotal(
        score=round_points(sum(r.points for r in own)),
        max_score=round_points(sum(r.max_points for r in own if r.status is not Status.NOT_APPLICABLE)),
    )


def totals(items: Sequence[Scored], max_score: float, rubric: Rubric) -> Totals:
    """Verdict from the gates, score summed, normalised to the rubric's full marks, and the
    grade (only an eligible applicant gets one). ``max_score`` is the full marks of the
    applicable items."""
    verdict, failed, lacking = gate_verdict([(r.id, r.status) for r in items if r.gate])
    score = round_points(sum(r.points for r in items))
    normalized = normalized_score(score, max_score, rubric.max_score)
    return Totals(
        verdict=verdict,
        failed_gates=failed + lacking,
        score=score,
        max_score=max_score,
        normalized_score=normalized,
        grade=rubric.grade(normalized) if verdict is Verdict.ELIGIBLE else "",
    )


def gate_verdict(gates: list[tuple[str, Status]]) -> tuple[Verdict, list[str], list[str]]:
    """The verdict from the gates' statuses: any failing gate makes the applicant ineligible;
    otherwise a gate lacking evidence leaves the verdict incomplete. Also the failing and the
    lacking gate ids, in rubric order."""
    failed = [gid for gid, status in gates if status in FAILING_GATE]
    lacking = [gid for gid, status in gates if status is Status.INSUFFICIENT]
    verdict = Verdict.INELIGIBLE if failed else Verdict.INCOMPLETE if lacking else Verdict.ELIGIBLE
    return verdict, failed, lacking


def normalized_score(score: float, max_score: float, rubric_max: float) -> float:
    """A score over the applicable items, scaled to the rubric's full marks (for ranking)."""
    return round_points(score / max_score * rubric_max) if max_score else 0.0
