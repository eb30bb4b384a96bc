"""File responses: always an attachment, with a safe type and a UTF-8 file name."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from starlette.responses import Response

TYPES = {
    ".pdf": "application/pdf",
    ".html": "application/octet-stream",  # downloaded, never rendered in the workbench's origin
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".yaml": "application/octet-stream",
    ".yml": "application/octet-stream",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".zip": "application/zip",
}


def attachment(data: bytes, filename: str) -> Response:
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    media = TYPES.get(suffix) or mimetypes.types_map.get(suffix) or "application/octet-stream"
    if media.startswith(("text/html", "image/svg")):
        media = "application/octet-stream"
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
