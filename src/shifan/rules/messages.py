"""The Chinese phrases several check kinds share, so that each is worded in one place.

A check kind composes its ``observed``, ``expected`` and ``reason`` sentences from these pieces
and its own nouns; a copy-editing change to a shared phrase is made here.
"""

from __future__ import annotations

from shifan.formatting import format_number

#: A comparison operator in words: ``不低于60%``.
OP_WORDS = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于"}


def show(value: float, unit: str) -> str:
    """A number rounded to 2 decimals with its unit: ``72.5%``, ``4分``."""
    return format_number(round(value, 2)) + unit


def requirement(op: str, threshold: str) -> str:
    """A threshold with its comparison: ``不低于60%``."""
    return f"{OP_WORDS[op]}{threshold}"


def quoted_requirement(op: str, threshold: str) -> str:
    """A threshold quoted as the rule states it: ``“不低于60%”``."""
    return f"“{requirement(op, threshold)}”"


def reached(ok: bool) -> str:
    """Whether a value reaches what is required: ``达到`` / ``未达到``."""
    return "达到" if ok else "未达到"


def complies(ok: bool) -> str:
    """Whether something complies with a rule: ``符合`` / ``不符合``."""
    return "符合" if ok else "不符合"


def metric_value(title: str, value: float, unit: str) -> str:
    """A computed metric and its value: ``年入住率 72.5%``."""
    return f"{title} {show(value, unit)}"


def metric_value_with_detail(title: str, value: float, unit: str, detail: str) -> str:
    """A computed metric, its value and how it was computed: ``年入住率 72.5%（…）``."""
    return f"{metric_value(title, value, unit)}（{detail}）"


def not_reported(what: str) -> str:
    """Data the application does not give: ``未填报工作人员花名册``."""
    return f"未填报{what}"


def lacking(what: str) -> str:
    """Something required that is absent: ``缺少…``."""
    return f"缺少{what}"
