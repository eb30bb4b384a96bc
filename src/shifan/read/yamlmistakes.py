"""Typing mistakes people make in YAML on a Chinese keyboard, recognised and named on their line.

A full-width colon (``name：…``), a missing space after the colon (``name:…``), indentation with
full-width spaces and a Windows path with backslashes inside double quotes either break the
parser, which then complains lines later in its own words, or are silently read as something
else. :func:`mistakes` finds them in the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: A key as the application files write them (ASCII), at the start of a line or of a list item.
_KEY = r"^(?P<lead>[ \t]*(?:-[ \t]+)?)(?P<key>[A-Za-z_][A-Za-z0-9_]*)"
_FULLWIDTH_COLON = re.compile(_KEY + r"[ \t]*：")
_NO_SPACE = re.compile(_KEY + r":(?P<after>[^ \t\r\n/#])")
_FULLWIDTH_INDENT = re.compile(r"^[ \t]*\u3000")
_QUOTED_BACKSLASH = re.compile(r'"[^"\n]*\\[^"\n]*"')
#: A backslash that YAML silently turns into a control character (\n, \t …) in a Windows path;
#: an escaped backslash, quote or character code is deliberate.
#: The double-quoted value of a ``path:`` or ``file:`` key that holds a backslash (group "value").
_PATH_VALUE = re.compile(r'\b(?:path|file)[ \t]*:[ \t]*(?P<value>"[^"\n]*\\[^"\n]*")')
_LONE_BACKSLASH = re.compile(r"(?<!\\)\\(?![\\\"0xuU])")
_BLOCK_START = re.compile(r"[|>][-+0-9]*[ \t]*(#.*)?$")
#: A missing space after a key's colon anywhere in the text: a cheap first look over the whole
#: text, so that a file with none of these mistakes is not examined line by line.
_NO_SPACE_ANYWHERE = re.compile(_KEY + r":[^ \t\r\n/#]", re.MULTILINE)


#: How many lines before a parser error a mistake may be to explain it (the parser notices a
#: full-width colon on the line after it, an unclosed quote later still).
NEAR = 5


@dataclass(frozen=True)
class Mistake:
    """One recognised mistake: 1-based line and column, what it is called, and the fix."""

    line: int
    column: int
    message: str
    found: str
    expected: str
    #: The line as it should have been written (to name the key the line meant).
    fixed: str = ""

    def key_in(self, text: str, key_path_at: Callable[[str, int], str]) -> str:
        """The dotted key the mistaken line meant, found in ``text`` with this line corrected."""
        lines = text.split("\n")
        if self.fixed and 0 < self.line <= len(lines):
            lines[self.line - 1] = self.fixed
        return key_path_at("\n".join(lines), self.line)


def _code_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of lines that are YAML structure, not the inside of a ``|`` or ``>`` block."""
    result: list[tuple[int, str]] = []
    block_indent: int | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if stripped.startswith("#"):
            continue
        result.append((number, line))
        if _BLOCK_START.search(line.split(" #")[0].rstrip() or "x"):
            block_indent = indent
    return result


def mistakes(text: str, *, paths_only: bool = False) -> list[Mistake]:
    """Every recognised mistake in ``text``.

    With ``paths_only`` a backslash inside double quotes counts only on a ``path:`` or ``file:``
    line (elsewhere it may be a deliberate escape such as ``\\n``).
    """
    found: list[Mistake] = []
    if not any(mark in text for mark in ("：", "\u3000", "\\")) and not _NO_SPACE_ANYWHERE.search(text):
        return found
    for number, line in _code_lines(text):
        if _FULLWIDTH_INDENT.match(line):
            column = line.index("\u3000") + 1
            fixed = line.replace("\u3000", "  ")
            found.append(Mistake(number, column, "YAML 语法错误：全角空格缩进", "全角空格", "用半角空格缩进", fixed))
            continue
        match = _FULLWIDTH_COLON.match(line)
        if match:
            column = line.index("：") + 1
            message = "YAML 语法错误：中文冒号"
            fixed = line.replace("：", ": ", 1)
            found.append(
                Mistake(number, column, message, f"{match['key']}：", f"英文冒号加空格，如 {match['key']}: ", fixed)
            )
            continue
        match = _NO_SPACE.match(line)
        if match:
            column = match.start("after") + 1
            message = "YAML 语法错误：冒号后缺空格"
            fixed = line[: match.end("key") + 1] + " " + line[match.end("key") + 1 :]
            found.append(
                Mistake(number, column, message, f"{match['key']}:{match['after']}", f"{match['key']}: ", fixed)
            )
            continue
        if paths_only:
            # only the quoted value of a path: or file: key (another value on the line may hold a
            # deliberate escape such as \n)
            value = _PATH_VALUE.search(line)
            spot = (value.start("value"), value["value"]) if value and _LONE_BACKSLASH.search(value["value"]) else None
        else:
            quoted = _QUOTED_BACKSLASH.search(line)
            spot = (quoted.start(), quoted.group(0)) if quoted else None
        if spot:
            message = "YAML 语法错误：路径请用 /"
            expected = "用 / 分隔文件夹，如 材料/许可证.pdf"
            found.append(Mistake(number, spot[0] + 1, message, spot[1], expected))
    return found


def mistake_near(text: str, line: int | None) -> Mistake | None:
    """The recognised mistake that best explains a parser error reported at ``line``: the last
    one on or before it."""
    candidates = [m for m in mistakes(text) if line is None or line - NEAR <= m.line <= line]
    return candidates[-1] if candidates else None
