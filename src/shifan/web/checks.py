"""Checks kept with the application versions they belong to.

A save evaluates the new version once and stores the result in the same transaction as the
version; a page view shows the stored result instead of reading and evaluating the file again.
A stored check counts only for the same content (sha256), the same rubric choice of the round,
the same evaluation date, and the same evaluating code and shipped rubrics (:func:`basis`): a
round whose rubric or ``as_of`` changes, or a new release, finds no stored check and evaluates
once more. The effective rubric's sha256 is kept beside the result and compared again when the
result is read back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shifan import __version__
from shifan.errors import Problem, ShifanError
from shifan.evaluate.result import EvaluationResult
from shifan.files import criteria_dir
from shifan.rules.rubric import Rubric
from shifan.web.db import StoredCheck
from shifan.web.store import Outcome, cached_rubric

__all__ = ["Shown", "Summary", "basis", "forget", "keep_summary", "lookup", "record", "shown", "summaries"]


@dataclass(frozen=True)
class Summary:
    """What a page shows of an evaluation: the result and the rubric it was evaluated under
    (the application itself is not read again)."""

    result: EvaluationResult
    rubric: Rubric


@dataclass(frozen=True)
class Shown:
    """A check as pages show it: the evaluation summary or the problems that stopped it."""

    checked: Summary | None
    problems: list[Problem]


Key = tuple[int, str, str, dt.date, str]

_MEMO: OrderedDict[Key, Shown] = OrderedDict()
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE = 1024


@functools.cache
def basis() -> str:
    """A digest of what an evaluation depends on besides the application: the evaluating code
    (its release) and every shipped rubric file."""
    hasher = hashlib.sha256(f"shifan {__version__}\n".encode())
    root = criteria_dir()
    for path in sorted(root.rglob("*.yaml")):
        hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def _key(applicant_id: int, application_sha: str, criteria: str | None, as_of: dt.date) -> Key:
    return (applicant_id, application_sha, criteria or "", as_of, basis())


def _matching(key: Key) -> tuple[Any, ...]:
    """The conditions selecting the stored check of ``key``."""
    applicant_id, application_sha, criteria, as_of, evaluated_by = key
    return (
        StoredCheck.applicant_id == applicant_id,
        StoredCheck.application_sha == application_sha,
        StoredCheck.criteria == criteria,
        StoredCheck.as_of == as_of,
        StoredCheck.basis == evaluated_by,
    )


def shown(outcome: Outcome) -> Shown:
    """A fresh evaluation as pages show it."""
    checked = outcome.checked
    return Shown(Summary(checked.result, checked.rubric) if checked else None, list(outcome.problems))


def _encode(value: Shown) -> str:
    checked = value.checked
    return json.dumps(
        {
            "rubric": checked.rubric.id if checked else None,
            "result": checked.result.model_dump(mode="json") if checked else None,
            "problems": [dataclasses.asdict(p) for p in value.problems],
        },
        ensure_ascii=False,
    )


def _decode(text: str, rubric_sha: str) -> Shown | None:
    """The stored check, or None when it cannot be used (its rubric is not the one loaded now)."""
    try:
        data: dict[str, Any] = json.loads(text)
        problems = [Problem(**p) for p in data["problems"]]
        if data["result"] is None:
            return Shown(None, problems)
        rubric = cached_rubric(data["rubric"])
        if rubric.sha256 != rubric_sha:
            return None
        return Shown(Summary(EvaluationResult.model_validate(data["result"]), rubric), problems)
    except (ValueError, TypeError, KeyError, ShifanError):  # written by another release: evaluate again
        return None


def _remember(key: Key, value: Shown) -> None:
    with _MEMO_LOCK:
        _MEMO[key] = value
        _MEMO.move_to_end(key)
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)


def lookup(
    session: Session, applicant_id: int, application_sha: str, criteria: str | None, as_of: dt.date
) -> Shown | None:
    """The stored check of this version under this rubric choice and date, if there is one."""
    key = _key(applicant_id, application_sha, criteria, as_of)
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    rows = session.execute(
        select(StoredCheck.outcome, StoredCheck.rubric_sha)
        .where(*_matching(key))
        .order_by(StoredCheck.id.desc())
        .limit(1)
    ).all()
    value = _decode(rows[0][0], rows[0][1]) if rows else None
    if value is not None:
        _remember(key, value)
    return value


def record(
    session: Session,
    applicant_id: int,
    application_sha: str,
    criteria: str | None,
    as_of: dt.date,
    value: Shown,
    *,
    current: bool = False,
    summary: tuple[str, str | None] | None = None,
) -> None:
    """Store a check in ``session``'s transaction (committed with it), replacing one stored for the
    same version, rubric choice and date. ``current``: the version has just become the applicant's
    current one, and the checks of its earlier versions, which no page shows any more, are dropped
    (one check per applicant is kept, not one per save). ``summary``: the reviews key and summary
    row JSON kept beside it for the dashboard (see :func:`keep_summary`)."""
    key = _key(applicant_id, application_sha, criteria, as_of)
    same = (
        (StoredCheck.application_sha == key[1])
        & (StoredCheck.criteria == key[2])
        & (StoredCheck.as_of == key[3])
        & (StoredCheck.basis == key[4])
    )
    session.execute(
        delete(StoredCheck).where(
            StoredCheck.applicant_id == applicant_id,
            (StoredCheck.application_sha != application_sha) | same if current else same,
        )
    )
    session.add(
        StoredCheck(
            applicant_id=applicant_id,
            application_sha=application_sha,
            criteria=key[2],
            as_of=as_of,
            basis=key[4],
            rubric_sha=value.checked.rubric.sha256 if value.checked else "",
            outcome=_encode(value),
            reviews=summary[0] if summary else None,
            summary=summary[1] if summary else None,
        )
    )
    session.info.setdefault("after_commit", []).append(lambda: _remember(key, value))


def keep_summary(
    session: Session,
    applicant_id: int,
    application_sha: str,
    criteria: str | None,
    as_of: dt.date,
    value: Shown,
    summary: tuple[str, str | None],
) -> None:
    """Keep the summary row of a version (reconciled with the reviews ``summary[0]`` names) beside
    its stored check, storing the check too when there is none."""
    key = _key(applicant_id, application_sha, criteria, as_of)
    updated = session.execute(
        update(StoredCheck)
        .where(*_matching(key))
        .values(reviews=summary[0], summary=summary[1])
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        record(session, applicant_id, application_sha, criteria, as_of, value, summary=summary)


def summaries(
    session: Session, criteria: str | None, as_of: dt.date, wanted: dict[int, str]
) -> dict[int, tuple[str, str | None, str]]:
    """The kept summaries of the versions ``wanted`` names (applicant id → application sha) under
    this rubric choice and date: applicant id → (reviews key, summary row JSON, rubric sha256)."""
    found: dict[int, tuple[str, str | None, str]] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        for applicant_id, sha, reviews, summary, rubric_sha in session.execute(
            select(
                StoredCheck.applicant_id,
                StoredCheck.application_sha,
                StoredCheck.reviews,
                StoredCheck.summary,
                StoredCheck.rubric_sha,
            )
            .where(
                StoredCheck.applicant_id.in_(ids[start : start + 500]),
                StoredCheck.criteria == (criteria or ""),
                StoredCheck.as_of == as_of,
                StoredCheck.basis == basis(),
                StoredCheck.reviews.is_not(None),
            )
            .order_by(StoredCheck.id)
        ).all():
            if wanted.get(applicant_id) == sha and reviews is not None:
                found[applicant_id] = (reviews, summary, rubric_sha)
    return found


def forget(session: Session, applicant_id: int) -> None:
    """Drop the stored checks of an applicant (when something besides its application file that
    the check reads changes, such as an evidence file removed); the next page view evaluates again."""
    session.execute(delete(StoredCheck).where(StoredCheck.applicant_id == applicant_id))
    with _MEMO_LOCK:
        for key in [k for k in _MEMO if k[0] == applicant_id]:
            del _MEMO[key]
