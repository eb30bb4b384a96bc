"""What the dashboard shows beside each applicant: the plausibility flags (提示) of its evaluation and
the pre-flight problems the recommendation list would meet (same applicant twice, stale reviews,
unreviewed applicants…).

Nothing here decides anything: each applicant's row is the summary row ``shifan batch`` gives it
(:mod:`shifan.web.summaries`: the evaluation reconciled with the stored reviews, through
:func:`summary_row`), and the rows go through :func:`shifan.recommend.preflight.preflight`, the
function ``shifan recommend`` runs. Only the sentences are the workbench's own (they name
applicants rather than files and say what to do in the workbench rather than on the command line).

A view evaluates nobody whose row is kept: rows are worked out when a version is saved or a review
saved and kept beside the stored check, and read back for the same version, rubric choice, date,
release and reviews (ids and versions). An applicant without one is evaluated once and its row
kept — in the request when there are few, otherwise in a background thread of the process while
the page says how many are still being checked (their pre-flight is shown once all are done).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shifan.batch.model import SummaryRow
from shifan.errors import ShifanError
from shifan.evaluate.result import Flag
from shifan.present.preflight_text import problem_text
from shifan.recommend.preflight import Preflight, PreflightProblem, preflight
from shifan.web import checks, summaries
from shifan.web.app import Req
from shifan.web.db import Applicant, Database, Review, Round
from shifan.web.store import Outcome, Store, cached_rubric

logger = logging.getLogger(__name__)

#: Why an applicant is kept out of ranking, by :class:`~shifan.recommend.preflight.Excluded` cause.
EXCLUDED = {
    "duplicate": "与本批次另一申报为同一单位，暂不参加排序",
    "duplicate_not_chosen": "与本批次另一申报为同一单位，未被选用",
    "stale_review": "专家评审已过期，暂不参加排序",
    "not_reviewed": "未经专家评审，暂不参加排序",
}
#: At most this many applicants without a kept row are evaluated within a dashboard request.
INLINE = 40
#: Applicants evaluated in the background before their rows are written in one transaction.
FILL_BATCH = 20

#: (applicant id, application sha, rubric choice, as_of, basis, reviews key): what a row depends on.
RowKey = tuple[int, str, str, dt.date, str, str]

_ROWS: OrderedDict[RowKey, SummaryRow | None] = OrderedDict()
_ROUNDS: OrderedDict[tuple[object, ...], RoundChecks] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 4096
_FILLING: set[int] = set()  # rounds whose missing rows a background thread is working out


class Entry(Protocol):
    """What is read of an applicant here (an :class:`Applicant` or a row of these columns)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def current_file(self) -> str | None: ...
    @property
    def current_sha(self) -> str | None: ...


@dataclass
class RoundChecks:
    """Flags and pre-flight findings of one round, by applicant id."""

    flags: dict[int, list[Flag]] = field(default_factory=dict)
    excluded: dict[int, str] = field(default_factory=dict)
    problems: list[tuple[bool, str]] = field(default_factory=list)  # (blocking, sentence)
    checked: int = 0
    pending: int = 0  # applicants still being evaluated (pre-flight left out until they are done)


def _remember(key: RowKey, row: SummaryRow | None) -> None:
    with _LOCK:
        _ROWS[key] = row
        _ROWS.move_to_end(key)
        while len(_ROWS) > _SIZE:
            _ROWS.popitem(last=False)


def _decoded(summary: str | None, rubric_sha: str) -> tuple[bool, SummaryRow | None]:
    """Whether a kept row can be used, and the row (None: the version could not be evaluated)."""
    if summary is None:
        return True, None
    try:
        row = SummaryRow.model_validate_json(summary)
        return cached_rubric(row.rubric_id).sha256 == rubric_sha, row
    except (ValidationError, ShifanError):  # written by another release or rubric: evaluate again
        return False, None


def _worked_out(
    session: Session, store: Store, applicant: Entry, round_: Round
) -> tuple[Outcome, tuple[str, SummaryRow | None]]:
    """Evaluate the applicant's current version and reconcile it with its stored reviews (reads only)."""
    assert applicant.current_file is not None
    result: Outcome = store.check(applicant.id, applicant.current_file, criteria=round_.rubric, as_of=round_.as_of)
    return result, summaries.summary(session, applicant.id, result)


#: (applicant id, application sha, rubric choice, as_of): which version's check under which round settings.
Version = tuple[int, str, str | None, dt.date]


def _version(applicant: Entry, round_: Round) -> Version:
    assert applicant.current_sha is not None
    return applicant.id, applicant.current_sha, round_.rubric, round_.as_of


def _keep(
    session: Session, version: Version, result: Outcome, found: tuple[str, SummaryRow | None]
) -> SummaryRow | None:
    """Keep the row beside the version's stored check (in ``session``) and in this process."""
    applicant_id, sha, criteria, as_of = version
    checks.keep_summary(session, applicant_id, sha, criteria, as_of, checks.shown(result), summaries.encoded(found))
    _remember((applicant_id, sha, criteria or "", as_of, checks.basis(), found[0]), found[1])
    return found[1]


def _evaluate(session: Session, store: Store, applicant: Entry, round_: Round) -> SummaryRow | None:
    """Evaluate the applicant's current version, reconcile it and keep its row (in ``session``)."""
    return _keep(session, _version(applicant, round_), *_worked_out(session, store, applicant, round_))


