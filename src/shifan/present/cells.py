"""Spreadsheet cell values made safe: the one place every CSV and XLSX writer goes through.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a
formula by Excel, LibreOffice and WPS when a CSV is opened ("CSV injection"). Applicant names,
remarks and reasons come from user files, so every text cell is neutralised:

* CSV: such a cell is prefixed with an apostrophe ``'`` (the spreadsheet shows the text as is);
* XLSX: the cell is stored with the string type, never as a formula, and keeps its exact text.

Characters that XLSX (XML 1.0) cannot hold (control characters other than tab, LF and CR) are
dropped from XLSX cells.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Union

from shifan.formatting import format_number

#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CellValue = Union[str, int, float, bool, dt.date, None]  # noqa: UP007


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program would treat ``text`` as the start of a formula."""
    return text.startswith(FORMULA_PREFIXES)


def csv_cell(value: CellValue) -> str:
    """The text written to a CSV for ``value``; formula-like text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def xlsx_cell(value: CellValue) -> tuple[CellValue, bool]:
    """The value stored in an XLSX cell and whether it must be forced to the string type."""
    if value is None or (isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)):
        return value, False
    if isinstance(value, bool):
        return ("是" if value else "否"), True
    text = _XML_ILLEGAL.sub("", str(value))
    return text, True


def csv_row(values: Iterable[CellValue]) -> list[str]:
    return [csv_cell(v) for v in values]
