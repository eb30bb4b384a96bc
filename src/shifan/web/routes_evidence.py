"""Evidence files (佐证材料) of an application: uploading one, downloading one and deleting one.

A file is listed in the application's ``attachments`` (a new version is saved each time) and
recorded in the ``attachments`` table; deleting one removes both, and the file itself only once
the transaction has committed."""

from __future__ import annotations

from pathlib import PurePath

from starlette.exceptions import HTTPException
from starlette.responses import Response

from shifan.files import sha256_bytes
from shifan.web.app import Req, page
from shifan.web.db import Attachment
from shifan.web.downloads import attachment
from shifan.web.routes_applicant import (
    ROLES,
    editable_applicant,
    evidence_types,
    render_application,
    save_data,
)
from shifan.web.service import applicant_for, current_data, outcome
from shifan.web.store import EVIDENCE_SUFFIXES

MAX_EVIDENCE = 20 * 1024 * 1024


def add_evidence(req: Req) -> Response:
    applicant, round_ = editable_applicant(req)
    file = req.upload("file")
    kind = req.field("type")
    title = req.field("title")
    types = evidence_types(applicant, round_.rubric, None)
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
    return save_data(req, applicant, round_, data, "上传佐证材料", "佐证材料已上传。")


def evidence_file(req: Req) -> Response:
    applicant, _ = applicant_for(req)
    record = req.session.get(Attachment, req.param("fid"))
    if record is None or record.applicant_id != applicant.id:
        raise HTTPException(404)
    raw = req.state.store.evidence_path(applicant.id, record.stored_name).read_bytes()
    return attachment(raw, record.original_name)


def delete_evidence(req: Req) -> Response:
    """Remove an evidence file while the application is a draft: from the application (a new
    version), from the table and, after the commit, from the disk."""
    applicant, round_ = editable_applicant(req)
    record = req.session.get(Attachment, req.param("fid"))
    if record is None or record.applicant_id != applicant.id:
        raise HTTPException(404)
    data = current_data(req, applicant)
    data = data if isinstance(data, dict) else {"kind": applicant.kind}
    listed = data.get("attachments") or []
    data["attachments"] = [a for a in listed if not (isinstance(a, dict) and a.get("path") == record.stored_name)]
    if not data["attachments"]:
        del data["attachments"]
    req.audit(
        "删除佐证材料",
        f"申报 {applicant.id} {applicant.name}",
        before=record.sha256,
        detail=f"{record.original_name}（{record.size} 字节）",
    )
    path = req.state.store.evidence_path(applicant.id, record.stored_name)
    req.session.delete(record)
    # The file goes once the new version is committed (a failure before would keep row and file).
    return save_data(
        req,
        applicant,
        round_,
        data,
        "删除佐证材料后更新申报",
        f"已删除佐证材料“{record.original_name}”。",
        after_commit=lambda: path.unlink(missing_ok=True),
    )


ROUTES = [
    page("/applications/{aid:int}/evidence", add_evidence, roles=["applicant"], methods=["POST"]),
    page("/applications/{aid:int}/evidence/{fid:int}", evidence_file, roles=ROLES),
    page("/applications/{aid:int}/evidence/{fid:int}/delete", delete_evidence, roles=["applicant"], methods=["POST"]),
]
