"""The applicant's pages: the application form with its check beside it, uploads, evidence,
the 自评报告 and submission."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from shifan.errors import Problem, ShifanError
from shifan.evaluate.pipeline import Checked
from shifan.present.formats import SELF_REPORT, SUFFIXES
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.rubric import Rubric
from shifan.web.app import Req, page
from shifan.web.checks import Shown, Summary
from shifan.web.db import Applicant, Attachment
from shifan.web.downloads import attachment
from shifan.web.forms import attach_errors, build_form, parse_form
from shifan.web.routes_reports import recent_jobs
from shifan.web.service import (
    Conflict,
    applicant_for,
    current_data,
    outcome,
    problems_by_key,
    save_version,
    shown_outcome,
)
from shifan.web.store import APPLICATION_SUFFIXES, EVIDENCE_SUFFIXES, Outcome, cached_rubric, yaml_bytes

MODELS: dict[str, type[InstitutionApplication] | type[RegionApplication]] = {
    "institution": InstitutionApplication,
    "region": RegionApplication,
}


def my_applications(req: Req) -> Response:
    mine = req.session.scalars(select(Applicant).where(Applicant.user_id == req.me.id)).all()
    if len(mine) == 1:
        return RedirectResponse(f"/applications/{mine[0].id}", 303)
    return req.page("applicant_home.html", applicants=mine)


def _rubric(applicant: Applicant, rubric_id: str | None, checked: Checked | Summary | None) -> Rubric | None:
    if checked is not None:
        return checked.rubric
    try:
        return cached_rubric(rubric_id or f"national/{applicant.kind}")
    except ShifanError:
        return None


def evidence_types(applicant: Applicant, rubric_id: str | None, checked: Checked | Summary | None) -> dict[str, str]:
    rubric = _rubric(applicant, rubric_id, checked)
    return dict(rubric.evidence_types) if rubric else {}


def _self_scoring(rubric: Rubric | None, data: Any) -> list[dict[str, Any]]:
    """One row per scored criterion: the applicant's self score and note (自评分、自评说明)."""
    if rubric is None:
        return []
    scores = data.get("self_scores") if isinstance(data, dict) else None
    notes = data.get("self_notes") if isinstance(data, dict) else None
    scores = scores if isinstance(scores, dict) else {}
    notes = notes if isinstance(notes, dict) else {}
    return [
        {"id": c.id, "title": c.title, "points": c.points, "score": scores.get(c.id, ""), "note": notes.get(c.id, "")}
        for _, c in rubric.criteria()
        if not c.gate
    ]


def _self_scores_from(form: Any, rubric: Rubric | None) -> tuple[dict[str, Any], dict[str, str]]:
    scores: dict[str, Any] = {}
    notes: dict[str, str] = {}
    if rubric is None:
        return scores, notes
    for _, criterion in rubric.criteria():
        raw = str(form.get(f"self_scores.{criterion.id}", "")).strip()
        if raw:
            try:
                scores[criterion.id] = float(raw) if "." in raw else int(raw)
            except ValueError:
                scores[criterion.id] = raw  # reported by the loader at its key
        note = str(form.get(f"self_notes.{criterion.id}", "")).strip()
        if note:
            notes[criterion.id] = note
    return scores, notes


def _materials(checked: Checked | Summary | None) -> list[dict[str, Any]]:
    """The 材料清单: every evidence type the criteria ask for, the files given and the criteria using it."""
    if checked is None:
        return []
    rows: dict[str, dict[str, Any]] = {}
    for criterion in checked.result.criteria:
        for use in criterion.evidence:
            row = rows.setdefault(use.type, {"title": use.title, "files": list(use.files), "criteria": []})
            row["criteria"].append(criterion.id)
    return list(rows.values())


#: The codes a loader puts after labels for people who write YAML (``注册护士（nurse）``).
CODE_AFTER_LABEL = re.compile(r"（[a-z][a-z0-9_]*）")


