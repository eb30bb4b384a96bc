"""The application form, generated from the pydantic models: one input per field, labelled with
the field's Chinese description, drop-downs and check boxes from the label catalogue, repeated
rows for lists of records.

:func:`build_form` turns the raw data of an application (possibly invalid) into a tree of
:class:`Field` nodes for the template; :func:`parse_form` turns the posted form back into data
the same loader validates. Fields the form does not show (self scores, attachments) are kept
from the stored data.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, NamedTuple, Union

from pydantic import BaseModel

#: Fields kept from the stored data rather than shown as inputs (edited elsewhere or not by hand).
HIDDEN = {"self_scores", "self_notes", "attachments", "kind", "rubric"}
#: Blank rows offered under the existing rows of a list.
BLANK_ROWS = 1


@dataclass
class Field:
    """One node of the form: an input, a group of inputs or a list of rows."""

    kind: str  # text number date bool select multi group rows counts
    name: str
    label: str
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: list[Field] = field(default_factory=list)
    required: bool = False
    errors: list[str] = field(default_factory=list)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None`` and ``Annotated`` (and whether ``None`` was allowed)."""
    optional = False
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            annotation, optional = args[0], True
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation, optional


@functools.cache
def _options(enum: type[Enum]) -> list[tuple[str, str]]:
    """(code, label) of every member (computed once per enum; callers do not change the list)."""
    return [(str(member.value), str(getattr(member, "label", member.value))) for member in enum]


class _Spec(NamedTuple):
    """A field of a model as the form needs it."""

    name: str
    label: str
    annotation: Any  # without ``None`` and ``Annotated``
    optional: bool  # ``None`` allowed
    is_required: bool  # no default
    origin: Any  # ``typing.get_origin`` of the annotation


@functools.cache
def _fields(model: type[BaseModel]) -> list[_Spec]:
    """The fields of ``model``, worked out once per model (pages are drawn from them many times)."""
    specs = []
    for name, info in model.model_fields.items():
        annotation, optional = _unwrap(info.annotation)
        label = info.description or name
        specs.append(_Spec(name, label, annotation, optional, info.is_required(), typing.get_origin(annotation)))
    return specs


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_form(model: type[BaseModel], data: Any, prefix: str = "") -> list[Field]:
    """The form nodes of ``model`` filled with ``data`` (a dict read from the file, maybe invalid)."""
    values = data if isinstance(data, Mapping) else {}
    nodes: list[Field] = []
    for name, label, annotation, optional, is_required, origin in _fields(model):
        if not prefix and name in HIDDEN:
            continue
        path = f"{prefix}{name}"
        value = values.get(name)
        required = is_required and not optional
        if origin is Literal:
            continue
        if _is_model(annotation):
            nodes.append(
                Field("group", path, label, children=build_form(annotation, value, f"{path}."), required=required)
            )
        elif origin is list:
            (item,) = typing.get_args(annotation)
            if _is_enum(item):
                chosen = [str(v) for v in value] if isinstance(value, list) else []
                nodes.append(Field("multi", path, label, value=chosen, options=_options(item)))
            elif _is_model(item):
                existing = value if isinstance(value, list) else []
                rows = [
                    Field("group", f"{path}.{i}", f"第 {i + 1} 行", children=build_form(item, row, f"{path}.{i}."))
                    for i, row in enumerate([*existing, *([None] * BLANK_ROWS)])
                ]
                nodes.append(Field("rows", path, label, rows=rows))
        elif origin is dict:
            key_type, _ = typing.get_args(annotation)
            if _is_enum(key_type):
                counts = value if isinstance(value, Mapping) else {}
                children = [
                    Field("number", f"{path}.{code}", text, value=_text(counts.get(code)))
                    for code, text in _options(key_type)
                ]
                nodes.append(Field("counts", path, label, children=children, required=required))
        elif _is_enum(annotation):
            nodes.append(
                Field("select", path, label, value=_text(value), options=_options(annotation), required=required)
            )
        elif annotation is bool:
            nodes.append(Field("bool", path, label, value=bool(value)))
        elif annotation is dt.date:
            nodes.append(Field("date", path, label, value=_text(value), required=required))
        elif annotation in (int, float):
            nodes.append(Field("number", path, label, value=_text(value), required=required))
        else:
            nodes.append(Field("text", path, label, value=_text(value), required=required))
    # Single inputs first, then check-box lists, groups and repeated rows, as a paper form reads.
    return sorted(nodes, key=lambda node: ORDER.get(node.kind, 0))


ORDER = {"multi": 1, "counts": 2, "group": 3, "rows": 4}


def _number(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return raw  # the loader reports it at its key


def _date(raw: str) -> Any:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return raw


def _blank(value: Any) -> bool:
    if value is None or value == [] or value == {} or value is False:
        return True
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return False


def parse_form(model: type[BaseModel], form: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The data the posted ``form`` describes for ``model`` (blank inputs and blank rows left out)."""
    out: dict[str, Any] = {}
    for name, _label, annotation, _optional, is_required, origin in _fields(model):
        if not prefix and name in HIDDEN:
            continue
        path = f"{prefix}{name}"
        value: Any = None
        if origin is Literal:
            continue
        if _is_model(annotation):
            value = parse_form(annotation, form, f"{path}.")
            if not value and not is_required:
                value = None
        elif origin is list:
            (item,) = typing.get_args(annotation)
            if _is_enum(item):
                value = [v for v in _getlist(form, path) if v] or None
            elif _is_model(item):
                rows = []
                index = 0
                present = _row_numbers(form, path)
                while str(index) in present:
                    row = parse_form(item, form, f"{path}.{index}.")
                    if not _blank(row):
                        rows.append(row)
                    index += 1
                value = rows or None
        elif origin is dict:
            key_type, _ = typing.get_args(annotation)
            if _is_enum(key_type):
                counts = {}
                for code, _label in _options(key_type):
                    raw = str(form.get(f"{path}.{code}", "")).strip()
                    if raw:
                        counts[code] = _number(raw)
                value = counts or None
        elif annotation is bool:
            value = True if form.get(path) else None
        else:
            raw = str(form.get(path, "")).strip()
            if raw:
                value = _date(raw) if annotation is dt.date else _number(raw) if annotation in (int, float) else raw
        if value is not None:
            out[name] = value
    return out


def _row_numbers(form: Mapping[str, Any], path: str) -> set[str]:
    """The row numbers ``n`` with some input named ``{path}.{n}.…`` (one pass over the form)."""
    start = f"{path}."
    present = set()
    for key in form:
        if key.startswith(start):
            head, dot, _ = key[len(start) :].partition(".")
            if dot:
                present.add(head)
    return present


def _getlist(form: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(key)]
    value = form.get(key)
    return [str(v) for v in value] if isinstance(value, list) else ([str(value)] if value else [])


def attach_errors(nodes: list[Field], problems: Mapping[str, list[str]]) -> set[str]:
    """Put each problem beside the field its key names; returns the keys placed."""
    placed: set[str] = set()
    for node in nodes:
        if node.name in problems:
            node.errors = list(problems[node.name])
            placed.add(node.name)
        placed |= attach_errors(node.children, problems)
        placed |= attach_errors(node.rows, problems)
    return placed
