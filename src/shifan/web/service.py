"""What the routes of several roles share: who may see an applicant, checking the current
version (stored with the version, see :mod:`shifan.web.checks`), saving a new version with a
conflict check, and the panel's reconciliation."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from starlette.exceptions import HTTPException

from shifan.errors import Problem
from shifan.load.application import application_data
from shifan.read.documents import WORKBOOK_SUFFIXES
from shifan.review.reconcile import ReconciledResult
from shifan.web import checks, summaries
from shifan.web.app import Req, digest
from shifan.web.checks import Shown
from shifan.web.db import Applicant, Assignment, Review, Round, now
from shifan.web.store import Outcome, read_yaml, reconcile_reviews

_CACHE: OrderedDict[tuple[Any, ...], Outcome] = OrderedDict()
_CACHE_LOCK = threading.Lock()
#: Whole checks (with the application read) for reviews and reports; pages use the stored ones.
_CACHE_SIZE = 64


def applicant_for(req: Req, *, write: bool = False) -> tuple[Applicant, Round]:
    """The applicant of the route, if the signed-in user may see it (404 otherwise, so that ids
    of other applicants cannot be probed). ``write`` allows only its own account."""
    applicant = req.session.get(Applicant, req.param("aid"))
    if applicant is None:
        raise HTTPException(404)
    me = req.me
    allowed = (
        (me.role == "applicant" and applicant.user_id == me.id)
        or (me.role == "staff" and not write)
        or (me.role == "expert" and not write and is_assigned(req, applicant.id))
    )
    if not allowed:
        raise HTTPException(404)
    round_ = req.session.get(Round, applicant.round_id)
    assert round_ is not None
    return applicant, round_


def is_assigned(req: Req, applicant_id: int) -> bool:
    return (
        req.session.scalar(
            select(Assignment.id).where(Assignment.applicant_id == applicant_id, Assignment.expert_id == req.me.id)
        )
        is not None
    )


def outcome(req: Req, applicant: Applicant, round_: Round) -> Outcome | None:
    """The check of the applicant's current version, as ``shifan check`` gives it (with the
    application read, for reports and reviews; pages showing the result use :func:`shown_outcome`)."""
    if applicant.current_file is None:
        return None
    key = (applicant.id, applicant.current_file, round_.rubric, round_.as_of)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    result = req.state.store.check(applicant.id, applicant.current_file, criteria=round_.rubric, as_of=round_.as_of)
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def shown_outcome(req: Req, applicant: Applicant, round_: Round) -> Shown | None:
    """The check of the current version as a page shows it: the one stored with the version,
    evaluated (and stored) only when there is none for this rubric choice and date."""
    if applicant.current_file is None or applicant.current_sha is None:
        return None
    found = checks.lookup(req.session, applicant.id, applicant.current_sha, round_.rubric, round_.as_of)
    if found is not None:
        return found
    result = outcome(req, applicant, round_)
    assert result is not None
    value = checks.shown(result)
    # Committed with the request (rare: the first view after the round's rubric or date, or the
    # release, changed; a separate transaction could wait on this request's own write lock).
    checks.record(req.session, applicant.id, applicant.current_sha, round_.rubric, round_.as_of, value)
    return value


def current_data(req: Req, applicant: Applicant) -> Any:
    """The stored data of the current version (a fresh copy; versions never change, so cached)."""
    if applicant.current_file is None:
        return {"kind": applicant.kind}
    return copy.deepcopy(_data(req.state.store.application_path(applicant.id, applicant.current_file), applicant.kind))


@functools.lru_cache(maxsize=256)
def _data(path: Path, kind: str) -> Any:
    try:
        if path.suffix.lower() in WORKBOOK_SUFFIXES:  # an uploaded workbook: its cells, labels as codes
            return application_data(path)
        return read_yaml(path.read_bytes())
    except Exception:  # a broken upload: the form starts empty, the problems say why
        return {"kind": kind}


class Conflict(Exception):
    """Someone else saved the application since this form was loaded."""


def save_version(
    req: Req,
    applicant: Applicant,
    round_: Round,
    raw: bytes,
    suffix: str,
    expected_version: int,
    action: str,
    source_name: str | None = None,
) -> Outcome:
    """Store ``raw`` as the applicant's new current version in this transaction (conflict-checked);
    ``source_name`` is the name of an uploaded file (None for a version the workbench wrote)."""
    name, sha = req.state.store.write_version(applicant.id, raw, suffix)
    before = applicant.current_sha or ""
    result = req.state.store.check(applicant.id, name, criteria=round_.rubric, as_of=round_.as_of)
    checked = result.checked
    kept = summaries.encoded(summaries.summary(req.session, applicant.id, result))  # read before the write lock
    updated = req.session.execute(
        update(Applicant)
        .where(Applicant.id == applicant.id, Applicant.version == expected_version)
        .values(
            current_file=name,
            current_sha=sha,
            source_name=source_name,
            version=expected_version + 1,
            eligible=checked.result.eligible if checked else None,
            score=checked.result.score if checked else None,
            problems=len(result.problems),
            updated_at=now(),
        )
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict
    checks.record(
        req.session, applicant.id, sha, round_.rubric, round_.as_of, checks.shown(result), current=True, summary=kept
    )
    req.audit(action, f"申报 {applicant.id} {applicant.name}", before=before, after=sha)
    req.session.commit()  # saved; the page is rendered after the write lock is released
    req.session.refresh(applicant)
    return result


def reconciliation(req: Req, applicant: Applicant, checked: Any) -> ReconciledResult | None:
    """The panel's reconciled result over every stored review of the applicant."""
    reviews = req.session.scalars(select(Review).where(Review.applicant_id == applicant.id).order_by(Review.id)).all()
    if not reviews:
        return None
    return reconcile_reviews(checked, [r.data for r in reviews])


def problems_by_key(problems: list[Problem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in problems:
        text = problem.message
        # A missing field's "found" and "expected" name the field by its code; the form shows its label.
        missing = problem.found in ("", "（无）") and re.fullmatch(r"填写 [a-z_]+", problem.expected or "")
        if problem.found and not missing:
            text += f"（实际：{problem.found}）"
        if problem.expected and not missing:
            text += f"（应为：{problem.expected}）"
        found.setdefault(problem.key, []).append(text)
    return found


def today() -> dt.date:
    return dt.date.today()


__all__ = ["Conflict", "applicant_for", "digest", "outcome", "save_version", "shown_outcome"]
