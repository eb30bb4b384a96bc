"""The characters the report font subsets cover, most frequently used first.

GB 2312 (level 1, symbols, level 2), common name characters outside it, and whole symbol blocks.
Glyph ids in the subsets follow this order, so typical reports use low glyph ids only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

# Characters not in GB 2312 that are common in modern text and in personal and place names.
_EXTRA_HANZI = (
    "啰喆堃玥珺赟犇垚淼昇镕翀琤璟祎彧旻晗晞煊熠瑄瑀珩琰暘堉弢濛溧淏浛骞颢锴铠"
    "妍婧婷娅嫣姝楠桦梓栩椿槿桉榕楷棠烨炜焕熙煜珂珈琬琳瑶璇瑜瑛璞蕾菡萱芮苒茜"
    "岑峥嵩崴昀昕昶晟暄曦朗玙琮珏瑭璋皓睿翊翎羿颀颉骅骐骏鹍鹏鹤麒麟"
)
# Codepoint blocks kept whole (the font keeps only what it has): ASCII, Latin-1, general
# punctuation, letterlike and number forms (℃ № Ⅻ), arrows, maths (≤ ±), enclosed ①,
# box drawing, shapes (■ ● ◆), symbols (★), dingbats (✓), CJK punctuation, enclosed CJK,
# CJK compatibility (㎡), compatibility forms, halfwidth and fullwidth forms.
_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x00FF), (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF),
    (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF),
    (0x2700, 0x27BF), (0x3000, 0x303F), (0x3200, 0x32FF), (0x3300, 0x33FF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)  # fmt: skip


def _gb2312_rows(first: int, last: int) -> list[int]:
    """Codepoints of GB 2312 rows ``first``..``last`` (lead bytes), in GB order."""
    out: list[int] = []
    for lead in range(first, last + 1):
        for trail in range(0xA1, 0xFF):
            try:
                out.append(ord(bytes((lead, trail)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return out


@functools.cache
def codepoint_priority() -> tuple[int, ...]:
    """Every codepoint of the subset, most frequently used first (no duplicates).

    Glyph ids follow this order: ASCII and punctuation, GB 2312 level 1 (the 3,755 common
    hanzi), GB 2312 symbols, level 2, extras, then the remaining symbol blocks.
    """
    ordered: list[int] = [*range(0x20, 0x7F), *range(0x3000, 0x3040), *range(0xFF00, 0xFFF0)]
    ordered += [*range(0x2010, 0x2040), *range(0xA0, 0x100)]
    ordered += _gb2312_rows(0xB0, 0xD7)  # level 1
    ordered += _gb2312_rows(0xA1, 0xA9)  # symbols, Greek, Cyrillic, pinyin, box drawing
    ordered += _gb2312_rows(0xD8, 0xF7)  # level 2
    ordered += [ord(c) for c in _EXTRA_HANZI]
    for start, end in _BLOCKS:
        ordered += range(start, end + 1)
    return tuple(dict.fromkeys(ordered))


def subset_codepoints() -> frozenset[int]:
    return frozenset(codepoint_priority())


def undrawable(texts: Iterable[str]) -> list[str]:
    """The characters of ``texts`` that the report fonts do not cover (a PDF may show them as
    boxes unless a system font happens to have them), in order of first appearance."""
    covered = subset_codepoints()
    found: dict[str, None] = {}
    for text in texts:
        for char in text:
            if ord(char) not in covered and not char.isspace() and char not in found:
                found[char] = None
    return list(found)


def text_values(data: Any) -> Iterator[str]:
    """Every text value in parsed YAML data."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


__all__ = ["codepoint_priority", "subset_codepoints", "text_values", "undrawable"]
