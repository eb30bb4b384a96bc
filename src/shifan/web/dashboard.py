"""The staff dashboard of a round: totals, applicants with their flags and the pre-flight
problems of the recommendation list (:mod:`shifan.web.round_checks`), invitations, assignments
and jobs."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from shifan.web.app import Req
from shifan.web.db import Applicant, Assignment, Invitation, Job, Review, Round, User, now
from shifan.web.invitations import Issued, status
from shifan.web.round_checks import round_checks

QUOTA_BY = {"": "每类申报合计", "category": "按机构类别", "region": "按地市"}
KINDS = {"institution": "示范机构", "region": "示范县（市、区）"}


def round_of(req: Req) -> Round:
    round_ = req.session.get(Round, req.param("rid"))
    if round_ is None:
        raise HTTPException(404)
    return round_


def dashboard(req: Req, *, created: Issued | None = None, status_code: int = 200, error: str = "") -> Response:
    round_ = round_of(req)
    applicants = req.session.scalars(
        select(Applicant).where(Applicant.round_id == round_.id).order_by(Applicant.city, Applicant.name)
    ).all()
    reviews = dict(
        req.session.execute(
            select(Review.applicant_id, func.count(Review.id))
            .where(Review.signed.is_(True))
            .group_by(Review.applicant_id)
        ).all()
    )
    stale = {
        row[0]
        for row in req.session.execute(
            select(Review.applicant_id)
            .join(Applicant, Applicant.id == Review.applicant_id)
            .where(Review.application_sha != Applicant.current_sha)
        ).all()
    }
    assigned: dict[int, list[str]] = {}
    for applicant_id, name in req.session.execute(
        select(Assignment.applicant_id, User.display_name).join(User, User.id == Assignment.expert_id)
    ).all():
        assigned.setdefault(applicant_id, []).append(name)
    by_city = Counter((a.city or "未填地市", a.status) for a in applicants)
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
    totals = {
        "applicants": len(applicants),
        "submitted": sum(a.status == "submitted" for a in applicants),
        "eligible": sum(bool(a.eligible) for a in applicants),
        "reviewed": sum(1 for a in applicants if reviews.get(a.id)),
        "problems": sum(1 for a in applicants if a.problems),
        "stale": len(stale & {a.id for a in applicants}),
    }
    return req.page(
        "dashboard.html",
        status_code,
        round=round_,
        applicants=applicants,
        reviews=reviews,
        stale=stale,
        assigned=assigned,
        by_city=by_city,
        cities=cities,
        experts=experts,
        jobs=jobs,
        totals=totals,
        kinds=KINDS,
        quota_by=QUOTA_BY,
        created=created,
        invited=invited,
        checks=round_checks(req, round_, applicants),
        error=error,
    )
