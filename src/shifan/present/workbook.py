"""Writing an application as an Excel workbook: the ``shifan init --format xlsx`` template and ``shifan convert``.

One sheet per part of the application, laid out by :mod:`shifan.load.workbook` (the reader uses
the same layout): Chinese headers with input messages, drop-downs of Chinese labels (their
options on a hidden sheet behind named ranges, since inline lists break past 255 characters),
date and text cell formats, frozen header rows and print setup, and a 填写说明 sheet first.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from shifan.files import atomic_write_bytes
from shifan.read.xlsxlayout import (
    CHECKLIST_HEADERS,
    FORM_HEADERS,
    ChecklistSheet,
    Column,
    FormSheet,
    TableSheet,
    WorkbookLayout,
    keyed_path,
)
from shifan.read.yamlsyntax import KeyPath

#: Empty rows prepared (formats, drop-downs) below a table's data for the applicant to fill.
SPARE_ROWS = 200
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
OPTIONS_SHEET = "选项"

GUIDE = """医养结合示范创建申报工作簿（shifan）

怎样填写
1. 每个工作表是申报数据的一部分；表头或 A 列是填写项目，鼠标停在表头上可看到说明。
2. 带下拉箭头的单元格请从下拉列表中选择；也可以直接输入中文名称。
3. 日期写成 2024-03-01、2024/3/1 或 2024年3月1日 均可；是否类的项目填“是”或“否”。
4. 不掌握的数据请留空，不要填 0：缺少的数据显示为“证据不足”，不会被当作合格或不合格。
5. 数量类项目只填数字（如在住床位数 85），不要填百分比；不要使用公式。
6. 人员的证书填在“证书”表，每张证书一行，用工号对应到“人员”表。
7. 佐证材料的文件路径相对于本工作簿所在的文件夹，用 / 分隔，如 材料/许可证.pdf。
8. 请勿修改工作表名称、表头和 A 列的项目名称；可以增删数据行。

填好后
  shifan check 本文件.xlsx          核验并评分，逐项列出问题（位置写成 工作表!单元格）
  shifan report self 本文件.xlsx    生成自评报告
  shifan convert 本文件.xlsx 本文件.yaml   转换为 YAML 格式

示例数值只是填写示范，提交前必须全部替换为本单位真实数据。"""


class _Options:
    """Drop-down lists on the hidden options sheet, each behind a named range."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.sheet = book.create_sheet(OPTIONS_SHEET)
        self.sheet.sheet_state = "hidden"
        self.names: dict[tuple[str, ...], str] = {}

    def name(self, choices: tuple[str, ...]) -> str:
        if choices not in self.names:
            index = len(self.names) + 1
            letter = get_column_letter(index)
            for row, label in enumerate(choices, start=1):
                self.sheet.cell(row, index, label).data_type = "s"
            name = f"选项{index}"
            ref = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$1:${letter}${len(choices)}"
            self.book.defined_names[name] = DefinedName(name, attr_text=ref)
            self.names[choices] = name
        return self.names[choices]


def _validation(column: Column, options: _Options) -> DataValidation:
    """The drop-down (or, for other kinds, just the input message) of a column's cells."""
    prompt = column.help[:250]
    if column.choices:
        return DataValidation(
            type="list",
            formula1=f"={options.name(column.choices)}",
            allow_blank=True,
            showErrorMessage=False,  # a label typed by hand is read too
            promptTitle=column.header[:32],
            prompt=prompt,
            showInputMessage=True,
        )
    return DataValidation(promptTitle=column.header[:32], prompt=prompt, showInputMessage=True, allow_blank=True)


def _display(column: Column, value: Any) -> Any:
    """A data value as the workbook shows it: labels for codes, 是/否, dates as dates."""
    if value is None:
        return None
    if column.kind == "bool" and isinstance(value, bool):
        return "是" if value else "否"
    if column.codes and str(value) in column.codes:
        return column.choices[column.codes.index(str(value))]
    return value


def _set(ws: Worksheet, row: int, col: int, column: Column, value: Any) -> None:
    cell = ws.cell(row, col)
    shown = _display(column, value)
    cell.value = shown
    if isinstance(shown, str):
        cell.data_type = "s"  # text starting with = stays text, never a formula
    if column.kind == "date":
        cell.number_format = DATE_FORMAT
    elif column.kind in ("text", "month", "choice"):
        cell.number_format = TEXT_FORMAT


def _get(data: Any, key: KeyPath) -> Any:
    for part in key:
        if isinstance(data, dict):
            data = data.get(str(part))
        else:
            return None
    return data


