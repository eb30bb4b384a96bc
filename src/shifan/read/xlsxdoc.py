"""Reading Excel workbooks (.xlsx, as saved by Excel, WPS or LibreOffice) into the same plain data as YAML.

A workbook is read against a :class:`WorkbookLayout`: which sheets it has, and which cell of each
sheet holds which key of the data. Three kinds of sheet cover an application: a form (one field a
row: 项目 | 填写内容 | 说明), a table (a header row, then one record a row) and a checklist (one option
a row with a 是/否 cell). The result is a :class:`WorkbookDocument`, a
:class:`~shifan.read.yamldoc.Document` whose problems are located as ``文件.xlsx!人员!D7``.

Hostile files are refused before openpyxl builds anything (:mod:`shifan.read.xlsxarchive`:
entry count, uncompressed size, external links); formulas are refused cell by cell, and sheets
longer than :data:`MAX_ROWS` rows are refused. The layouts are described in
:mod:`shifan.read.xlsxlayout`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shifan.errors import InputError, Problem, display_path
from shifan.files import NotRegularFileError, read_limited
from shifan.read.workbookdoc import WorkbookDocument
from shifan.read.xlsxarchive import MAX_WORKBOOK_BYTES, check_archive, refuse
from shifan.read.xlsxcells import NO_WORDS, YES_WORDS, Cell, as_text, plain, read_cell
from shifan.read.xlsxlayout import (
    FORM_HEADERS,
    HEADER_ROW,
    ChecklistSheet,
    Column,
    FormSheet,
    TableSheet,
    WorkbookLayout,
    keyed_path,
)
from shifan.read.yamlsyntax import KeyPath, dotted

#: Most rows read from one sheet (an institution with 4 500 staff fits easily).
MAX_ROWS = 20_000
#: Most columns of one sheet.
MAX_COLUMNS = 100


def _put(target: dict[str, Any], key: KeyPath, value: Any) -> None:
    node = target
    for part in key[:-1]:
        node = node.setdefault(str(part), {})
    node[str(key[-1])] = value


class _Reader:
    def __init__(self, display: str, what: str) -> None:
        self.display = display
        self.what = what
        self.data: dict[str, Any] = {}
        self.cells: dict[KeyPath, Cell] = {}
        self.problems: list[Problem] = []

    def problem(self, sheet: str, row: int | None, column: int | None, key: KeyPath, message: str, **kw: str) -> None:
        self.problems.append(Problem(self.display, row, column, dotted(key), message, sheet=sheet, **kw))

    def rows(self, ws: Worksheet) -> list[tuple[int, list[Any]]]:
        """Non-empty rows with merged areas filled from their top-left cell; formulas refused."""
        # The last row holding a value: Excel, WPS and LibreOffice may style (or claim in their
        # dimensions) a million empty rows, which must cost nothing.
        last = max((row for (row, _), cell in ws._cells.items() if cell.value is not None), default=0)
        if last > MAX_ROWS or len(ws.merged_cells.ranges) > MAX_ROWS:
            seen = f"第 {last} 行有内容" if last > MAX_ROWS else "合并单元格过多"
            problem = Problem(self.display, None, None, "", "工作表过大", seen, f"不超过 {MAX_ROWS} 行", sheet=ws.title)
            raise InputError([problem], what=self.what)
        # A merged area reads as its top-left value in every cell (a role merged over three rows).
        merged: dict[tuple[int, int], Any] = {}
        for area in ws.merged_cells.ranges:
            top = ws.cell(area.min_row, area.min_col).value
            for row in range(area.min_row, min(area.max_row, last) + 1):
                for col in range(area.min_col, min(area.max_col, MAX_COLUMNS) + 1):
                    merged[(row, col)] = top
        found: list[tuple[int, list[Any]]] = []
        for cells in ws.iter_rows(min_row=1, max_row=last, max_col=min(ws.max_column, MAX_COLUMNS)):
            values: list[Any] = []
            row_number = 0
            for cell in cells:
                row_number = cell.row or row_number
                value = merged.get((cell.row or 0, cell.column or 0), cell.value)
                if cell.data_type == "f":
                    self.problem(
                        ws.title, cell.row, cell.column, (), "单元格含有公式，请改为直接填写数值", found=str(value)[:40]
                    )
                    value = None
                if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in str(cell.number_format):
                    # Excel stores 85% as 0.85: shown as written, so a count is not read as 0.85.
                    value = f"{value * 100:g}%"
                values.append(value)
            if not any(plain(v) is not None for v in values):
                continue
            found.append((row_number, values))
        return found

    def form(self, ws: Worksheet, sheet: FormSheet) -> None:
        by_label = {c.header: c for c in sheet.fields}
        for row, values in self.rows(ws):
            label = plain(values[0]) if values else None
            if row == HEADER_ROW and label == FORM_HEADERS[0]:
                continue
            if label is None:
                continue
            column = by_label.get(str(label).rstrip("*＊ "))
            if column is None:
                self.problem(ws.title, row, 1, (), "未知的填写项目（请勿修改 A 列）", found=f"“{label}”")
                continue
            if column.kind == "info":
                continue
            value = read_cell(column, values[1] if len(values) > 1 else None)
            if value is not None:
                _put(self.data, column.key, value)
            self.cells[column.key] = (ws.title, row, 2)

    def _header(self, ws: Worksheet, sheet: TableSheet, rows: list[tuple[int, list[Any]]]) -> dict[int, Column]:
        by_header = {c.header: c for c in sheet.columns}
        layout: dict[int, Column] = {}
        if not rows or rows[0][0] != HEADER_ROW:
            self.problem(ws.title, HEADER_ROW, 1, sheet.target, "缺少表头行", expected="、".join(by_header))
            return layout
        for index, value in enumerate(rows[0][1]):
            title = plain(value)
            if title is None:
                continue
            column = by_header.get(str(title).rstrip("*＊ "))
            if column is None:
                self.problem(
                    ws.title,
                    HEADER_ROW,
                    index + 1,
                    sheet.target,
                    "未知的列标题",
                    found=f"“{title}”",
                    expected="、".join(by_header),
                )
            else:
                layout[index] = column
        return layout

    def table(self, ws: Worksheet, sheet: TableSheet) -> None:
        rows = self.rows(ws)
        layout = self._header(ws, sheet, rows)
        if sheet.keyed:
            self._keyed(ws, sheet, rows[1:], layout)
            return
        parents: dict[str, tuple[int, dict[str, Any]]] = {}
        if sheet.link is not None:
            parent_list, parent_id, _ = sheet.link
            for index, parent in enumerate(self._list(parent_list)):
                if isinstance(parent, dict) and parent.get(parent_id) is not None:
                    parents.setdefault(str(parent[parent_id]), (index, parent))
        self.cells.setdefault(sheet.target, (ws.title, None, None))
        for row, values in rows[1:]:
            record: dict[str, Any] = {}
            where: dict[KeyPath, Cell] = {}
            link_value: Any = None
            for index, column in layout.items():
                if column.kind == "info":
                    continue
                value = read_cell(column, values[index] if index < len(values) else None)
                if sheet.link is not None and index == min(layout):
                    link_value = value
                    continue
                where[column.key] = (ws.title, row, index + 1)
                if value is not None:
                    _put(record, column.key, value)
            if sheet.link is not None:
                parent_list, _, child = sheet.link
                if link_value is None or str(link_value) not in parents:
                    message = "找不到这个工号对应的人员（请先在人员表中填写）" if link_value else "缺少工号"
                    self.problem(
                        ws.title,
                        row,
                        min(layout) + 1,
                        (*parent_list,),
                        f"第 {row} 行：{message}",
                        found=str(link_value or ""),
                    )
                    continue
                index, parent = parents[str(link_value)]
                children = parent.setdefault(child, [])
                base: KeyPath = (*parent_list, index, child, len(children))
                children.append(record)
            else:
                items = self._list(sheet.target, create=True)
                base = (*sheet.target, len(items))
                items.append(record)
            self.cells[base] = (ws.title, row, 1)
            for key, cell in where.items():
                self.cells[(*base, *key)] = cell

    def _keyed(
        self, ws: Worksheet, sheet: TableSheet, rows: list[tuple[int, list[Any]]], layout: dict[int, Column]
    ) -> None:
        if not layout:
            return
        first = min(layout)
        for row, values in rows:
            key = as_text(plain(values[first]) if first < len(values) else None)
            if key is None:
                self.problem(ws.title, row, first + 1, sheet.target, f"第 {row} 行缺少{layout[first].header}")
                continue
            self.cells.setdefault(keyed_path(sheet.target, str(key)), (ws.title, row, first + 1))
            for index, column in layout.items():
                if index == first or column.kind == "info":
                    continue
                value = read_cell(column, values[index] if index < len(values) else None)
                path = keyed_path(column.key, str(key))
                self.cells[path] = (ws.title, row, index + 1)
                if value is not None:
                    _put(self.data, path, value)

    def checklist(self, ws: Worksheet, sheet: ChecklistSheet) -> None:
        by_label: dict[str, tuple[KeyPath, str]] = {}
        for _, target, options in sheet.groups:
            self.cells.setdefault(target, (ws.title, None, None))
            for code, label in options:
                by_label[label] = (target, code)
                by_label[code] = (target, code)
        for row, values in self.rows(ws):
            if row == HEADER_ROW:
                continue
            name = plain(values[1]) if len(values) > 1 else None
            mark = plain(values[2]) if len(values) > 2 else None
            if name is None or mark is None:
                continue
            option = by_label.get(str(name))
            if option is None:
                self.problem(ws.title, row, 2, (), "未知的项目（请勿修改 B 列）", found=f"“{name}”")
                continue
            word = str(mark).strip().lower() if not isinstance(mark, bool) else ("true" if mark else "false")
            if word not in YES_WORDS and word not in NO_WORDS:
                self.problem(ws.title, row, 3, option[0], "应填“是”或“否”", found=f"“{mark}”", expected="是 或 否")
                continue
            if word in YES_WORDS:
                items = self._list(option[0], create=True)
                self.cells[(*option[0], len(items))] = (ws.title, row, 3)
                items.append(option[1])

    def _list(self, key: KeyPath, *, create: bool = False) -> list[Any]:
        node: Any = self.data
        for part in key[:-1]:
            node = node.setdefault(str(part), {}) if create else node.get(str(part), {})
        result = node.setdefault(str(key[-1]), []) if create else node.get(str(key[-1]), [])
        return result if isinstance(result, list) else []


def choose_layout(sheetnames: Sequence[str], layouts: Sequence[WorkbookLayout]) -> WorkbookLayout | None:
    """The layout whose signature sheet the workbook has."""
    return next((layout for layout in layouts if layout.signature in sheetnames), None)


def parse_workbook(
    raw: bytes, path: Path, layouts: Sequence[WorkbookLayout], *, what: str = "输入文件"
) -> WorkbookDocument:
    """Read a workbook's bytes against the first layout that fits.

    A file that cannot be read at all raises; cells that cannot be read are listed in the
    document's ``problems`` so they are reported with everything else wrong in the file."""
    display = display_path(path)
    check_archive(raw, display, what=what)
    try:
        book = load_workbook(io.BytesIO(raw), data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged archive
        raise refuse(
            display, "无法读取工作簿", type(error).__name__, "用 Excel 或 WPS 另存为 .xlsx", what=what
        ) from None
    layout = choose_layout(book.sheetnames, layouts)
    if layout is None:
        expected = " 或 ".join(f"含“{layout.signature}”工作表的{layout.name}" for layout in layouts)
        raise refuse(display, "不是 shifan 生成的工作簿", "工作表：" + "、".join(book.sheetnames), expected, what=what)
    reader = _Reader(display, what)
    for sheet in layout.sheets:
        if sheet.name not in book.sheetnames:
            continue
        ws = book[sheet.name]
        if isinstance(sheet, FormSheet):
            reader.form(ws, sheet)
        elif isinstance(sheet, TableSheet):
            reader.table(ws, sheet)
        else:
            reader.checklist(ws, sheet)
    return WorkbookDocument(
        path=path,
        text="",
        data=reader.data,
        display=display,
        raw=raw,
        cells=reader.cells,
        layout=layout,
        problems=reader.problems,
    )


def load_workbook_document(
    path: Path, layouts: Sequence[WorkbookLayout], *, what: str = "输入文件"
) -> WorkbookDocument:
    """Read one workbook file (see :func:`parse_workbook`)."""
    display = display_path(path)
    try:
        raw = read_limited(path, MAX_WORKBOOK_BYTES)  # regular files only, never past the limit
        if len(raw) > MAX_WORKBOOK_BYTES:
            size = path.stat().st_size
            raise refuse(display, "文件过大", f"{size} 字节", f"不超过 {MAX_WORKBOOK_BYTES} 字节", what=what)
    except NotRegularFileError:
        raise refuse(display, "不是普通文件（管道、设备等），已拒绝", what=what) from None
    except FileNotFoundError:
        raise refuse(display, "文件不存在", what=what) from None
    except IsADirectoryError:
        raise refuse(display, "这是一个目录，不是文件", what=what) from None
    except OSError as error:
        raise refuse(display, f"无法读取：{error.strerror}", what=what) from None
    return parse_workbook(raw, path, layouts, what=what)
