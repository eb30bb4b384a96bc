"""Natural human input, read as meant: Chinese labels, dates and yes/no written the way people write them.

Runs on the plain data of an application (from YAML or a workbook) before pydantic validates it,
guided by the models' annotations. A Chinese label stands for its code and 是/否 for yes/no as
they are; every value that is rewritten (a date or month in another format, a number with a unit
or in full-width digits) is recorded as a :class:`Note` ("已按 … 理解") so nothing is silently
reinterpreted; values it cannot read as meant become findings with a
message naming what the field holds (a percentage in a count of beds, a label that is no option).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from shifan.read.suggest import did_you_mean
from shifan.read.yamlsyntax import KeyPath, dotted
from shifan.rules.vocab import ApplicantKind

TRUE_WORDS = frozenset({"是", "有", "对", "√", "✓", "✔", "y", "yes", "true", "t", "已", "已开展", "已建立"})
FALSE_WORDS = frozenset({"否", "无", "没有", "不是", "×", "✗", "✘", "n", "no", "false", "f", "未"})
_DATE = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
#: Units people append to a count; dropped (with a note) when the rest is a plain number.
_UNITS = ("人次", "人", "床", "张", "个", "份", "名", "位", "家", "次", "户", "分")


@dataclass(frozen=True)
class Note:
    """One value read differently from how it was written."""

    key: KeyPath
    written: str
    read_as: str


@dataclass
class Normalised:
    """The data with natural input converted, the notes of what changed, and what could not be read."""

    data: Any
    notes: list[Note] = field(default_factory=list)
    findings: list[tuple[KeyPath, str, str, str]] = field(default_factory=list)


def normalise(data: Any, root: Any) -> Normalised:
    """Convert ``data`` as read against the annotation ``root`` (a model or a discriminated union)."""
    result = Normalised(data=None)
    result.data = _walk(data, root, (), None, result)
    return result


def label_choices(enum: type[StrEnum]) -> str:
    """Every option of a vocabulary as people read it: 标签（code）、…"""
    return "、".join(f"{_label(m)}（{m.value}）" for m in enum)


def _label(member: StrEnum) -> str:
    return str(getattr(member, "label", member.value))


def halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation as their ASCII forms; other text unchanged."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def alternatives(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return alternatives(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found.extend(alternatives(arg))
        return found
    return [annotation]


@dataclass(frozen=True)
class _Plan:
    """What the walker does with a value of one annotation, worked out once per annotation."""

    options: list[Any]
    models: list[type[BaseModel]]
    #: Per model: its fields by the key written in the file (alias or name).
    fields: dict[type[BaseModel], dict[str, FieldInfo]]
    item: Any  # list[item]
    has_item: bool
    key: Any  # dict[key, value]
    value: Any
    has_mapping: bool
    enum: type[StrEnum] | None
    literal: frozenset[Any] | None
    is_date: bool
    is_bool: bool
    is_number: bool
    is_int: bool
    is_str: bool


#: Plans by ``id`` of the annotation; the annotation is kept in the entry so its id stays unique.
_PLANS: dict[int, tuple[Any, _Plan]] = {}


def _plan(annotation: Any) -> _Plan:
    entry = _PLANS.get(id(annotation))
    if entry is not None and entry[0] is annotation:
        return entry[1]
    options = alternatives(annotation)
    models = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)]
    item: Any = None
    key: Any = None
    value: Any = None
    has_item = has_mapping = False
    for option in options:
        origin, args = typing.get_origin(option), typing.get_args(option)
        if origin is list and args and not has_item:
            item, has_item = args[0], True
        if origin is dict and len(args) == 2 and not has_mapping:
            key, value, has_mapping = args[0], args[1], True
    enums = [o for o in options if isinstance(o, type) and issubclass(o, StrEnum)]
    literals = [o for o in options if typing.get_origin(o) is Literal]
    plan = _Plan(
        options=options,
        models=models,
        fields={m: {(f.alias or name): f for name, f in m.model_fields.items()} for m in models},
        item=item,
        has_item=has_item,
        key=key,
        value=value,
        has_mapping=has_mapping,
        enum=enums[0] if enums else None,
        literal=frozenset(typing.get_args(literals[0])) if literals else None,
        is_date=dt.date in options,
        is_bool=bool in options,
        is_number=int in options or float in options,
        is_int=int in options,
        is_str=str in options,
    )
    _PLANS[id(annotation)] = (annotation, plan)
    return plan


def _model_for(value: dict[Any, Any], models: list[type[BaseModel]], path: KeyPath, out: Normalised) -> type[BaseModel]:
    if len(models) == 1:
        return models[0]
    kind = value.get("kind")
    for model in models:
        info = model.model_fields.get("kind")
        tags = typing.get_args(info.annotation) if info is not None else ()
        if kind in tags:
            return model
    # The kind written as its Chinese name (示范机构).
    for model in models:
        info = model.model_fields.get("kind")
        tags = typing.get_args(info.annotation) if info is not None else ()
        for tag in tags:
            if isinstance(kind, str) and kind.strip() == ApplicantKind(tag).label:
                value["kind"] = tag
                return model
    return models[0]


def _walk(value: Any, annotation: Any, path: KeyPath, info: FieldInfo | None, out: Normalised) -> Any:
    if value is None:
        return None
    plan = _plan(annotation)
    if plan.models and isinstance(value, dict):
        fields = plan.fields[_model_for(value, plan.models, path, out)]
        return {
            k: _walk(v, fields[k].annotation, (*path, k), fields[k], out) if k in fields else v
            for k, v in value.items()
        }
    if plan.has_item and isinstance(value, list):
        return [_walk(item, plan.item, (*path, i), info, out) for i, item in enumerate(value)]
    if plan.has_mapping and isinstance(value, dict):
        result = {}
        for key, item in value.items():
            new_key = _key(key, plan.key, (*path, key), out) if isinstance(key, str) else key
            result[new_key] = _walk(item, plan.value, (*path, key), info, out)
        return result
    return _leaf(value, plan, path, info, out)


def _key(key: str, annotation: Any, path: KeyPath, out: Normalised) -> Any:
    """A mapping's key: a label stands for its code; an unknown one is reported as a key."""
    enum = _plan(annotation).enum
    return _enum(key, enum, path, out, what="键") if enum is not None else key


