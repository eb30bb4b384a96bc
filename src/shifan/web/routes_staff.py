"""Provincial staff: rounds, accounts, assignments, the dashboard, the recommendation list,
the round export and the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from shifan.load.rubric import shipped_rubric_ids
from shifan.web import invitations
from shifan.web.app import Req, fits, page
from shifan.web.dashboard import QUOTA_BY, dashboard
from shifan.web.dashboard import round_of as _round
from shifan.web.dashboard_filters import KINDS, back_query
from shifan.web.db import ROLES, Applicant, Assignment, AuditEntry, Invitation, Job, Round, User
from shifan.web.downloads import attachment
from shifan.web.invitations import unusable_password
from shifan.web.jobs import export_round, run_recommendation

#: What each file ``shifan recommend`` writes is, for the job page.
JOB_FILES = {
    "recommendation.pdf": "拟推荐名单（PDF，供印发）",
    "recommendation.docx": "拟推荐名单（Word）",
    "recommendation.xlsx": "拟推荐名单和附件（Excel）",
    "recommendation.csv": "拟推荐名单（CSV）",
    "annex.csv": "未列入名单的申报及原因（CSV）",
    "notice.txt": "公示文本",
    "notice.docx": "公示（Word）",
    "recommendation.json": "全部数据（JSON）",
}
TOO_LONG = "填写的内容过长：名称、姓名和工作单位不超过 200 字，地市不超过 100 字，用户名不超过 64 个字符。"


def rounds(req: Req) -> Response:
    rows = req.session.scalars(select(Round).order_by(Round.id.desc())).all()
    return req.page("staff_home.html", rounds=rows, rubrics=shipped_rubric_ids(), quota_by=QUOTA_BY, error="")


def create_round(req: Req) -> Response:
    try:
        as_of = dt.date.fromisoformat(req.field("as_of"))
        quota = int(req.field("quota"))
        min_score = float(req.field("min_score")) if req.field("min_score") else None
    except ValueError:
        rows = req.session.scalars(select(Round).order_by(Round.id.desc())).all()
        return req.page(
            "staff_home.html",
            400,
            rounds=rows,
            rubrics=shipped_rubric_ids(),
            quota_by=QUOTA_BY,
            error="评价基准日、名额或最低分格式不正确。",
        )
    name = req.field("name") or f"{as_of.year} 年度评审"
    if not fits(Round.name, name):
        rows = req.session.scalars(select(Round).order_by(Round.id.desc())).all()
        return req.page(
            "staff_home.html", 400, rounds=rows, rubrics=shipped_rubric_ids(), quota_by=QUOTA_BY, error=TOO_LONG
        )
    rubric = req.field("rubric") or None
    if rubric is not None and rubric not in shipped_rubric_ids():
        raise HTTPException(400)
    round_ = Round(
        name=name,
        rubric=rubric,
        as_of=as_of,
        quota=max(quota, 1),
        quota_by=req.field("quota_by") or None,
        min_score=min_score,
    )
    req.session.add(round_)
    req.session.flush()
    req.audit("创建评审批次", f"批次 {round_.id} {name}", after=f"{as_of} 名额 {quota}")
    return RedirectResponse(f"/staff/rounds/{round_.id}", 303)


def show_round(req: Req) -> Response:
    return dashboard(req)


def _too_long(req: Req) -> bool:
    """Whether a posted name, city, organisation or user name is longer than its column."""
    columns = {"name": User.display_name, "organisation": User.organisation, "city": Applicant.city}
    return any(not fits(column, req.field(key)) for key, column in columns.items()) or not fits(
        User.username, req.field("username")
    )


def _new_user(req: Req, role: str, display: str, organisation: str = "") -> User | None:
    """A new account that cannot sign in until its invitation link is used."""
    username = req.field("username")
    if not username or not display:
        return None
    if req.session.scalar(select(User.id).where(User.username == username)) is not None:
        return None
    user = User(
        username=username,
        password_hash=unusable_password(),
        role=role,
        display_name=display,
        organisation=organisation,
    )
    req.session.add(user)
    req.session.flush()
    req.audit("创建账号", f"{ROLES[role]} {username}", after=display)
    return user


def add_applicant(req: Req) -> Response:
    round_ = _round(req)
    name = req.field("name")
    kind = req.field("kind")
    if kind not in KINDS:
        raise HTTPException(400)
    if _too_long(req):
        return dashboard(req, status_code=400, error=TOO_LONG)
    user = _new_user(req, "applicant", name)
    if user is None:
        return dashboard(req, status_code=400, error="请填写单位名称和未被占用的用户名。")
    applicant = Applicant(round_id=round_.id, user_id=user.id, name=name, kind=kind, city=req.field("city"))
    req.session.add(applicant)
    req.session.flush()
    req.audit("邀请申报单位", f"申报 {applicant.id} {name}", after=f"批次 {round_.id}")
    return dashboard(req, created=invitations.issue(req, user, round_.id))


def add_expert(req: Req) -> Response:
    round_ = _round(req)
    if _too_long(req):
        return dashboard(req, status_code=400, error=TOO_LONG)
    user = _new_user(req, "expert", req.field("name"), req.field("organisation"))
    if user is None:
        return dashboard(req, status_code=400, error="请填写专家姓名和未被占用的用户名。")
    return dashboard(req, created=invitations.issue(req, user, round_.id))


def reissue(req: Req) -> Response:
    """A new link for someone invited to this round (the old one expired or was lost)."""
    round_ = _round(req)
    user = req.session.get(User, req.param("uid"))
    invited = req.session.scalar(
        select(Invitation.id).where(Invitation.round_id == round_.id, Invitation.user_id == req.param("uid"))
    )
    if user is None or invited is None or user.role == "staff":
        raise HTTPException(404)
    return dashboard(req, created=invitations.issue(req, user, round_.id))


def _back(req: Req, round_id: int) -> str:
    """The dashboard view (filters and page) the form was posted from."""
    query = back_query(req.field("back"))
    return f"/staff/rounds/{round_id}" + (f"?{query}" if query else "")


def _id(text: str) -> int | None:
    """A record number posted by a form; anything else (a forged or damaged form) is None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def assign(req: Req) -> Response:
    round_ = _round(req)
    applicant_id, expert_id = _id(req.field("applicant")), _id(req.field("expert"))
    applicant = req.session.get(Applicant, applicant_id) if applicant_id else None
    expert = req.session.get(User, expert_id) if expert_id else None
    if applicant is None or applicant.round_id != round_.id or expert is None or expert.role != "expert":
        raise HTTPException(400)
    exists = req.session.scalar(
        select(Assignment.id).where(Assignment.applicant_id == applicant.id, Assignment.expert_id == expert.id)
    )
    if exists is None:
        req.session.add(Assignment(applicant_id=applicant.id, expert_id=expert.id))
        req.audit("分配专家", f"申报 {applicant.id} {applicant.name}", after=expert.username)
    return RedirectResponse(_back(req, round_.id), 303)