def _located(problems: list[Problem], source_name: str | None) -> list[Problem]:
    """Problems for the page: an uploaded workbook's say where they are (``乐康申报.xlsx!人员!D7``),
    and allowed values are listed by their labels only (the form offers labels, not codes)."""
    shown = []
    for p in problems:
        p = dataclasses.replace(p, expected=CODE_AFTER_LABEL.sub("", p.expected))
        if p.sheet:
            p = dataclasses.replace(p, message=f"{p.location(source_name or '申报.xlsx')}：{p.message}")
        shown.append(p)
    return shown


def render_application(
    req: Req,
    applicant: Applicant,
    round_: Any,
    result: Outcome | Shown | None,
    *,
    data: Any = None,
    status_code: int = 200,
    message: str = "",
) -> Response:
    data = current_data(req, applicant) if data is None else data
    nodes = build_form(MODELS[applicant.kind], data)
    problems = _located(result.problems, applicant.source_name) if result else []
    keyed = problems_by_key(problems)
    placed = attach_errors(nodes, keyed)
    checked = result.checked if result else None
    scoring = _self_scoring(_rubric(applicant, round_.rubric, checked), data)
    for row in scoring:
        keys = [f"self_scores.{row['id']}", f"self_notes.{row['id']}"]
        row["errors"] = [text for key in keys for text in keyed.get(key, [])]
        placed |= {key for key in keys if key in keyed}
    # Problems no field shows; a workbook's are named by their cell, others by their key.
    loose = [
        f"{p.key}：{text}" if p.key and not p.sheet else text
        for p in problems
        if p.key not in placed
        for text in problems_by_key([p])[p.key]
    ]
    # A workbook's problems are also listed together at the top (they are fixed in the workbook).
    in_workbook = [
        (p.key, text) for p in problems if p.sheet and p.key in placed for text in problems_by_key([p])[p.key]
    ]
    files = req.session.scalars(
        select(Attachment).where(Attachment.applicant_id == applicant.id).order_by(Attachment.id)
    ).all()
    editable = req.me.role == "applicant" and applicant.status == "draft"
    return req.page(
        "application.html",
        status_code,
        applicant=applicant,
        round=round_,
        nodes=nodes,
        loose=loose,
        in_workbook=in_workbook,
        checked=checked,
        materials=_materials(checked),
        files=files,
        evidence_types=evidence_types(applicant, round_.rubric, checked),
        self_scoring=scoring,
        formats=[fmt for fmt in SELF_REPORT.formats if fmt != "pdf"],  # the PDF is a background job
        report_jobs=recent_jobs(req, applicant),
        editable=editable,
        message=message,
        failed=status_code >= 400,
        accept=",".join(APPLICATION_SUFFIXES),
        evidence_accept=",".join(EVIDENCE_SUFFIXES),
    )


def show(req: Req) -> Response:
    applicant, round_ = applicant_for(req)
    return render_application(req, applicant, round_, shown_outcome(req, applicant, round_))


def editable_applicant(req: Req) -> tuple[Applicant, Any]:
    applicant, round_ = applicant_for(req, write=True)
    if applicant.status != "draft":
        raise HTTPException(403)
    return applicant, round_


def posted_version(req: Req) -> int:
    try:
        return int(req.field("version"))
    except ValueError:
        raise HTTPException(400) from None


def conflict_page(req: Req, applicant: Applicant, round_: Any) -> Response:
    """Someone saved first: nothing of this request is kept (rolled back), the latest version is shown."""
    req.session.rollback()
    req.session.refresh(applicant)
    return render_application(
        req,
        applicant,
        round_,
        shown_outcome(req, applicant, round_),
        status_code=409,
        message="保存失败：此申报已被他人修改。下面是最新内容，请核对后重新填写并保存。",
    )


def save_data(
    req: Req,
    applicant: Applicant,
    round_: Any,
    data: dict[str, Any],
    action: str,
    message: str,
    *,
    after_commit: Callable[[], None] | None = None,
) -> Response:
    """Save ``data`` as the applicant's new version and show the form checked again, or the latest
    version when someone saved first. ``after_commit`` runs once the new version is committed."""
    try:
        result = save_version(req, applicant, round_, yaml_bytes(data), ".yaml", posted_version(req), action)
    except Conflict:
        return conflict_page(req, applicant, round_)
    if after_commit is not None:
        req.session.info.setdefault("after_commit", []).append(after_commit)
    return render_application(req, applicant, round_, result, data=data, message=message)


