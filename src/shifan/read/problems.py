"""Turning pydantic validation errors into located Chinese problems."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shifan.errors import Problem
from shifan.read.suggest import did_you_mean
from shifan.read.yamldoc import Document

#: Most validation errors reported per file; the rest are counted.
MAX_PROBLEMS = 100

MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的键",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "date_type": "应为日期",
    "date_parsing": "应为日期",
    "date_from_datetime_parsing": "应为日期",
    "date_from_datetime_inexact": "应为日期（不含时间）",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不正确",
    "union_tag_invalid": "类型标记不是允许的取值",
    "union_tag_not_found": "缺少类型标记",
    "finite_number": "应为有限数字",
}

EXPECTED = {
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数",
    "float_type": "数字",
    "float_parsing": "数字",
    "bool_type": "是 或 否（true 或 false）",
    "bool_parsing": "是 或 否（true 或 false）",
    "string_type": "文字（含数字的请加引号）",
    "date_type": "日期，如 2024-03-01、2024/3/1 或 2024年3月1日",
    "date_parsing": "日期，如 2024-03-01、2024/3/1 或 2024年3月1日",
    "date_from_datetime_parsing": "日期，如 2024-03-01、2024/3/1 或 2024年3月1日",
    "list_type": "列表（每项以 - 开头）",
    "dict_type": "键值映射",
    "model_type": "键值映射",
    "model_attributes_type": "键值映射",
    "finite_number": "有限数字",
}


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete alternatives of an annotation (strips Optional, Annotated, unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        result = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                result.extend(_unwrap(arg))
        return result
    return [annotation]


def _tag_of(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("kind")
    if kind is None:
        return None
    args = typing.get_args(kind.annotation)
    return str(args[0]) if args else None


def resolve_loc(root: Any, loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], set[str]]:
    """Map a pydantic ``loc`` to the document path, dropping union tags.

    Returns the path and the keys allowed at the innermost mapping (for "did you mean").
    """
    path: list[str | int] = []
    candidates = _unwrap(root)
    allowed: set[str] = set()
    for part in loc:
        models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if len(models) > 1 and isinstance(part, str):
            tagged = [m for m in models if _tag_of(m) == part]
            if tagged:
                candidates = tagged
                continue
        if models:
            # Fields are looked up by the name written in the file (an alias such as ``in``).
            fields = {info.alias or name: info for name, info in models[0].model_fields.items()}
            allowed = set(fields)
            path.append(part)
            info = fields.get(str(part))
            candidates = _unwrap(info.annotation) if info is not None else []
            continue
        path.append(part)
        next_candidates: list[Any] = []
        for candidate in candidates:
            origin = typing.get_origin(candidate)
            args = typing.get_args(candidate)
            if origin in (list, tuple, set, frozenset) and args:
                next_candidates.extend(_unwrap(args[0]))
            elif origin is dict and len(args) == 2:
                next_candidates.extend(_unwrap(args[1]))
        candidates = next_candidates
    return tuple(path), allowed


def _describe(root: Any, loc: tuple[str | int, ...]) -> str:
    """The Chinese description of the field at ``loc`` (its key when it has none)."""
    candidates = _unwrap(root)
    for part in loc[:-1]:
        models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        tagged = [m for m in models if _tag_of(m) == part] if len(models) > 1 else []
        if tagged:
            candidates = tagged
            continue
        next_candidates: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                info = {i.alias or n: i for n, i in candidate.model_fields.items()}.get(str(part))
                next_candidates.extend(_unwrap(info.annotation) if info is not None else [])
            elif typing.get_args(candidate):
                next_candidates.extend(_unwrap(typing.get_args(candidate)[-1]))
        candidates = next_candidates
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            info = {i.alias or n: i for n, i in candidate.model_fields.items()}.get(str(loc[-1]))
            if info is not None and info.description:
                return "“" + info.description.split("；")[0].split("，")[0] + "”"
    return f" {loc[-1]}"


def _found(value: Any) -> str:
    if isinstance(value, dict):
        return "键值映射"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 80 else text[:77] + "…"


def problems_from_validation(
    error: ValidationError, document: Document, root: Any, *, prefix: tuple[str | int, ...] = ()
) -> list[Problem]:
    """The errors of a pydantic validation, located in ``document``: the first
    :data:`MAX_PROBLEMS`, then one line saying how many more there are (keeps the report linear)."""
    details = error.errors(include_url=False)
    problems = [problem_from_detail(detail, document, root, prefix) for detail in details[:MAX_PROBLEMS]]
    if len(details) > MAX_PROBLEMS:
        more = len(details) - MAX_PROBLEMS
        problems.append(Problem(document.display, None, None, "", f"另有 {more} 处错误未列出，请先改正以上错误"))
    return problems


def problem_from_detail(detail: ErrorDetails, document: Document, root: Any, prefix: tuple[str | int, ...]) -> Problem:
    kind = detail["type"]
    loc = tuple(detail["loc"])
    # pydantic marks an error in a mapping's key (not its value) with a trailing "[key]".
    in_key = bool(loc) and loc[-1] == "[key]"
    path, allowed = resolve_loc(root, loc[:-1] if in_key else loc)
    path = document.canonical(prefix + path)
    ctx = detail.get("ctx") or {}
    message = MESSAGES.get(kind, "")
    expected = EXPECTED.get(kind, "")
    found = _found(detail.get("input"))
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        message = "未知的键" + did_you_mean(key, allowed)
        found = f"“{key}”"
        expected = "、".join(sorted(allowed)) if len(allowed) <= 12 else "见 shifan schema 输出"
    elif kind == "missing":
        found = "（无）"
        expected = f"填写{_describe(root, loc)}" if path else ""
    elif kind in ("enum", "literal_error"):
        options = str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "")
        expected = options
        if isinstance(detail.get("input"), str):
            message += did_you_mean(detail["input"], [o.strip() for o in options.split(",")])
    elif kind in ("greater_than_equal", "greater_than"):
        expected = f"{'≥' if kind.endswith('equal') else '>'} {ctx.get('ge', ctx.get('gt'))}"
    elif kind in ("less_than_equal", "less_than"):
        expected = f"{'≤' if kind.endswith('equal') else '<'} {ctx.get('le', ctx.get('lt'))}"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        tag = str(ctx.get("tag", ""))
        if tag:
            message += did_you_mean(tag, [t.strip() for t in expected.split(",")])
            found = f"“{tag}”"
        path = (*path, str(ctx.get("discriminator", "kind")).strip("'"))
    elif kind in ("string_too_short", "too_short") and int(ctx.get("min_length", 1)) > 1:
        unit = "个字符" if kind.startswith("string") else "项"
        message, expected = "过短", f"至少 {ctx['min_length']} {unit}"
    elif kind in ("string_too_long", "too_long"):
        unit = "个字符" if kind.startswith("string") or isinstance(detail.get("input"), str) else "项"
        message, expected = "过长", f"至多 {ctx.get('max_length')} {unit}"
    elif kind == "value_error":
        message = str(ctx.get("error", detail["msg"]))
    elif not message:
        message = detail["msg"]
    if in_key:
        message = "键" + message
        found = f"“{path[-1]}”" if path else found
    return document.problem(path, message, found=found, expected=expected)
