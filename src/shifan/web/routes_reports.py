"""The 自评报告 PDF as a background job: whoever may see an application starts one, watches its
progress (the page refreshes itself) and downloads the PDF when it is ready; the server keeps
serving other requests meanwhile."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from shifan.web.app import Req, page
from shifan.web.db import Applicant, Job
from shifan.web.downloads import attachment
from shifan.web.jobs import SELF_REPORT_FILE, run_self_report
from shifan.web.service import applicant_for

KIND = "self_report"
ROLES = ["staff", "applicant", "expert"]


def recent_jobs(req: Req, applicant: Applicant, limit: int = 3) -> list[Job]:
    """The applicant's latest 自评报告 jobs, newest first (shown on the application page)."""
    return list(
        req.session.scalars(
            select(Job).where(Job.applicant_id == applicant.id, Job.kind == KIND).order_by(Job.id.desc()).limit(limit)
        )
    )


def start(req: Req) -> Response:
    applicant, round_ = applicant_for(req)
    if applicant.current_file is None:
        raise HTTPException(404)
    job = Job(round_id=round_.id, applicant_id=applicant.id, kind=KIND, status="running", total=2)
    req.session.add(job)
    req.session.flush()
    req.audit(
        "生成自评报告",
        f"申报 {applicant.id} {applicant.name}",
        after=applicant.current_sha or "",
        detail=f"任务 {job.id}",
    )
    state = req.state
    job_id = job.id
    # The job starts once this transaction has committed (it reads the row in its own session).
    req.session.info.setdefault("after_commit", []).append(
        lambda: state.jobs.submit(run_self_report, state.db, state.store, job_id)
    )
    return RedirectResponse(f"/applications/{applicant.id}/jobs/{job_id}", 303)


def _job(req: Req) -> tuple[Applicant, Job]:
    applicant, _ = applicant_for(req)
    job = req.session.get(Job, req.param("jid"))
    if job is None or job.applicant_id != applicant.id or job.kind != KIND:
        raise HTTPException(404)
    return applicant, job


def show(req: Req) -> Response:
    applicant, job = _job(req)
    ready = job.status == "done" and job.folder is not None and (Path(job.folder) / SELF_REPORT_FILE).is_file()
    return req.page("report_job.html", applicant=applicant, job=job, ready=ready)


def download(req: Req) -> Response:
    applicant, job = _job(req)
    path = Path(job.folder) / SELF_REPORT_FILE if job.folder else None
    if job.status != "done" or path is None or not path.is_file():
        raise HTTPException(404)
    return attachment(path.read_bytes(), f"{applicant.name}自评报告.pdf")


ROUTES = [
    page("/applications/{aid:int}/self-report-jobs", start, roles=ROLES, methods=["POST"]),
    page("/applications/{aid:int}/jobs/{jid:int}", show, roles=ROLES),
    page("/applications/{aid:int}/jobs/{jid:int}/self-report.pdf", download, roles=ROLES),
]