def reopen(req: Req) -> Response:
    applicant = req.session.get(Applicant, req.param("aid"))
    if applicant is None:
        raise HTTPException(404)
    if applicant.status == "submitted":
        applicant.status = "draft"
        req.audit("退回修改", f"申报 {applicant.id} {applicant.name}", before="submitted", after="draft")
    return RedirectResponse(_back(req, applicant.round_id), 303)


def start_recommendation(req: Req) -> Response:
    round_ = _round(req)
    job = Job(round_id=round_.id, kind="recommendation", status="running")
    req.session.add(job)
    req.session.flush()
    req.audit("生成拟推荐名单", f"批次 {round_.id} {round_.name}", after=f"任务 {job.id}")
    state = req.state
    job_id = job.id
    # The job starts once this transaction has committed (it reads the row in its own session).
    req.session.info.setdefault("after_commit", []).append(
        lambda: state.jobs.submit(run_recommendation, state.db, state.store, job_id)
    )
    return RedirectResponse(f"/staff/jobs/{job_id}", 303)


def _job(req: Req) -> Job:
    job = req.session.get(Job, req.param("jid"))
    if job is None:
        raise HTTPException(404)
    return job


def show_job(req: Req) -> Response:
    job = _job(req)
    files = sorted(p.name for p in Path(job.folder).iterdir()) if job.folder and Path(job.folder).is_dir() else []
    return req.page("job.html", job=job, files=[(name, JOB_FILES.get(name, name)) for name in files])


def job_file(req: Req) -> Response:
    job = _job(req)
    name = req.request.path_params["name"]
    if not job.folder:
        raise HTTPException(404)
    allowed = {p.name: p for p in Path(job.folder).iterdir()}
    if name not in allowed:
        raise HTTPException(404)
    return attachment(allowed[name].read_bytes(), f"拟推荐名单-{name}")


def export(req: Req) -> Response:
    round_ = _round(req)
    with tempfile.TemporaryDirectory(prefix="shifan-export-") as tmp:
        count = export_round(req.state.db, req.state.store, round_.id, Path(tmp))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    archive.write(path, f"申报材料/{path.relative_to(tmp).as_posix()}")
    req.audit("导出批次", f"批次 {round_.id} {round_.name}", detail=f"{count} 个申报")
    return attachment(buffer.getvalue(), f"{round_.name}-申报材料.zip")


def audit_log(req: Req) -> Response:
    entries = req.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500)).all()
    return req.page("audit.html", entries=entries)


def audit_csv(req: Req) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["时间（UTC）", "用户", "操作", "对象", "修改前摘要", "修改后摘要", "说明"])
    for entry in req.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        writer.writerow(
            [
                entry.at.isoformat(timespec="seconds"),
                entry.username,
                entry.action,
                entry.target,
                entry.before,
                entry.after,
                entry.detail,
            ]
        )
    req.audit("导出审计日志", "审计日志")
    return attachment(("\ufeff" + buffer.getvalue()).encode("utf-8"), "审计日志.csv")


STAFF = ["staff"]
ROUTES = [
    page("/staff", rounds, roles=STAFF),
    page("/staff/rounds", create_round, roles=STAFF, methods=["POST"]),
    page("/staff/rounds/{rid:int}", show_round, roles=STAFF),
    page("/staff/rounds/{rid:int}/applicants", add_applicant, roles=STAFF, methods=["POST"]),
    page("/staff/rounds/{rid:int}/experts", add_expert, roles=STAFF, methods=["POST"]),
    page("/staff/rounds/{rid:int}/invitations/{uid:int}", reissue, roles=STAFF, methods=["POST"]),
    page("/staff/rounds/{rid:int}/assign", assign, roles=STAFF, methods=["POST"]),
    page("/staff/rounds/{rid:int}/recommend", start_recommendation, roles=STAFF, methods=["POST"]),
    page("/staff/rounds/{rid:int}/export.zip", export, roles=STAFF),
    page("/staff/applicants/{aid:int}/reopen", reopen, roles=STAFF, methods=["POST"]),
    page("/staff/jobs/{jid:int}", show_job, roles=STAFF),
    page("/staff/jobs/{jid:int}/files/{name}", job_file, roles=STAFF),
    page("/staff/audit", audit_log, roles=STAFF),
    page("/staff/audit.csv", audit_csv, roles=STAFF),
]
