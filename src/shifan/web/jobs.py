"""Long work in the background: the recommendation list of a round and an applicant's 自评报告 PDF
are built in a worker thread while the server keeps serving; the job row records progress and the
files written."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path
from typing import cast

from sqlalchemy import select

from shifan.present.formats import SELF_REPORT
from shifan.present.recommendation import DEFAULT_FORMATS, write_recommendation
from shifan.recommend import recommend
from shifan.recommend.ranking import QuotaBy
from shifan.web.db import Applicant, Database, Job, Review, Round, User
from shifan.web.store import REVIEWS_FOLDER, Store, export_applicant

logger = logging.getLogger(__name__)


def slug(applicant: Applicant) -> str:
    """A folder name for an applicant: its id and name, without path characters."""
    clean = re.sub(r"[\\/:*?\"<>|\s.]+", "_", applicant.name).strip("_")[:60]
    return f"{applicant.id:04d}-{clean or '申报单位'}"


def export_round(db: Database, store: Store, round_id: int, dest: Path) -> int:
    """The round's applications (with evidence and reviews) in the folder layout ``batch`` reads."""
    count = 0
    with db.session() as session:
        applicants = session.scalars(
            select(Applicant).where(Applicant.round_id == round_id).order_by(Applicant.id)
        ).all()
        for applicant in applicants:
            if applicant.current_file is None:
                continue
            reviews = session.execute(
                select(User.username, Review.data)
                .join(User, User.id == Review.expert_id)
                .where(Review.applicant_id == applicant.id)
            ).all()
            export_applicant(
                store, applicant.id, applicant.current_file, slug(applicant), [(r[0], r[1]) for r in reviews], dest
            )
            count += 1
    return count


def job_folder(store: Store, job_id: int) -> Path:
    return store.root / "jobs" / str(job_id)


def run_recommendation(db: Database, store: Store, job_id: int) -> None:
    """Export the round, then run ``recommend`` and ``write_recommendation`` as the command does."""
    folder = job_folder(store, job_id)
    try:
        with db.session() as session:
            job = session.get(Job, job_id)
            assert job is not None
            round_ = session.get(Round, job.round_id)
            assert round_ is not None
            settings = (round_.id, round_.quota, round_.quota_by, round_.min_score, round_.rubric, round_.as_of)
        round_id, quota, quota_by, min_score, rubric, as_of = settings
        source = folder / "申报材料"
        if source.exists():
            shutil.rmtree(source)
        export_round(db, store, round_id, source)

        def progress(done: int, total: int) -> None:
            with db.session() as session:
                row = session.get(Job, job_id)
                if row is not None:
                    row.done, row.total = done, total

        result = recommend(
            source,
            quota=quota,
            quota_by=cast("QuotaBy | None", quota_by),
            min_score=min_score,
            criteria=rubric,
            reviews_dir=source / REVIEWS_FOLDER if (source / REVIEWS_FOLDER).is_dir() else None,
            as_of=as_of,
            jobs=1,
            progress=progress,
        )
        out = folder / "推荐名单"
        write_recommendation(out, result.recommendation, DEFAULT_FORMATS, rows=result.rows)
        with db.session() as session:
            row = session.get(Job, job_id)
            assert row is not None
            row.status = "done"
            row.folder = str(out)
            row.message = f"有 {result.failures} 个文件无法处理，已列入附件。" if result.failures else ""
    except Exception as error:
        _failed(db, job_id, "recommendation", error)


#: The file a 自评报告 job writes in its folder.
SELF_REPORT_FILE = "自评报告.pdf"


def _failed(db: Database, job_id: int, what: str, error: Exception) -> None:
    """Log a job that failed and mark it failed with the reason, for its page."""
    logger.exception("%s job %s failed", what, job_id)
    with db.session() as session:
        row = session.get(Job, job_id)
        if row is not None:
            row.status = "failed"
            row.message = f"生成失败：{error}"


def _job_progress(db: Database, job_id: int, done: int, total: int) -> None:
    with db.session() as session:
        row = session.get(Job, job_id)
        if row is not None:
            row.done, row.total = done, total


def run_self_report(db: Database, store: Store, job_id: int) -> None:
    """Check the applicant's current version and render its 自评报告 PDF, as ``shifan report`` does."""
    folder = job_folder(store, job_id)
    try:
        with db.session() as session:
            job = session.get(Job, job_id)
            assert job is not None and job.applicant_id is not None
            applicant = session.get(Applicant, job.applicant_id)
            round_ = session.get(Round, job.round_id)
            assert applicant is not None and round_ is not None
            target = (applicant.id, applicant.current_file, round_.rubric, round_.as_of)
        applicant_id, current, rubric, as_of = target
        _job_progress(db, job_id, 0, 2)
        result = store.check(applicant_id, current, criteria=rubric, as_of=as_of) if current else None
        if result is None or result.checked is None:
            message = "申报数据有错误，改正后才能生成自评报告。"
        else:
            _job_progress(db, job_id, 1, 2)
            SELF_REPORT.write(result.checked, folder / SELF_REPORT_FILE, "pdf")
            message = ""
        with db.session() as session:
            row = session.get(Job, job_id)
            assert row is not None
            row.status = "failed" if message else "done"
            row.message = message
            if not message:
                row.done, row.folder = 2, str(folder)
    except Exception as error:
        _failed(db, job_id, "self-report", error)
