"""Which reader a file needs: YAML text or an Excel workbook, told by suffix and content.

A file that is neither (a Word document, a PDF, a picture, an old .xls) is refused with what it
is, instead of a YAML parser's complaint about its bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from pathlib import Path

from shifan.errors import InputError, Problem, ProblemList, display_path
from shifan.files import open_regular
from shifan.read.text import EARLIEST, LATEST, MAX_REPORTED, dates_out_of_range, refused_in_data
from shifan.read.xlsxlayout import WorkbookLayout
from shifan.read.yamldoc import Document, load_document

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
#: Leading bytes of files people send by mistake, and what to call them.
FOREIGN = (
    (b"%PDF", "PDF 文件"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件（.doc 或 .xls，请用 Excel 或 WPS 另存为 .xlsx）"),
    (b"\x89PNG", "图片（PNG）"),
    (b"\xff\xd8\xff", "图片（JPEG）"),
    (b"{\\rtf", "RTF 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
)


def _head(path: Path) -> bytes:
    try:
        # regular files only: opening a FIFO would block, a device would never end
        with open_regular(path) as handle:
            return handle.read(8)
    except (OSError, ValueError):
        return b""  # the YAML reader reports a missing or unreadable file in its own words


def is_workbook(path: Path) -> bool:
    """Whether ``path`` names an Excel workbook (by suffix, or a zip archive by content)."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES or _head(path).startswith(ZIP_MAGIC)


def load_input(path: Path, layouts: Sequence[WorkbookLayout], *, what: str = "输入文件") -> Document:
    """Read a YAML file or a workbook laid out as one of ``layouts``."""
    path = Path(path)
    head = _head(path)
    for magic, name in FOREIGN:
        if head.startswith(magic):
            message = f"这是{name}，不是申报数据；shifan 读取 .yaml 或 .xlsx 文件"
            raise InputError([Problem(display_path(path), None, None, "", message)], what=what)
    if path.suffix.lower() in WORKBOOK_SUFFIXES or head.startswith(ZIP_MAGIC):
        from shifan.read.xlsxdoc import load_workbook_document  # openpyxl only for a workbook

        return _checked_text(load_workbook_document(path, layouts, what=what), what)
    return load_document(path, what=what)


def _checked_text(document: Document, what: str) -> Document:
    """A workbook's cells pass the same character and date checks as a YAML file's values."""
    problems = ProblemList(what)
    for key_path, kind in islice(refused_in_data(document.data), MAX_REPORTED):
        problems.append(document.problem(key_path, f"含有不允许的字符：{kind}", expected="可见的文字"))
    for key_path, day in islice(dates_out_of_range(document.data), MAX_REPORTED):
        expected = f"{EARLIEST.isoformat()} 至 {LATEST.isoformat()}"
        problems.append(document.problem(key_path, "日期超出范围", found=day.isoformat(), expected=expected))
    problems.raise_if_any()
    return document
