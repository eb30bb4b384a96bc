"""Every exception shifan raises on purpose.

All derive from :class:`ShifanError`; the command line catches that base class in one place and
maps it to an exit code (2 for bad input or usage). The core never prints: it raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, located as precisely as the file allows.

    ``key`` is the dotted path inside the document (``staff.3.certificates.0.expires``);
    ``found`` and ``expected`` are short human-readable Chinese phrases.
    """

    file: str
    line: int | None
    column: int | None
    key: str
    message: str
    found: str = ""
    expected: str = ""
    #: Worksheet name when the file is a workbook; ``line``/``column`` are then its row and column.
    sheet: str = ""

    def format(self) -> str:
        where = self.file
        if self.sheet:
            where += f"!{self.sheet}"
            if self.line is not None and self.column is not None:
                where += f"!{_column_letters(self.column)}{self.line}"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.key or '(文件)'}: {self.message}"
        details = []
        if self.found:
            details.append(f"实际：{self.found}")
        if self.expected:
            details.append(f"应为：{self.expected}")
        if details:
            text += "（" + "；".join(details) + "）"
        return text


def _column_letters(column: int) -> str:
    """Spreadsheet column name of a 1-based column number (1 → A, 28 → AB)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class ShifanError(Exception):
    """Base class of every error shifan raises deliberately; never shown with a traceback."""

    exit_code = 2

    def user_message(self) -> str:
        return str(self)


class InputError(ShifanError):
    """Raised when an input file (application, rubric, review) is unreadable or invalid.

    Carries *all* problems found in the file, each with file, line, column and dotted key.
    """

    def __init__(self, problems: list[Problem], *, what: str = "输入文件") -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.sheet, p.line or 0, p.column or 0, p.key, p.message))
        self.what = what
        super().__init__(self.user_message())

    def user_message(self) -> str:
        files = sorted({p.file for p in self.problems})
        head = f"{self.what}有 {len(self.problems)} 处错误（{'、'.join(files)}）："
        return "\n".join([head, *("  " + p.format() for p in self.problems)])


class UsageError(ShifanError):
    """Raised when a command is called with arguments that cannot work (bad date, no such rubric)."""


class RubricNotFoundError(UsageError):
    """Raised when a rubric id or path names no shipped or local rubric."""


class OutputError(ShifanError):
    """Raised when an output file cannot be written (a directory in the way, no permission, disk full)."""


class FontMissingError(ShifanError):
    """Raised when no CJK font is installed: a PDF of empty boxes is never produced."""


class RenderError(ShifanError):
    """Raised when a report cannot be rendered (template error, PDF engine failure)."""


@dataclass
class ProblemList:
    """Collects problems of one file, then raises them together."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def raise_if_any(self, what: str = "输入文件") -> None:
        if self.problems:
            raise InputError(self.problems, what=what)


def display_path(path: Path) -> str:
    """A path as users typed it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
