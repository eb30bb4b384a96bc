"""Checks on a workbook's zip archive, made before any XML is parsed: size, entry count,
uncompressed size (zip bombs), external links, and what kind of Office file it is."""

from __future__ import annotations

import html
import io
import re
import zipfile

from shifan.errors import InputError, Problem

#: Largest workbook read, in bytes (the compressed file).
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
#: Largest total uncompressed size of the archive's entries; a zip bomb stops here.
MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
#: Most entries in the archive.
MAX_ENTRIES = 1_000


def refuse(display: str, message: str, found: str = "", expected: str = "", *, what: str) -> InputError:
    """The error refusing a whole file (no cell to point at)."""
    return InputError([Problem(display, None, None, "", message, found, expected)], what=what)


def check_archive(raw: bytes, display: str, *, what: str) -> None:
    """Refuse an archive that is not a workbook or would expand beyond the limits."""
    if len(raw) > MAX_WORKBOOK_BYTES:
        raise refuse(display, "文件过大", f"{len(raw)} 字节", f"不超过 {MAX_WORKBOOK_BYTES} 字节", what=what)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise refuse(display, "文件已损坏，不是有效的 Excel 工作簿", expected="另存为 .xlsx", what=what) from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if len(entries) > MAX_ENTRIES:
            raise refuse(display, "工作簿内部文件过多", f"{len(entries)} 个", f"不超过 {MAX_ENTRIES} 个", what=what)
        total = sum(entry.file_size for entry in entries)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise refuse(display, "工作簿解压后过大（可能是压缩炸弹）", f"{total} 字节", "正常大小的工作簿", what=what)
        if "xl/workbook.xml" not in names:
            if "word/document.xml" in names:
                raise refuse(display, "这是 Word 文档；shifan 读取 .yaml 或 .xlsx 文件", what=what)
            raise refuse(display, "不是 Excel 工作簿（.xlsx）", expected=".yaml 或 .xlsx 文件", what=what)
        if any(name.startswith("xl/externalLinks/") for name in names):
            raise refuse(display, "工作簿含有外部链接，出于安全考虑不予读取", expected="删除外部链接后另存", what=what)


_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def sheet_names(raw: bytes) -> list[str]:
    """The sheet names of a workbook, read from its archive without loading it (empty if unreadable)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 1024 * 1024:
                return []
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    return [html.unescape(name.decode("utf-8", errors="replace")) for name in _SHEET_NAME.findall(xml)]
