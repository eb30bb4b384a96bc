"""Turning one Excel cell into plain data: text, numbers, dates, months and yes/no words, as a
column of a workbook layout expects them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shifan.read.xlsxlayout import Column

#: What a yes/no cell may say (besides true/false); compared after stripping and lower-casing.
YES_WORDS = frozenset({"是", "有", "对", "√", "✓", "✔", "y", "yes", "true", "已开展", "已建立", "具备"})
NO_WORDS = frozenset({"否", "无", "没有", "不是", "×", "✗", "✘", "n", "no", "false", "未开展", "未建立", "不具备"})

Cell = tuple[str, int | None, int | None]


def plain(value: Any) -> Any:
    """A cell value as plain data: strings stripped (empty → None), dates without midnight times."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def as_text(value: Any) -> Any:
    """A text column's cell: a number typed into it is read as its digits (工号 001 stays text)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def as_month(value: Any) -> Any:
    """A month cell: Excel turns a typed 2025-07 into a date, read back as the month."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    return as_text(value)


def read_cell(column: Column, value: Any) -> Any:
    value = plain(value)
    if value is None:
        return None
    if column.kind == "text":
        return as_text(value)
    if column.kind == "month":
        return as_month(value)
    if column.kind == "choice":
        text = as_text(value)
        # A label of the drop-down is stored as its code (申报类型 示范机构 → institution).
        if column.codes and text in column.choices:
            return column.codes[column.choices.index(text)]
        return text
    return value
