"""Every exception shifan raises on purpose.

All derive from :class:`ShifanError`; the command line catches that base class in one place and
exits with the :class:`ExitCode` the subclass declares. The core never prints: it raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import ClassVar


class ExitCode(IntEnum):
    """Every exit status of the ``shifan`` command (the README's 退出码 table lists them)."""

    OK = 0  # evaluated and eligible, or the command succeeded
    NOT_ELIGIBLE = 1  # evaluated and not eligible, or some batch items failed
    INVALID = 2  # invalid input or usage
    INTERNAL = 3  # a defect in shifan
    ENVIRONMENT = 4  # font missing, output not writable, disk full, a required system tool missing
    INTERRUPTED = 130  # Ctrl-C


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

    def location(self, file: str | None = None) -> str:
        """Where the problem is: ``文件.xlsx!人员!D7`` in a workbook, ``文件.yaml:12:5`` in YAML
        (``file`` replaces the file name, e.g. by the name a file was uploaded under)."""
        where = self.file if file is None else file
        if self.sheet:
            where += f"!{self.sheet}"
            if self.line is not None and self.column is not None:
                where += f"!{_column_letters(self.column)}{self.line}"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self) -> str:
        text = f"{self.location()}: {self.key or '(文件)'}: {self.message}"
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

    exit_code: ClassVar[ExitCode] = ExitCode.INVALID

    def user_message(self) -> str:
        return str(self)


class InputError(ShifanError):
    """Raised when an input file (application, rubric, review) is unreadable or invalid.

    Carries *all* problems found in the file, each with file, line, column and dotted key.
    """

    exit_code = ExitCode.INVALID

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

    exit_code = ExitCode.INVALID


class RubricNotFoundError(UsageError):
    """Raised when a rubric id or path names no shipped or local rubric."""

    exit_code = ExitCode.INVALID


class OutputError(ShifanError):
    """Raised when an output file cannot be written (a directory in the way, no permission, disk full)."""

    exit_code = ExitCode.ENVIRONMENT


class FontMissingError(ShifanError):
    """Raised when no CJK font is installed: a PDF of empty boxes is never produced."""

    exit_code = ExitCode.ENVIRONMENT


class RenderError(ShifanError):
    """Raised when the PDF engine or a built-in template fails: a defect, not the operator's input."""

    exit_code = ExitCode.INTERNAL


class TemplateInputError(RenderError):
    """Raised when a report template the operator supplied (``--templates``) has an error."""

    exit_code = ExitCode.INVALID


@dataclass
class ProblemList:
    """Problems collected from one or more input files, then raised together as one
    :class:`InputError` (``what`` names the kind of file in its message)."""

    what: str = "输入文件"
    problems: list[Problem] = field(default_factory=list)

    def append(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self) -> None:
        """Raise every problem collected, if there is one."""
        if self.problems:
            raise InputError(self.problems, what=self.what)


def display_path(path: Path) -> str:
    """A path as users typed it: relative to the working directory when below it; control and
    line-break characters in a file name are shown as codes."""
    try:
        text = str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        text = str(path)
    return one_line(text)


#: Version of the JSON error document (``--format json``); raised on incompatible changes.
ERROR_SCHEMA_VERSION = 1


def error_document(error: ShifanError) -> dict[str, object]:
    """The JSON error document printed with ``--format json`` when a command fails: the exit code,
    the message and, for invalid input, every problem with its file, line, column and key."""
    problems = error.problems if isinstance(error, InputError) else []
    return {
        "schema_version": ERROR_SCHEMA_VERSION,
        "error": {
            "exit_code": int(error.exit_code),
            "kind": type(error).__name__,
            "message": error.user_message(),
            "problems": [
                {
                    "file": p.file,
                    "line": p.line,
                    "column": p.column,
                    "key": p.key,
                    "message": p.message,
                    "found": p.found,
                    "expected": p.expected,
                }
                for p in problems
            ],
        },
    }


#: Characters that move the cursor, break a line or reorder text on a terminal or in a list.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` safe to print as one line: every control, line-break or bidi character is
    shown as its code (``<U+001B>``) instead of acting on the terminal or the layout."""
    return _UNSAFE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
