"""What the dashboard shows beside each applicant: the plausibility flags (提示) of its evaluation and
the pre-flight problems the recommendation list would meet (same applicant twice, stale reviews,
unreviewed applicants…).

Nothing here decides anything: each applicant is evaluated and reconciled as the recommendation
job does (:func:`shifan.web.service.outcome`, the review reconciler, :func:`summary_row`), and the
rows go through :func:`shifan.recommend.preflight.preflight`, the function ``shifan recommend``
runs. Only the sentences are the workbench's own (they name applicants rather than files and say
what to do in the workbench rather than on the command line).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from shifan.batch.model import SummaryRow
from shifan.batch.rows import summary_row
from shifan.evaluate.result import Flag
from shifan.present.preflight_text import problem_text
from shifan.recommend.preflight import Preflight, PreflightProblem, preflight
from shifan.web.app import Req
from shifan.web.db import Applicant, Review, Round
from shifan.web.service import outcome
from shifan.web.store import reconcile_reviews

#: Why an applicant is kept out of ranking, by :class:`~shifan.recommend.preflight.Excluded` cause.
EXCLUDED = {
    "duplicate": "与本批次另一申报为同一单位，暂不参加排序",
    "duplicate_not_chosen": "与本批次另一申报为同一单位，未被选用",
    "stale_review": "专家评审已过期，暂不参加排序",
    "not_reviewed": "未经专家评审，暂不参加排序",
}

_ROWS: OrderedDict[tuple[object, ...], SummaryRow | None] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 2048


@dataclass
class RoundChecks:
    """Flags and pre-flight findings of one round, by applicant id."""

    flags: dict[int, list[Flag]] = field(default_factory=dict)
    excluded: dict[int, str] = field(default_factory=dict)
    problems: list[tuple[bool, str]] = field(default_factory=list)  # (blocking, sentence)
    checked: int = 0


def _row(req: Req, applicant: Applicant, round_: Round, reviews: list[tuple[int, int, str]]) -> SummaryRow | None:
    """The summary row ``shifan batch`` would give the applicant (cached by version and reviews)."""
    key = (applicant.id, applicant.current_file, round_.rubric, round_.as_of, tuple((i, v) for i, v, _ in reviews))
    with _LOCK:
        if key in _ROWS:
            _ROWS.move_to_end(key)
            return _ROWS[key]
    result = outcome(req, applicant, round_)
    row = None
    if result is not None and result.checked is not None:
        reconciled = reconcile_reviews(result.checked, [data for _, _, data in reviews])
        row = summary_row(str(applicant.id), "", result.checked, reconciled)
    with _LOCK:
        _ROWS[key] = row
        while len(_ROWS) > _SIZE:
            _ROWS.popitem(last=False)
    return row


def _names(ids: Sequence[str], names: dict[str, str]) -> str:
    return "、".join(names.get(i, i) for i in ids)


def sentence(problem: PreflightProblem, names: dict[str, str]) -> str:
    """A pre-flight problem in the workbench's words (applicants by name, what to do here)."""
    if problem.code == "duplicate":
        return (
            f"同一申报单位（{problem.id}）在本批次有 {len(problem.files)} 份申报：{_names(problem.files, names)}。"
            "这些申报均不参加排序：请核实后只保留一份（将多余的一份退回并请该单位更正）"
        )
    if problem.code == "stale_review":
        return (
            f"{_names(problem.files, names)}的专家评审已过期（评审后申报内容或评分标准有变化），不参加排序："
            "请评审专家重新核对并签字"
        )
    if problem.code == "not_reviewed":
        return (
            f"已有申报单位经专家评审，因此未经专家评审的 {problem.count} 个具备资格的申报单位不参加排序："
            f"{_names(problem.files, names)}。请尽快完成专家评审（尚未分配专家的请先分配）"
        )
    return problem_text(problem)


def round_checks(req: Req, round_: Round, applicants: Sequence[Applicant]) -> RoundChecks:
    """Flags and pre-flight problems of the round's applicants that have an application."""
    found = RoundChecks()
    with_files = [a for a in applicants if a.current_file is not None]
    reviews: dict[int, list[tuple[int, int, str]]] = {}
    if with_files:
        for applicant_id, review_id, version, data in req.session.execute(
            select(Review.applicant_id, Review.id, Review.version, Review.data)
            .where(Review.applicant_id.in_([a.id for a in with_files]))
            .order_by(Review.id)
        ).all():
            reviews.setdefault(applicant_id, []).append((review_id, version, data))
    rows = []
    for applicant in with_files:
        row = _row(req, applicant, round_, reviews.get(applicant.id, []))
        if row is not None:
            rows.append(row)
            found.flags[applicant.id] = list(row.flags)
    found.checked = len(rows)
    checked: Preflight = preflight(rows)
    names = {str(a.id): a.name for a in applicants}
    for excluded in checked.excluded:
        found.excluded[int(excluded.row.file)] = EXCLUDED[excluded.cause]
    found.problems = [(p.blocking, sentence(p, names)) for p in checked.problems]
    return found
