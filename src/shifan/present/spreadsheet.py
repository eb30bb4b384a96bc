"""Writing tables as CSV (UTF-8 with BOM, so Excel detects the encoding) and XLSX.

Every cell goes through :mod:`shifan.present.cells`, which neutralises formula-like text. Both
writers are atomic: the file appears complete or not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shifan.files import atomic_write_bytes
from shifan.present.cells import CellValue, csv_row, xlsx_cell

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

BOM = "\ufeff"


@dataclass
class Sheet:
    """One table: a sheet of the workbook, or the whole of a CSV file."""

    title: str
    headers: list[str]
    rows: list[list[CellValue]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)


def csv_bytes(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_row(sheet.headers))
    for row in sheet.rows:
        writer.writerow(csv_row(row))
    return buffer.getvalue().encode("utf-8")


def write_csv(path: Path, sheet: Sheet) -> None:
    """Write ``sheet`` as a UTF-8 CSV with a byte-order mark and CRLF line ends."""
    atomic_write_bytes(path, csv_bytes(sheet))


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title))
        _put_row(ws, 1, sheet.headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for index, row in enumerate(sheet.rows, start=2):
            _put_row(ws, index, row)
        ws.freeze_panes = "A2"
        for index, header in enumerate(sheet.headers):
            width = sheet.widths.get(index, max(8, min(40, 2 * len(header) + 2)))
            ws.column_dimensions[get_column_letter(index + 1)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` as one workbook; text cells are always stored as strings."""
    atomic_write_bytes(path, xlsx_bytes(sheets))


def _put_row(ws: Worksheet, row: int, values: Sequence[CellValue]) -> None:
    for column, value in enumerate(values, start=1):
        stored, is_text = xlsx_cell(value)
        cell = ws.cell(row=row, column=column)
        cell.value = stored
        if is_text:
            cell.data_type = "s"  # never a formula, whatever the text begins with


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'")
    return (cleaned or "Sheet")[:31]
