"""Chinese identifiers: 统一社会信用代码 (GB 32100-2015) and 行政区划代码 (GB/T 2260)."""

from __future__ import annotations

import re

from shifan.rules.divisions import division_problem

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
REGION_CODE_PATTERN = re.compile(r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])\d{4}$")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 computed from the first 17 (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != 18:
        return f"应为18位，实际{len(code)}位"
    if not USCC_PATTERN.match(code):
        return "含有不允许的字符（不得使用 I、O、Z、S、V）或第3-8位不是数字"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"校验码错误：第18位应为 {expected}"
    return None


def region_code_problem(code: str) -> str | None:
    """Why ``code`` is not a plausible 6-digit 行政区划代码, or None when it is."""
    if not re.fullmatch(r"\d{6}", code):
        return "应为6位数字"
    if not REGION_CODE_PATTERN.match(code):
        return f"前两位 {code[:2]} 不是有效的省级代码"
    return division_problem(code)


def make_uscc(first17: str) -> str:
    """A valid code from its first 17 characters (for samples and generated fixtures)."""
    return first17 + uscc_check_char(first17)