def _header(ws: Worksheet, headers: tuple[str, ...] | list[str], widths: list[int]) -> None:
    for col, (title, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(1, col, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def _form(ws: Worksheet, sheet: FormSheet, data: dict[str, Any], options: _Options) -> None:
    _header(ws, FORM_HEADERS, [30, 36, 60])
    for row, column in enumerate(sheet.fields, start=2):
        ws.cell(row, 1, column.header).font = HEADER_FONT
        _set(ws, row, 2, column, _get(data, column.key))
        ws.cell(row, 3, column.help).alignment = Alignment(wrap_text=True)
        validation = _validation(column, options)
        ws.add_data_validation(validation)
        validation.add(f"B{row}")


def _records(sheet: TableSheet, data: dict[str, Any]) -> Iterator[list[Any]]:
    """The rows of a table sheet, one list of raw values per record."""
    if sheet.keyed:
        keys: dict[str, None] = {}
        for column in sheet.columns[1:]:
            if column.kind != "info":
                keys.update(
                    dict.fromkeys(
                        map(
                            str,
                            _get(data, column.key[: column.key.index("*")] if "*" in column.key else column.key) or {},
                        )
                    )
                )
        for key in keys:
            yield [key, *(_get(data, keyed_path(column.key, key)) for column in sheet.columns[1:])]
        return
    if sheet.link is not None:
        parent_list, parent_id, child = sheet.link
        for parent in _get(data, parent_list) or []:
            for record in parent.get(child) or []:
                yield [parent.get(parent_id), *(_get(record, column.key) for column in sheet.columns[1:])]
        return
    for record in _get(data, sheet.target) or []:
        yield [_get(record, column.key) for column in sheet.columns]


def _table(ws: Worksheet, sheet: TableSheet, data: dict[str, Any], options: _Options) -> None:
    _header(ws, [c.header for c in sheet.columns], [c.width for c in sheet.columns])
    rows = list(_records(sheet, data))
    last = len(rows) + 1 + SPARE_ROWS
    for col, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(col)
        head = _validation(Column(column.header, column.key, help=column.help), options)
        ws.add_data_validation(head)
        head.add(f"{letter}1")
        body = _validation(column, options)
        ws.add_data_validation(body)
        body.add(f"{letter}2:{letter}{last}")
        for row in range(2, last + 1):
            if column.kind == "date":
                ws.cell(row, col).number_format = DATE_FORMAT
            elif column.kind in ("text", "month"):
                ws.cell(row, col).number_format = TEXT_FORMAT
    for row, values in enumerate(rows, start=2):
        for col, (column, value) in enumerate(zip(sheet.columns, values, strict=True), start=1):
            _set(ws, row, col, column, value)


def _checklist(ws: Worksheet, sheet: ChecklistSheet, data: dict[str, Any], options: _Options) -> None:
    _header(ws, CHECKLIST_HEADERS, [16, 44, 12, 24])
    yes_no = Column("是否具备", (), "bool", "已开展、已建立或已具备的填“是”", ("是", "否"))
    validation = _validation(yes_no, options)
    ws.add_data_validation(validation)
    row = 2
    for group, target, choices in sheet.groups:
        chosen = set(map(str, _get(data, target) or []))
        for code, label in choices:
            ws.cell(row, 1, group)
            ws.cell(row, 2, label)
            ws.cell(row, 3, "是" if code in chosen else None)
            ws.cell(row, 4, code).font = Font(color="808080")
            row += 1
    validation.add(f"C2:C{row - 1}")


def workbook_bytes(layout: WorkbookLayout, data: dict[str, Any]) -> bytes:
    """The workbook of ``data`` (plain application data, codes and dates) laid out as ``layout``."""
    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = "填写说明"
    for row, line in enumerate(GUIDE.splitlines(), start=1):
        guide.cell(row, 1, line)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 100
    options = _Options(book)
    for sheet in layout.sheets:
        ws = book.create_sheet(sheet.name)
        if isinstance(sheet, FormSheet):
            _form(ws, sheet, data, options)
        elif isinstance(sheet, TableSheet):
            _table(ws, sheet, data, options)
        else:
            _checklist(ws, sheet, data, options)
    book.move_sheet(OPTIONS_SHEET, offset=len(book.sheetnames))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_workbook(path: Path, layout: WorkbookLayout, data: dict[str, Any]) -> None:
    atomic_write_bytes(path, workbook_bytes(layout, data))


def plain(value: Any) -> Any:
    """Model dump values as YAML and the workbook take them: enum members as their codes."""
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str.__str__(value)  # a StrEnum member as its plain code
    return value
