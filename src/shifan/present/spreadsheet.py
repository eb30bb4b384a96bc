"""Writing tables as CSV (UTF-8 with BOM, so Excel detects the encoding) and XLSX.

Every cell goes through :mod:`shifan.present.cells`, which neutralises formula-like text. Both
writers are atomic: the file appears complete or not at all.

Workbooks are working sheets, not dumps: the header row is frozen, filterable (auto-filter) and
repeated on every printed page; long-text columns wrap; pages print landscape A4, fit to width.
Columns named in ``Sheet.links`` hold file names that become hyperlinks (to the folder given
with the column, relative to the workbook).

Both are written as a stream (openpyxl's write-only workbook), so a table of many rows is never
held whole in memory: a sheet's rows may be given as a function that yields them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shifan.files import atomic_output
from shifan.present.cells import CellValue, csv_row, xlsx_cell

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

BOM = "\ufeff"


@dataclass
class Sheet:
    """One table: a sheet of the workbook, or the whole of a CSV file."""

    title: str
    headers: list[str]
    rows: list[list[CellValue]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)
    links: dict[int, str] = field(default_factory=dict)
    #: Yields the rows instead of ``rows`` (each call from the start), with ``count`` of them.
    source: Callable[[], Iterable[list[CellValue]]] | None = None
    count: int = 0

    def each_row(self) -> Iterable[list[CellValue]]:
        return self.source() if self.source is not None else self.rows

    def row_count(self) -> int:
        return self.count if self.source is not None else len(self.rows)


#: Columns at least this wide hold long text and wrap.
WRAP_WIDTH = 30


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The CSV file, a few hundred rows at a time."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_row(sheet.headers))
    for number, row in enumerate(sheet.each_row(), start=1):
        writer.writerow(csv_row(row))
        if number % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_bytes(sheet: Sheet) -> bytes:
    return b"".join(csv_chunks(sheet))


def write_csv(path: Path, sheet: Sheet) -> None:
    """Write ``sheet`` as a UTF-8 CSV with a byte-order mark and CRLF line ends."""
    with atomic_output(path) as handle:
        for chunk in csv_chunks(sheet):
            handle.write(chunk)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    _save_xlsx(buffer, sheets)
    return buffer.getvalue()


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` as one workbook; text cells are always stored as strings."""
    with atomic_output(path) as handle:
        _save_xlsx(handle, sheets)


def _save_xlsx(target: Any, sheets: Sequence[Sheet]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(_sheet_title(sheet.title)), sheet)
    workbook.save(target)


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    widths = [sheet.widths.get(i, max(8, min(40, 2 * len(h) + 2))) for i, h in enumerate(sheet.headers)]
    for index, width in enumerate(widths):  # column and page settings come before the first row
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws, len(sheet.headers), sheet.row_count())
    # Each kind of cell is styled once; its cells share the style's indices. (Setting a font or an
    # alignment object on every cell makes openpyxl hash the object each time: most of the time
    # a large summary took to write.)
    bold: Any = WriteOnlyCell(ws)
    bold.font = Font(bold=True)
    wrapped: Any = WriteOnlyCell(ws)
    wrapped.alignment = Alignment(wrap_text=True, vertical="top")
    top: Any = WriteOnlyCell(ws)
    top.alignment = Alignment(vertical="top")
    link: Any = WriteOnlyCell(ws)
    link.style = "Hyperlink"
    link.alignment = Alignment(vertical="top")
    ws.append([_cell(ws, WriteOnlyCell, *xlsx_cell(title), bold) for title in sheet.headers])
    wraps = {index for index, width in enumerate(widths) if width >= WRAP_WIDTH}
    for number, row in enumerate(sheet.each_row(), start=2):
        height = _row_height(sheet, row)
        # In a row one line high, top and bottom alignment look the same: its plain cells are
        # written as bare values (half the cost of a styled cell). Wrapped columns, links and text
        # openpyxl would read as a formula or an error code keep their own cells.
        cells: list[Any] = []
        for index, value in enumerate(row):
            stored, is_text = xlsx_cell(value)
            href = sheet.links[index] + value if index in sheet.links and isinstance(value, str) and value else None
            if href is not None:
                style = link
            elif index in wraps:
                style = wrapped
            elif height is None and not (is_text and _typed_by_openpyxl(stored)):
                cells.append(stored)
                continue
            else:
                style = top
            cell = _cell(ws, WriteOnlyCell, stored, is_text, style)
            if href is not None:
                cell.hyperlink = href
            cells.append(cell)
        if height is not None:
            ws.row_dimensions[number].height = height
        ws.append(cells)


def _typed_by_openpyxl(text: CellValue) -> bool:
    """Whether openpyxl would store this text as a formula or an error code, not as text."""
    from openpyxl.cell.cell import ERROR_CODES

    return isinstance(text, str) and ((len(text) > 1 and text.startswith("=")) or text in ERROR_CODES)


def _cell(ws: WriteOnlyWorksheet, make: Any, stored: CellValue, is_text: bool, style: Any) -> Any:
    """A cell holding ``stored`` (see :func:`xlsx_cell`) with the style of the cell ``style``."""
    cell = make(ws, value=stored)
    if is_text:
        cell.data_type = "s"  # never a formula, whatever the text begins with
    cell._style = style._style
    return cell


#: Points per line of 10-point text, and the tallest row Excel allows.
LINE_HEIGHT = 14.0
MAX_ROW_HEIGHT = 409.0


def _row_height(sheet: Sheet, row: Sequence[CellValue]) -> float | None:
    """A row tall enough for its wrapped text (spreadsheet programs do not always measure it)."""
    lines = 1
    for index, header in enumerate(sheet.headers):
        width = sheet.widths.get(index, 0)
        value = row[index] if index < len(row) else None
        if width >= WRAP_WIDTH and isinstance(value, str) and value and header:
            # A CJK character is about two width units; an explicit line break starts a line.
            units = [sum(2 if ord(ch) > 0x2E7F else 1 for ch in part) for part in value.split("\n")]
            lines = max(lines, sum(max(1, -(-u // max(width - 1, 1))) for u in units))
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 2) if lines > 1 else None


def _print_setup(ws: Any, columns: int, rows: int) -> None:
    """Auto-filter on the header; landscape A4, fit to the page width, header row on every page."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'")
    return (cleaned or "Sheet")[:31]