def _leaf(value: Any, plan: _Plan, path: KeyPath, info: FieldInfo | None, out: Normalised) -> Any:
    if plan.enum is not None and isinstance(value, str):
        return _enum(value, plan.enum, path, out)
    if plan.literal is not None:
        return _literal(value, plan.literal)
    if plan.is_date:
        return _date(value, path, out)
    if plan.is_bool:
        return _bool(value, path, out)
    if plan.is_number:
        return _number(value, plan.is_int, path, info, out)
    if plan.is_str and isinstance(value, str) and path and path[-1] == "month":
        return _month(value, path, out)
    if plan.is_str and isinstance(value, str) and path and path[-1] in ("path", "file") and "\\" in value:
        return _slashes(value, path, out)
    return value


def _slashes(value: str, path: KeyPath, out: Normalised) -> str:
    """A relative Windows path (材料\\许可证.pdf) with / between folders; absolute ones are left
    for the attachment check to refuse."""
    if value.startswith("\\") or (len(value) > 1 and value[1] == ":"):
        return value
    fixed = value.replace("\\", "/")
    _note(out, path, value, fixed)
    return fixed


#: Chinese words for the pass/fail literals (a reviewer's 改判).
_VERDICT_WORDS = {"符合": "pass", "通过": "pass", "合格": "pass", "不符合": "fail", "不通过": "fail", "不合格": "fail"}


def _literal(value: Any, allowed: frozenset[Any]) -> Any:
    if isinstance(value, str) and value.strip() in _VERDICT_WORDS and _VERDICT_WORDS[value.strip()] in allowed:
        return _VERDICT_WORDS[value.strip()]
    return value


def _note(out: Normalised, path: KeyPath, written: Any, read_as: Any) -> None:
    out.notes.append(Note(path, str(written), str(read_as)))


@functools.cache
def _codes(enum: type[StrEnum]) -> frozenset[str]:
    return frozenset(m.value for m in enum)


def _enum(value: str, enum: type[StrEnum], path: KeyPath, out: Normalised, *, what: str = "") -> Any:
    text = value.strip()
    codes = _codes(enum)
    if text in codes:
        return text
    wanted = halfwidth(text).replace("(", "（").replace(")", "）")
    for member in enum:
        label = _label(member)
        if wanted in (label, halfwidth(label).replace("(", "（").replace(")", "）")) or halfwidth(text) == member.value:
            return member.value  # a label is the value, not a reinterpretation: no note
    # Not an option: reported here with the labels, instead of pydantic's list of codes.
    hint = did_you_mean(text, sorted(codes)) if text.isascii() else did_you_mean(text, [_label(m) for m in enum])
    out.findings.append((path, what + "不是允许的取值" + hint, f"“{text}”", label_choices(enum)))
    return value


def _date(value: Any, path: KeyPath, out: Normalised) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if not isinstance(value, str):
        return value
    text = halfwidth(value).strip()
    match = _DATE.match(text)
    if not match:
        return value
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        out.findings.append((path, "日期不存在", f"“{value}”", "真实的日期，如 2024-03-01"))
        return value
    if day.isoformat() != value:
        _note(out, path, value, day.isoformat())
    return day


def _month(value: str, path: KeyPath, out: Normalised) -> str:
    match = _MONTH.match(halfwidth(value).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return value
    month = f"{int(match[1]):04d}-{int(match[2]):02d}"
    if month != value:
        _note(out, path, value, month)
    return month


def _bool(value: Any, path: KeyPath, out: Normalised) -> Any:
    if not isinstance(value, str):
        return value
    word = halfwidth(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    return value


def _number(value: Any, integer: bool, path: KeyPath, info: FieldInfo | None, out: Normalised) -> Any:
    if isinstance(value, float) and integer and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        return value
    text = halfwidth(value).strip().replace(",", "")
    what = re.sub(r"（[^）]*）$", "", (info.description or "").split("；")[0]) if info is not None else ""
    if text.endswith("%"):
        message = f"此项填写的是{what or '数量'}，不是百分比"
        out.findings.append((path, message, f"“{value}”", f"{what or '数量'}，不带 %"))
        return value
    for unit in _UNITS:
        if text.endswith(unit) and _NUMBER.match(text[: -len(unit)].strip()):
            text = text[: -len(unit)].strip()
            break
    if not _NUMBER.match(text):
        return value
    real = float(text)
    number: int | float = int(real) if integer and real.is_integer() else real
    if str(number) != value.strip() and text != value.strip():
        _note(out, path, value, number)
    return number


def notes_text(notes: list[Note]) -> Iterator[str]:
    """Each distinct change once, as a line for the terminal, with where it first occurs."""
    counts: dict[tuple[str, str], list[Note]] = {}
    for note in notes:
        counts.setdefault((note.written, note.read_as), []).append(note)
    for (written, read_as), same in counts.items():
        more = f" 等 {len(same)} 处" if len(same) > 1 else ""
        yield f"{dotted(same[0].key)}{more}：“{written}” 已按 “{read_as}” 理解"
