"""Writing tables as CSV (UTF-8 with BOM, so Excel detects the encoding) and XLSX.

Every cell goes through :mod:`shifan.present.cells`, which neutralises formula-like text. Both
writers are atomic: the file appears complete or not at all.

Workbooks are working sheets, not dumps: the header row is frozen, filterable (auto-filter) and
repeated on every printed page; long-text columns wrap; pages print landscape A4, fit to width.
Columns named in ``Sheet.links`` hold file names that become hyperlinks (to the folder given
with the column, relative to the workbook).
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
    links: dict[int, str] = field(default_factory=dict)


#: Columns at least this wide hold long text and wrap.
WRAP_WIDTH = 30


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
    from openpyxl.styles import Alignment, Font
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
        wrapped = Alignment(wrap_text=True, vertical="top")
        top = Alignment(vertical="top")
        for index, header in enumerate(sheet.headers):
            width = sheet.widths.get(index, max(8, min(40, 2 * len(header) + 2)))
            letter = get_column_letter(index + 1)
            ws.column_dimensions[letter].width = width
            for cell in ws[letter][1:]:
                cell.alignment = wrapped if width >= WRAP_WIDTH else top
                if index in sheet.links and isinstance(cell.value, str) and cell.value:
                    cell.hyperlink = sheet.links[index] + cell.value
                    cell.style = "Hyperlink"
                    cell.alignment = top
        _row_heights(ws, sheet)
        _print_setup(ws, len(sheet.headers), len(sheet.rows))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: Points per line of 10-point text, and the tallest row Excel allows.
LINE_HEIGHT = 14.0
MAX_ROW_HEIGHT = 409.0


def _row_heights(ws: Worksheet, sheet: Sheet) -> None:
    """Rows tall enough for their wrapped text (spreadsheet programs do not always measure it)."""
    wide = {i: sheet.widths.get(i, 0) for i in range(len(sheet.headers)) if sheet.widths.get(i, 0) >= WRAP_WIDTH}
    for number, row in enumerate(sheet.rows, start=2):
        lines = 1
        for index, width in wide.items():
            value = row[index] if index < len(row) else None
            if isinstance(value, str) and value:
                # A CJK character is about two width units; an explicit line break starts a line.
                units = [sum(2 if ord(ch) > 0x2E7F else 1 for ch in part) for part in value.split("\n")]
                lines = max(lines, sum(max(1, -(-u // max(width - 1, 1))) for u in units))
        if lines > 1:
            ws.row_dimensions[number].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 2)


def _print_setup(ws: Worksheet, columns: int, rows: int) -> None:
    """Auto-filter on the header; landscape A4, fit to the page width, header row on every page."""
    from openpyxl.utils import get_column_letter

    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True


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
