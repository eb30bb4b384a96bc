"""Characters refused in every input file: what a reader cannot see or that rewrites the display.

Control characters (except tab and line breaks in the file itself), bidirectional overrides,
zero-width and other invisible format characters, Hangul fillers, noncharacters and the
Unicode line and paragraph separators are refused wherever they occur — raw in the file or
written as a YAML escape (``"\\u200b"``) — with the position of the first occurrences. They
would otherwise let a name look like another one, reorder a sort, forge lines in a printed
notice, move the terminal cursor or make a spreadsheet unreadable.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

#: Most refused characters reported per file (each with its position).
MAX_REPORTED = 20

_INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, LF, CR), DEL, C1 controls
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"  # soft hyphen, fillers, Mongolian FVS
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f"  # zero-width, marks, separators, bidi, invisible operators
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\ufdd0-\ufdef\ufffe\uffff"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"  # musical format controls, tags, variation selectors
)
#: Refused in the raw text of a file (tab and line breaks are the file's own layout).
RAW = re.compile(f"[{_INVISIBLE}]")
#: Refused in a parsed value: also CR (which only a ``"\\r"`` escape can put there).
VALUE = re.compile(f"[{_INVISIBLE}\r]")
_NONCHARACTER = re.compile("[\ufdd0-\ufdef\ufffe\uffff]")


def describe(char: str) -> str:
    """Chinese name of a refused character's class, with its code point."""
    code = f"U+{ord(char):04X}"
    if char in "\u2028\u2029\x85":
        kind = "行分隔符或段分隔符"
    elif char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
        kind = "双向文字控制符"
    elif _NONCHARACTER.match(char) or (ord(char) & 0xFFFE) == 0xFFFE:
        kind = "非字符"
    elif unicodedata.category(char) == "Cc" or char == "\r":
        kind = "控制字符"
    else:
        kind = "不可见字符"
    return f"{kind} {code}"


def refused_in_text(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, description) of each refused character in a file's text, 1-based."""
    line, line_start, scanned = 1, 0, 0
    for match in RAW.finditer(text):
        offset = match.start()
        line += text.count("\n", scanned, offset)
        scanned = offset
        line_start = text.rfind("\n", 0, offset) + 1
        yield line, offset - line_start + 1, describe(match.group())


def refused_in_data(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(key path, description) of each key or text value holding a refused character."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    seen: set[int] = set()
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if found := VALUE.search(node):
                yield path, describe(found.group())
        elif isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in items:
                if isinstance(key, str) and (found := VALUE.search(key)):
                    yield (*path, key), describe(found.group())
                stack.append(((*path, key if isinstance(key, (str, int)) else str(key)), value))


#: Dates accepted anywhere: far enough to hold any real record, near enough that "N years
#: before" and "the month after" stay valid dates.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
#: Most digits of an unquoted number (longer ones cannot be real data, and past 4 300 digits
#: Python refuses to read them at all).
MAX_DIGITS = 30
#: An unquoted integer with too many digits: the whole plain scalar after a key, a dash or a
#: flow bracket (digits inside quoted text are text and are not refused).
LONG_NUMBER = re.compile(rf"(?:^|(?<=[\s:\[{{,]))[+-]?\d{{{MAX_DIGITS + 1},}}(?=[ \t]*(?:$|[#,\]}}]))", re.MULTILINE)


def dates_out_of_range(data: Any) -> Iterator[tuple[tuple[str | int, ...], dt.date]]:
    """(key path, date) of each date value outside :data:`EARLIEST` … :data:`LATEST`."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    seen: set[int] = set()
    while stack:
        path, node = stack.pop()
        if isinstance(node, dt.date) and not EARLIEST <= node <= LATEST:
            yield path, node
        elif isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend(((*path, key if isinstance(key, (str, int)) else str(key)), value) for key, value in items)


#: A year as a YAML timestamp starts (the only way a parsed value becomes a date).
_TIMESTAMP_YEAR = re.compile(r"(?<![0-9])([0-9]{4})-[0-9]{1,2}-[0-9]{1,2}")


def may_hold_refused(text: str) -> bool:
    """False when a YAML text whose raw characters passed :func:`refused_in_text` cannot hold a
    refused character in its parsed values either: only an escape (``"\\u200b"``) puts one there."""
    return "\\" in text


def may_hold_dates_out_of_range(text: str) -> bool:
    """False when no timestamp in a YAML text has a year outside :data:`EARLIEST` … :data:`LATEST`."""
    return any(not EARLIEST.year <= int(year) <= LATEST.year for year in _TIMESTAMP_YEAR.findall(text))


def visible(text: str) -> str:
    """``text`` in NFKC form without refused or whitespace characters: what identity comparisons use."""
    return "".join(VALUE.sub("", unicodedata.normalize("NFKC", text)).split())
