"""The applicant's pages: the application form with its check beside it, uploads, evidence,
the 自评报告 and submission."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from shifan.errors import ShifanError
from shifan.evaluate.pipeline import Checked
from shifan.files import sha256_bytes
from shifan.present.formats import SELF_REPORT, SUFFIXES
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.rubric import Rubric
from shifan.web.app import Req, page
from shifan.web.checks import Shown, Summary
from shifan.web.db import Applicant, Attachment
from shifan.web.downloads import attachment
from shifan.web.forms import attach_errors, build_form, parse_form
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
MAX_EVIDENCE = 20 * 1024 * 1024


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


def _evidence_types(applicant: Applicant, rubric_id: str | None, checked: Checked | Summary | None) -> dict[str, str]:
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
    problems = result.problems if result else []
    keyed = problems_by_key(problems)
    placed = attach_errors(nodes, keyed)
    checked = result.checked if result else None
    scoring = _self_scoring(_rubric(applicant, round_.rubric, checked), data)
    for row in scoring:
        keys = [f"self_scores.{row['id']}", f"self_notes.{row['id']}"]
        row["errors"] = [text for key in keys for text in keyed.get(key, [])]
        placed |= {key for key in keys if key in keyed}
    loose = [
        text
        for key, texts in keyed.items()
        if key not in placed
        for text in ([f"{key}：{t}" for t in texts] if key else texts)
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
        checked=checked,
        materials=_materials(checked),
        files=files,
        evidence_types=_evidence_types(applicant, round_.rubric, checked),
        self_scoring=scoring,
        formats=SELF_REPORT.formats,
        editable=editable,
        message=message,
        failed=status_code >= 400,
        accept=",".join(APPLICATION_SUFFIXES),
        evidence_accept=",".join(EVIDENCE_SUFFIXES),
    )


def show(req: Req) -> Response:
    applicant, round_ = applicant_for(req)
    return render_application(req, applicant, round_, shown_outcome(req, applicant, round_))


def _editable(req: Req) -> tuple[Applicant, Any]:
    applicant, round_ = applicant_for(req, write=True)
    if applicant.status != "draft":
        raise HTTPException(403)
    return applicant, round_


def _version(req: Req) -> int:
    try:
        return int(req.field("version"))
    except ValueError:
        raise HTTPException(400) from None


def _conflict(req: Req, applicant: Applicant, round_: Any) -> Response:
    req.session.refresh(applicant)
    return render_application(
        req,
        applicant,
        round_,
        shown_outcome(req, applicant, round_),
        status_code=409,
        message="保存失败：此申报已被他人修改。下面是最新内容，请核对后重新填写并保存。",
    )


def save(req: Req) -> Response:
    applicant, round_ = _editable(req)
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
    try:
        result = save_version(req, applicant, round_, yaml_bytes(full), ".yaml", _version(req), "保存申报")
    except Conflict:
        return _conflict(req, applicant, round_)
    return render_application(req, applicant, round_, result, data=full, message="已保存并重新核验。")


def upload(req: Req) -> Response:
    applicant, round_ = _editable(req)
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
    try:
        result = save_version(req, applicant, round_, raw, suffix, _version(req), "上传申报文件")
    except Conflict:
        return _conflict(req, applicant, round_)
    return render_application(req, applicant, round_, result, message="已上传并重新核验。")


def add_evidence(req: Req) -> Response:
    applicant, round_ = _editable(req)
    file = req.upload("file")
    kind = req.field("type")
    title = req.field("title")
    types = _evidence_types(applicant, round_.rubric, None)
    suffix = PurePath(file.filename or "").suffix.lower() if file else ""
    if file is None or kind not in types or suffix not in EVIDENCE_SUFFIXES:
        return render_application(
            req,
            applicant,
            round_,
            outcome(req, applicant, round_),
            status_code=400,
            message=f"请选择材料类型，并上传 {'、'.join(EVIDENCE_SUFFIXES)} 格式的文件。",
        )
    raw = file.file.read(MAX_EVIDENCE + 1)
    if len(raw) > MAX_EVIDENCE:
        return render_application(
            req, applicant, round_, outcome(req, applicant, round_), status_code=413, message="文件过大（上限 20 MB）。"
        )
    stored_path = req.state.store.write_evidence(applicant.id, raw, suffix)
    data = current_data(req, applicant)
    data = data if isinstance(data, dict) else {"kind": applicant.kind}
    data.setdefault("kind", applicant.kind)
    data["attachments"] = [
        *(data.get("attachments") or []),
        {"type": kind, "path": stored_path, "title": title or types[kind]},
    ]
    req.session.add(
        Attachment(
            applicant_id=applicant.id,
            stored_name=stored_path,
            original_name=PurePath(file.filename or "").name[:300],
            evidence_type=kind,
            size=len(raw),
            sha256=sha256_bytes(raw),
        )
    )
    try:
        result = save_version(req, applicant, round_, yaml_bytes(data), ".yaml", _version(req), "上传佐证材料")
    except Conflict:
        return _conflict(req, applicant, round_)
    return render_application(req, applicant, round_, result, data=data, message="佐证材料已上传。")


def evidence_file(req: Req) -> Response:
    applicant, _ = applicant_for(req)
    record = req.session.get(Attachment, req.param("fid"))
    if record is None or record.applicant_id != applicant.id:
        raise HTTPException(404)
    raw = req.state.store.evidence_path(applicant.id, record.stored_name).read_bytes()
    return attachment(raw, record.original_name)


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
    applicant, round_ = _editable(req)
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
    page("/applications/{aid:int}/evidence", add_evidence, roles=["applicant"], methods=["POST"]),
    page("/applications/{aid:int}/evidence/{fid:int}", evidence_file, roles=ROLES),
    page("/applications/{aid:int}/source", source, roles=ROLES),
    page("/applications/{aid:int}/self-report.{fmt}", self_report, roles=ROLES),
    page("/applications/{aid:int}/submit", submit, roles=["applicant"], methods=["POST"]),
]
