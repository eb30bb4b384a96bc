"""How a workbook is laid out: which sheet and cell holds which key of the data.

Three kinds of sheet cover the application and the review sheet: a form (one field a row:
项目 | 填写内容 | 说明), a table (a header row, then one record a row) and a checklist (one option
a row with a 是/否 cell). The reader (:mod:`shifan.read.xlsxdoc`) and the writer
(:mod:`shifan.present.workbook`) share these descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from shifan.read.yamlsyntax import KeyPath

HEADER_ROW = 1
FORM_HEADERS = ("项目", "填写内容", "说明")
CHECKLIST_HEADERS = ("类别", "项目", "是否具备", "说明")


@dataclass(frozen=True)
class Column:
    """One field: its Chinese header (or form label), its key and how its cells are read.

    ``kind`` is ``text`` (numbers are read as their digits), ``number``, ``date``, ``month``,
    ``bool`` or ``choice`` (a drop-down of ``choices``, Chinese labels).
    """

    header: str
    key: KeyPath
    kind: str = "text"
    help: str = ""
    choices: tuple[str, ...] = ()
    width: int = 16
    #: The codes the ``choices`` labels stand for, in the same order (for writing data as labels).
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormSheet:
    """One field a row: label in column A, value in column B, explanation in column C."""

    name: str
    fields: tuple[Column, ...]


@dataclass(frozen=True)
class TableSheet:
    """A header row, then one record a row appended to the list at ``target``.

    With ``link`` (parent list, parent's id key, child list key) the first column names the
    parent record (a certificate's 工号) and the row is appended to that record's child list.
    With ``keyed`` the first column is a key and every other column's key names where the cell
    goes, ``*`` standing for the row's key (``self_scores.*``: 自评分 by criterion). Columns of
    kind ``info`` are written for the reader of the sheet and never read back.
    """

    name: str
    target: KeyPath
    columns: tuple[Column, ...]
    link: tuple[KeyPath, str, str] | None = None
    keyed: bool = False


@dataclass(frozen=True)
class ChecklistSheet:
    """One option a row: 类别 | 项目 | 是否具备; every option marked 是 joins the list of its group.

    ``groups`` holds (group label, target list, ((code, label), ...)).
    """

    name: str
    groups: tuple[tuple[str, KeyPath, tuple[tuple[str, str], ...]], ...]


Sheet = FormSheet | TableSheet | ChecklistSheet


def keyed_path(key: KeyPath, row_key: str) -> KeyPath:
    """A keyed column's key with ``*`` replaced by the row's key (appended when it has none)."""
    if "*" in key:
        return tuple(row_key if part == "*" else part for part in key)
    return (*key, row_key)


@dataclass(frozen=True)
class WorkbookLayout:
    """The sheets of one kind of workbook; ``signature`` is the sheet that identifies it."""

    name: str
    signature: str
    sheets: tuple[Sheet, ...]