def save(req: Req) -> Response:
    applicant, round_ = editable_applicant(req)
    assert req.form is not None
    stored = current_data(req, applicant)
    data = parse_form(MODELS[applicant.kind], req.form)
    kept = {key: stored[key] for key in ("attachments", "rubric") if isinstance(stored, dict) and key in stored}
    scores, notes = _self_scores_from(req.form, _rubric(applicant, round_.rubric, None))
    full = {"kind": applicant.kind, **data, **kept}
    if scores:
        full["self_scores"] = scores
    if notes:
        full["self_notes"] = notes
    return save_data(req, applicant, round_, full, "保存申报", "已保存并重新核验。")


def upload(req: Req) -> Response:
    applicant, round_ = editable_applicant(req)
    file = req.upload("file")
    if file is None:
        return render_application(
            req, applicant, round_, outcome(req, applicant, round_), status_code=400, message="请选择要上传的申报文件。"
        )
    suffix = PurePath(file.filename or "").suffix.lower()
    if suffix not in APPLICATION_SUFFIXES:
        return render_application(
            req,
            applicant,
            round_,
            outcome(req, applicant, round_),
            status_code=400,
            message=f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 {'、'.join(APPLICATION_SUFFIXES)} 文件。",
        )
    raw = file.file.read()
    name = PurePath(file.filename or "").name[-300:]
    try:
        result = save_version(req, applicant, round_, raw, suffix, posted_version(req), "上传申报文件", name)
    except Conflict:
        return conflict_page(req, applicant, round_)
    return render_application(req, applicant, round_, result, message="已上传并重新核验。")


def source(req: Req) -> Response:
    applicant, _ = applicant_for(req)
    if applicant.current_file is None:
        raise HTTPException(404)
    raw = req.state.store.application_path(applicant.id, applicant.current_file).read_bytes()
    return attachment(raw, f"{applicant.name}申报{PurePath(applicant.current_file).suffix}")


def self_report(req: Req) -> Response:
    applicant, round_ = applicant_for(req)
    fmt = req.request.path_params["fmt"]
    if fmt not in SELF_REPORT.formats:
        raise HTTPException(404)
    result = outcome(req, applicant, round_)
    if result is None or result.checked is None:
        return render_application(
            req, applicant, round_, result, status_code=400, message="申报数据有错误，改正后才能生成自评报告。"
        )
    data = SELF_REPORT.write(result.checked, None, fmt)
    return attachment(data, f"{applicant.name}自评报告{SUFFIXES[fmt][0]}")


def submit(req: Req) -> Response:
    applicant, round_ = editable_applicant(req)
    result = outcome(req, applicant, round_)
    if result is None or result.checked is None:
        return render_application(
            req, applicant, round_, result, status_code=400, message="申报数据有错误，改正后才能提交。"
        )
    applicant.status = "submitted"
    req.audit("提交申报", f"申报 {applicant.id} {applicant.name}", before="draft", after=applicant.current_sha or "")
    return RedirectResponse(f"/applications/{applicant.id}", 303)


ROLES = ["staff", "applicant", "expert"]
ROUTES = [
    page("/applicant", my_applications, roles=["applicant"]),
    page("/applications/{aid:int}", show, roles=ROLES),
    page("/applications/{aid:int}/save", save, roles=["applicant"], methods=["POST"]),
    page("/applications/{aid:int}/upload", upload, roles=["applicant"], methods=["POST"]),
    page("/applications/{aid:int}/source", source, roles=ROLES),
    page("/applications/{aid:int}/self-report.{fmt}", self_report, roles=ROLES),
    page("/applications/{aid:int}/submit", submit, roles=["applicant"], methods=["POST"]),
]
