"""The one way numbers and dates are written for people: 60, 52.5, 98.25; 2025年6月30日."""

from __future__ import annotations

import datetime as dt

from shifan.errors import one_line

__all__ = ["chinese_date", "format_number", "one_line", "signed_number"]


def format_number(value: float) -> str:
    """60.0 → "60", 52.5 → "52.5", 1/3 → "0.33": no trailing zeros, at most two decimals."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    rounded = round(float(value) + 0.0, 2)
    if rounded.is_integer() and abs(rounded) < 1e15:
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def signed_number(value: float) -> str:
    """A change in points: "+2", "-0.5", "0"."""
    text = format_number(value)
    return "+" + text if round(value, 2) > 0 else text


def chinese_date(day: dt.date) -> str:
    """2025-06-30 → "2025年6月30日"."""
    return f"{day.year}年{day.month}月{day.day}日"
