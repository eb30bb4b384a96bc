"""Spreadsheet cell values made safe: the one place every CSV and XLSX writer goes through.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a
formula by Excel, LibreOffice and WPS when a CSV is opened ("CSV injection"). Applicant names,
remarks and reasons come from user files, so every text cell is neutralised:

* CSV: such a cell is prefixed with an apostrophe ``'`` (the spreadsheet shows the text as is);
* XLSX: the cell is stored with the string type, never as a formula, and keeps its exact text.

Characters that XLSX (XML 1.0) cannot hold (control characters other than tab, LF and CR,
U+FFFE and U+FFFF) are dropped from XLSX cells. A cell whose first visible character starts a
formula is neutralised even behind invisible or control characters, and the full-width forms
＝＋－＠ count as well.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Union

from shifan.formatting import format_number

#: First characters that make a spreadsheet program read a cell as a formula (with their
#: full-width forms, which some programs and cleaners fold to the ASCII ones).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
#: Characters skipped when looking for the first one: controls and invisible characters that a
#: downstream cleaner might strip, leaving a live formula.
_INVISIBLE_LEAD = re.compile("^[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff ]+")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

CellValue = Union[str, int, float, bool, dt.date, None]  # noqa: UP007


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program would treat ``text`` as the start of a formula."""
    return _INVISIBLE_LEAD.sub("", text).startswith(FORMULA_PREFIXES)


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
