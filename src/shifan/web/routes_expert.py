"""The expert's pages: assigned applicants, the review form (the review sheet's fields), the
panel's reconciliation and the 评审意见表."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from shifan.evaluate.pipeline import Checked
from shifan.present.formats import REVIEW_REPORT, SUFFIXES, ReviewReport
from shifan.review.model import (
    CONCLUSION_LABELS,
    VERIFICATION_LABELS,
    ApplicationRef,
    Computed,
    Conclusion,
    FinalOpinion,
    Reviewer,
    ReviewFile,
    ReviewItem,
    RubricRef,
    Verification,
)
from shifan.web.app import Req, digest, page
from shifan.web.db import Applicant, Assignment, Attachment, Review, Round, User, now
from shifan.web.downloads import attachment
from shifan.web.round_checks import refresh_row
from shifan.web.service import applicant_for, outcome, reconciliation, today
from shifan.web.store import validate_review


def assigned(req: Req) -> Response:
    rows = req.session.execute(
        select(Applicant, Round, Review)
        .join(Assignment, Assignment.applicant_id == Applicant.id)
        .join(Round, Round.id == Applicant.round_id)
        .outerjoin(Review, (Review.applicant_id == Applicant.id) & (Review.expert_id == req.me.id))
        .where(Assignment.expert_id == req.me.id)
        .order_by(Round.id, Applicant.name)
    ).all()
    return req.page("expert_home.html", rows=rows)


def _number(raw: str) -> Any:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        return raw


def build_review(req: Req, checked: Checked, sign: bool) -> ReviewFile:
    """The review sheet the posted form describes (raises ValidationError when it is invalid)."""
    me = req.me
    result = checked.result
    items: dict[str, Any] = {}
    for criterion in result.criteria:
        key = criterion.id
        decision = req.field(f"{key}.override")
        items[key] = {
            "computed": Computed(status=criterion.status, points=criterion.points, observed=criterion.observed[:500]),
            "self_score": criterion.self_score,
            "score": None if criterion.gate else _number(req.field(f"{key}.score")),
            "remark": req.field(f"{key}.remark"),
            "verification": req.field(f"{key}.verification") or Verification.NOT_CHECKED.value,
            "override": {"decision": decision, "reason": req.field(f"{key}.reason")}
            if criterion.gate and decision
            else None,
        }
    return ReviewFile.model_validate(
        {
            "kind": "review",
            "application": ApplicationRef(
                path=checked.loaded.path.name,
                sha256=checked.loaded.sha256,
                name=result.applicant.name,
                id=result.applicant.id,
            ),
            "rubric": RubricRef(id=checked.rubric.id, sha256=checked.rubric.sha256, version=checked.rubric.version),
            "as_of": result.as_of,
            "reviewer": Reviewer(
                name=me.display_name,
                organisation=me.organisation,
                title=req.field("title"),
                signed=today() if sign else None,
            ),
            "items": {key: ReviewItem.model_validate(item) for key, item in items.items()},
            "final_opinion": FinalOpinion(
                conclusion=Conclusion(req.field("conclusion") or "pending"), text=req.field("opinion")
            ),
        }
    )


def _page(
    req: Req,
    applicant: Applicant,
    round_: Round,
    *,
    errors: list[str] | None = None,
    message: str = "",
    draft: ReviewFile | None = None,
    status_code: int = 200,
) -> Response:
    result = outcome(req, applicant, round_)
    checked = result.checked if result else None
    mine = None
    version = 0
    if req.me.role == "expert":
        stored = req.session.scalar(
            select(Review).where(Review.applicant_id == applicant.id, Review.expert_id == req.me.id)
        )
        mine = draft or (ReviewFile.model_validate_json(stored.data) if stored else None)
        version = stored.version if stored else 0
    reconciled = reconciliation(req, applicant, checked) if checked else None
    files = req.session.scalars(select(Attachment).where(Attachment.applicant_id == applicant.id)).all()
    experts = req.session.execute(
        select(User.display_name, Review.signed)
        .join(Assignment, Assignment.expert_id == User.id)
        .outerjoin(Review, (Review.expert_id == User.id) & (Review.applicant_id == applicant.id))
        .where(Assignment.applicant_id == applicant.id)
    ).all()
    return req.page(
        "review.html",
        status_code,
        applicant=applicant,
        round=round_,
        checked=checked,
        problems=result.problems if result else [],
        mine=mine,
        version=version,
        reconciled=reconciled,
        files=files,
        experts=experts,
        errors=errors or [],
        message=message,
        verifications=VERIFICATION_LABELS,
        conclusions=CONCLUSION_LABELS,
        formats=REVIEW_REPORT.formats,
    )


def show(req: Req) -> Response:
    applicant, round_ = applicant_for(req)
    return _page(req, applicant, round_)


def save(req: Req) -> Response:
    applicant, round_ = applicant_for(req)
    if req.me.role != "expert":
        raise HTTPException(404)
    result = outcome(req, applicant, round_)
    if result is None or result.checked is None:
        return _page(req, applicant, round_, errors=["申报数据有错误，暂不能评审。"], status_code=400)
    checked = result.checked
    try:
        review = build_review(req, checked, sign=req.field("sign") == "on")
    except ValidationError as error:
        messages = [f"{'.'.join(str(p) for p in e['loc'])}：{e['msg']}" for e in error.errors()]
        return _page(req, applicant, round_, errors=messages, status_code=400)
    problems = validate_review(checked, review)
    if problems:
        return _page(
            req,
            applicant,
            round_,
            errors=[f"{p.key}：{p.message}" if p.key else p.message for p in problems],
            draft=review,
            status_code=400,
        )
    stored = req.session.scalar(
        select(Review).where(Review.applicant_id == applicant.id, Review.expert_id == req.me.id)
    )
    data = review.model_dump_json()
    before = digest(stored.data) if stored else ""
    if stored is None:
        stored = Review(
            applicant_id=applicant.id, expert_id=req.me.id, data=data, application_sha=checked.loaded.sha256, version=0
        )
        req.session.add(stored)
    else:
        expected = req.field("version")
        if expected != str(stored.version):
            return _page(
                req,
                applicant,
                round_,
                errors=["保存失败：您的评审已在另一窗口修改。下面是最新内容，请核对后重新保存。"],
                status_code=409,
            )
        stored.data = data
        stored.application_sha = checked.loaded.sha256
    stored.signed = review.reviewer.signed is not None
    stored.version += 1
    stored.updated_at = now()
    req.session.flush()
    refresh_row(req.session, applicant, round_, result)  # the dashboard's row, with this review
    req.audit(
        "签字评审" if stored.signed else "保存评审",
        f"申报 {applicant.id} {applicant.name}",
        before=before,
        after=digest(data),
    )
    req.session.commit()  # saved; the page is rendered after the write lock is released
    return _page(req, applicant, round_, message="评审已签字。" if stored.signed else "评审已保存（尚未签字）。")


def review_report(req: Req) -> Response:
    applicant, round_ = applicant_for(req)
    if req.me.role == "applicant":
        raise HTTPException(404)
    fmt = req.request.path_params["fmt"]
    if fmt not in REVIEW_REPORT.formats:
        raise HTTPException(404)
    result = outcome(req, applicant, round_)
    if result is None or result.checked is None:
        return _page(req, applicant, round_, errors=["申报数据有错误，暂不能生成评审意见表。"], status_code=400)
    reconciled = reconciliation(req, applicant, result.checked)
    data = REVIEW_REPORT.write(ReviewReport(result.checked, reconciled), None, fmt)
    return attachment(data, f"{applicant.name}评审意见表{SUFFIXES[fmt][0]}")


ROUTES = [
    page("/expert", assigned, roles=["expert"]),
    page("/reviews/{aid:int}", show, roles=["expert", "staff"]),
    page("/reviews/{aid:int}", save, roles=["expert"], methods=["POST"]),
    page("/reviews/{aid:int}/report.{fmt}", review_report, roles=["expert", "staff"]),
]