def refresh_row(session: Session, applicant: Applicant, round_: Round, result: Outcome) -> None:
    """Keep the row of the current version with the reviews stored now (after a review is saved)."""
    if applicant.current_sha is not None:
        _keep(session, _version(applicant, round_), result, summaries.summary(session, applicant.id, result))


def _fill(db: Database, store: Store, round_id: int, ids: list[int]) -> None:
    """Work out the missing rows of a round in the background: evaluated a batch at a time (in
    an order of this process's own, so that several processes share the work), then written and
    committed together (the write lock is held only for the writing)."""
    random.shuffle(ids)
    try:
        with db.session() as session:
            for start in range(0, len(ids), FILL_BATCH):
                round_ = session.get(Round, round_id)
                if round_ is None:
                    return
                batch = session.scalars(
                    select(Applicant).where(Applicant.id.in_(ids[start : start + FILL_BATCH]))
                ).all()
                wanted = {
                    a.id: a.current_sha for a in batch if a.current_file is not None and a.current_sha is not None
                }
                kept = checks.summaries(session, round_.rubric, round_.as_of, wanted)  # maybe by another process
                done = []
                for applicant in batch:
                    if applicant.id in wanted and applicant.id not in kept:
                        done.append((_version(applicant, round_), *_worked_out(session, store, applicant, round_)))
                        time.sleep(0.002)  # let request threads have the interpreter
                session.rollback()  # end the read transaction before writing
                for version, result, found in done:
                    _keep(session, version, result, found)
                session.commit()
    except Exception:
        logger.exception("批次 %s 的核验结果未能全部算出", round_id)
    finally:
        with _LOCK:
            _FILLING.discard(round_id)


def _rows(req: Req, round_: Round, with_files: list[Entry]) -> tuple[list[RowKey], dict[int, SummaryRow | None]]:
    """What the applicants' rows depend on and the rows known (the missing ones evaluated here when
    they are few, else in the background: those are left out)."""
    pairs: dict[int, list[tuple[int, int]]] = {}
    for applicant_id, review_id, version in req.session.execute(
        select(Review.applicant_id, Review.id, Review.version)
        .join(Applicant, Applicant.id == Review.applicant_id)
        .where(Applicant.round_id == round_.id)
    ).all():
        pairs.setdefault(applicant_id, []).append((review_id, version))
    basis = checks.basis()
    keys: dict[int, RowKey] = {}
    for a in with_files:
        assert a.current_sha is not None
        keys[a.id] = (
            a.id,
            a.current_sha,
            round_.rubric or "",
            round_.as_of,
            basis,
            summaries.reviews_key(pairs.get(a.id, [])),
        )
    rows: dict[int, SummaryRow | None] = {}
    with _LOCK:
        for applicant_id, key in keys.items():
            if key in _ROWS:
                rows[applicant_id] = _ROWS[key]
    missing = {i: keys[i][1] for i in keys if i not in rows}
    if missing:
        for applicant_id, (reviews, summary, rubric_sha) in checks.summaries(
            req.session, round_.rubric, round_.as_of, missing
        ).items():
            usable, row = _decoded(summary, rubric_sha) if reviews == keys[applicant_id][5] else (False, None)
            if usable:
                rows[applicant_id] = row
                _remember(keys[applicant_id], row)
    todo = [a for a in with_files if a.id not in rows]
    if len(todo) <= INLINE:
        for applicant in todo:
            rows[applicant.id] = _evaluate(req.session, req.state.store, applicant, round_)
        return list(keys.values()), rows
    with _LOCK:
        start = round_.id not in _FILLING
        _FILLING.add(round_.id)
    if start:
        ids = [a.id for a in todo]
        threading.Thread(
            target=_fill, args=(req.state.db, req.state.store, round_.id, ids), name="shifan-rows", daemon=True
        ).start()
    return list(keys.values()), rows


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


def round_checks(req: Req, round_: Round, applicants: Sequence[Entry]) -> RoundChecks:
    """Flags and pre-flight problems of the round's applicants that have an application
    (``applicants``: at least every applicant of the round with one; the others are passed over)."""
    with_files = [a for a in applicants if a.current_file is not None and a.current_sha is not None]
    keys, rows = _rows(req, round_, with_files) if with_files else ([], {})
    pending = len(with_files) - len(rows)
    names = {str(a.id): a.name for a in applicants}
    whole = (tuple(keys), tuple(sorted(rows)), tuple(sorted(names.items())))
    with _LOCK:
        if whole in _ROUNDS:
            _ROUNDS.move_to_end(whole)
            return _ROUNDS[whole]
    found = RoundChecks(pending=pending)
    present = []
    for applicant in with_files:
        row = rows.get(applicant.id)
        if row is not None:
            present.append(row)
            found.flags[applicant.id] = list(row.flags)
    found.checked = len(present)
    if not pending:
        checked: Preflight = preflight(present)
        for excluded in checked.excluded:
            found.excluded[int(excluded.row.file)] = EXCLUDED[excluded.cause]
        found.problems = [(p.blocking, sentence(p, names)) for p in checked.problems]
    with _LOCK:
        _ROUNDS[whole] = found
        while len(_ROUNDS) > 32:
            _ROUNDS.popitem(last=False)
    return found
