"""The document read from a workbook: plain data plus where each value came from (sheet, row, column).

Kept apart from :mod:`shifan.read.xlsxdoc` so that code handling documents of either kind does not
load the workbook reader (and openpyxl) for a YAML file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shifan.errors import Problem
from shifan.read.xlsxcells import Cell
from shifan.read.xlsxlayout import WorkbookLayout
from shifan.read.yamldoc import Document
from shifan.read.yamlsyntax import KeyPath, dotted


@dataclass
class WorkbookDocument(Document):
    """A workbook read into plain data; positions are (row, column) on a named sheet."""

    raw: bytes = b""
    cells: dict[KeyPath, Cell] = field(default_factory=dict)
    layout: WorkbookLayout | None = None
    #: Cells that could not be read (a formula, an unknown header, a certificate of no one): the
    #: caller reports them together with the validation's problems, all at once.
    problems: list[Problem] = field(default_factory=list)

    def cell(self, path: Sequence[str | int]) -> Cell | None:
        """The cell (or sheet) of the deepest part of ``path`` the workbook holds."""
        parts = tuple(path)
        while parts:
            found = self.cells.get(parts) or self.cells.get(tuple(str(p) for p in parts))
            if found is not None:
                return found
            parts = parts[:-1]
        return None

    def position(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        found = self.cell(path)
        return (found[1], found[2]) if found else (None, None)

    def canonical(self, path: Sequence[str | int]) -> KeyPath:
        return tuple(path)

    def problem(self, path: Sequence[str | int], message: str, *, found: str = "", expected: str = "") -> Problem:
        where = self.cell(path)
        if where is None:
            return Problem(self.display, None, None, dotted(path), message, found, expected)
        sheet, row, column = where
        return Problem(self.display, row, column, dotted(path), message, found, expected, sheet=sheet)
