"""The staff dashboard of a round: totals, applicants with their flags and the pre-flight
problems of the recommendation list (:mod:`shifan.web.round_checks`), invitations, assignments
and jobs.

The totals and the by-city table describe the whole round (SQL aggregates); the applicant table
shows one page of the applicants the filters select (:mod:`shifan.web.dashboard_filters`), read
with LIMIT/OFFSET, and only that page's reviews, assignments and stale reviews are looked up. The
pre-flight needs every applicant with an application (it compares them with each other), so those
are read whole; their rows are kept, so that is no evaluation."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from shifan.web import dashboard_filters as view
from shifan.web.app import Req
from shifan.web.dashboard_filters import KINDS, NO_CITY, PAGE_SIZE, signed_review, stale_review
from shifan.web.db import Applicant, Assignment, Invitation, Job, Review, Round, User, now
from shifan.web.invitations import Issued, status
from shifan.web.round_checks import RoundChecks, round_checks

QUOTA_BY = {"": "每类申报合计", "category": "按机构类别", "region": "按地市"}


def round_of(req: Req) -> Round:
    round_ = req.session.get(Round, req.param("rid"))
    if round_ is None:
        raise HTTPException(404)
    return round_


def _totals(req: Req, round_: Round) -> dict[str, int]:
    """The round's totals in one aggregate query."""
    row = req.session.execute(
        select(
            func.count(),
            func.count().filter(Applicant.status == "submitted"),
            func.count().filter(Applicant.eligible.is_(True)),
            func.count().filter(signed_review()),
            func.count().filter(Applicant.problems != 0),
            func.count().filter(stale_review()),
        ).where(Applicant.round_id == round_.id)
    ).one()
    return dict(zip(["applicants", "submitted", "eligible", "reviewed", "problems", "stale"], row, strict=True))


def _by_city(req: Req, round_: Round) -> Counter[tuple[str, str]]:
    """The round's applicants by (city, status); those without a city under :data:`NO_CITY`."""
    counted: Counter[tuple[str, str]] = Counter()
    for city, state, count in req.session.execute(
        select(Applicant.city, Applicant.status, func.count())
        .where(Applicant.round_id == round_.id)
        .group_by(Applicant.city, Applicant.status)
    ).all():
        counted[(city or NO_CITY, state)] += count
    return counted


def _checks(req: Req, round_: Round) -> RoundChecks:
    """Flags and pre-flight of the round: over every applicant with an application (the columns
    the pre-flight reads, not whole objects)."""
    with_files = req.session.execute(
        select(Applicant.id, Applicant.name, Applicant.current_file, Applicant.current_sha).where(
            Applicant.round_id == round_.id, Applicant.current_file.is_not(None), Applicant.current_sha.is_not(None)
        )
    ).all()
    return round_checks(req, round_, with_files)


def _table(req: Req, round_: Round, checks: RoundChecks, cities: list[str]) -> dict[str, Any]:
    """The page of the applicant table the query string asks for, with what its rows show."""
    flagged = {i for i, flags in checks.flags.items() if flags} | set(checks.excluded)
    filters = view.parse(req.request.query_params, cities)
    selected = view.where(round_.id, filters, flagged)
    total = req.session.scalar(select(func.count()).select_from(Applicant).where(selected)) or 0
    filters, paging = view.paging(filters, total)
    applicants = req.session.scalars(
        select(Applicant)
        .where(selected)
        .order_by(Applicant.city, Applicant.name, Applicant.id)
        .limit(PAGE_SIZE)
        .offset(paging.offset)
    ).all()
    ids = [a.id for a in applicants]
    reviews = dict(
        req.session.execute(
            select(Review.applicant_id, func.count(Review.id))
            .where(Review.applicant_id.in_(ids), Review.signed.is_(True))
            .group_by(Review.applicant_id)
        ).all()
    )
    stale = set(
        req.session.scalars(
            select(Review.applicant_id)
            .join(Applicant, Applicant.id == Review.applicant_id)
            .where(
                Applicant.round_id == round_.id,
                Review.applicant_id.in_(ids),
                Review.application_sha != Applicant.current_sha,
            )
        ).all()
    )
    assigned: dict[int, list[str]] = {}
    for applicant_id, name in req.session.execute(
        select(Assignment.applicant_id, User.display_name)
        .join(User, User.id == Assignment.expert_id)
        .where(Assignment.applicant_id.in_(ids))
        .order_by(Assignment.id)
    ).all():
        assigned.setdefault(applicant_id, []).append(name)
    return {
        **view.context(filters),
        "applicants": applicants,
        "paging": paging,
        "reviews": reviews,
        "stale": stale,
        "assigned": assigned,
    }


def dashboard(req: Req, *, created: Issued | None = None, status_code: int = 200, error: str = "") -> Response:
    round_ = round_of(req)
    checks = _checks(req, round_)
    by_city = _by_city(req, round_)
    cities = sorted({city for city, _ in by_city})
    experts = req.session.scalars(select(User).where(User.role == "expert").order_by(User.display_name)).all()
    jobs = req.session.scalars(
        select(Job).where(Job.round_id == round_.id, Job.kind == "recommendation").order_by(Job.id.desc()).limit(5)
    ).all()
    at = now()
    invited = [
        (user, invitation, status(invitation, at))
        for invitation, user in req.session.execute(
            select(Invitation, User)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.round_id == round_.id, Invitation.revoked.is_(False))
            .order_by(Invitation.id.desc())
        ).all()
    ]
    return req.page(
        "dashboard.html",
        status_code,
        round=round_,
        **_table(req, round_, checks, cities),
        by_city=by_city,
        cities=cities,
        experts=experts,
        jobs=jobs,
        totals=_totals(req, round_),
        kinds=KINDS,
        quota_by=QUOTA_BY,
        created=created,
        invited=invited,
        checks=checks,
        error=error,
    )
