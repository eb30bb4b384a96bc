"""Generated Chinese reference documents, each checked by a test against what it describes:

* the rubric reference (shipped rubrics, check kinds with their fields, metrics) for provincial
  rubric authors, and the extras ``shifan criteria show`` prints;
* the field tables of docs/json-output.md, from the result models;
* docs/cli.md, from the click command tree.

Everything a reader sees is Chinese; the only ASCII identifiers are what an author types (YAML
keys, kind names, codes, options), and those are shown as code.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterable
from enum import Enum, StrEnum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from shifan.formatting import format_number
from shifan.present.text import pad
from shifan.rules.checks import REGISTRY, Check
from shifan.rules.checks.base import ParamHolder
from shifan.rules.checks.events import PERIOD_LABELS
from shifan.rules.checks.items import ITEM_FIELDS
from shifan.rules.checks.metrics import METRICS
from shifan.rules.checks.timing import DATE_LABELS
from shifan.rules.flags import FLAG_KINDS
from shifan.rules.messages import OP_WORDS
from shifan.rules.params import DEFAULT_NOTICE
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import ApplicantKind

RUBRIC_REFERENCE_COMMAND = "shifan criteria reference -o docs/rubric-reference.md"

#: Chinese words for the values of the check kinds' closed (Literal) fields.
LITERAL_LABELS: dict[str, str] = {
    **OP_WORDS,
    **DATE_LABELS,
    **PERIOD_LABELS,
    **{name: label for name, (_, _, label) in ITEM_FIELDS.items()},
}

#: ASCII runs an author types: snake_case names and dotted paths (``features.tcm``).
_IDENTIFIER = re.compile(r"(?<![`A-Za-z0-9_])([a-z][a-z0-9]*(?:[_.][a-z0-9]+)+)(?![`A-Za-z0-9_])")


def cell(text: object) -> str:
    """Text safe inside one Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def code_words(text: str, words: Iterable[str] = ()) -> str:
    """``text`` with identifiers and the given literal ``words`` shown as code."""
    text = _IDENTIFIER.sub(r"`\1`", text)
    for word in words:
        text = re.sub(rf"(?<![`A-Za-z0-9_]){re.escape(word)}(?![`A-Za-z0-9_])", f"`{word}`", text)
    return text


def grades_text(rubric: Rubric) -> str:
    """The grade bands, highest first: ``等级：优秀 ≥90 分；良好 ≥80 分``."""
    bands = sorted(rubric.grades, key=lambda g: rubric.parameters[g.at_least].value, reverse=True)
    return "等级：" + "；".join(f"{g.label} ≥{rubric.parameters[g.at_least].formatted()}" for g in bands)


def render_rubric_extras(rubric: Rubric) -> str:
    """Grades, priorities and the count of defaults, printed after the criteria and parameters."""
    lines = [""]
    if rubric.grades:
        lines.append(grades_text(rubric))
    if rubric.flags:
        lines.append("合理性提示（不影响得分）：" + "、".join(FLAG_KINDS[f.code].title for f in rubric.flags))
    if rubric.priorities:
        lines.append("优先推荐条件（不计分，用于推荐名单排序）：")
        for priority in rubric.priorities:
            lines.append(f"  {pad(priority.id, 6)} {pad(priority.title, 28)} 出处：{rubric.source(priority.source)}")
    defaults = [name for name, p in rubric.parameters.items() if p.is_default]
    if defaults:
        lines.append(f"共 {len(rubric.parameters)} 个参数，其中 {len(defaults)} 个为{DEFAULT_NOTICE}。")
    return "\n".join(lines) + "\n"


# --- the rubric reference ----------------------------------------------------------------------


def render_reference(rubrics: list[Rubric]) -> str:
    """The Markdown reference of the shipped rubrics, the check kinds and the metrics."""
    lines = [
        "# 评分标准参考",
        "",
        f"<!-- 生成文件，请勿手工修改：{RUBRIC_REFERENCE_COMMAND} -->",
        "",
        "本文件由随附评分标准（criteria/）、判定方法注册表和计算指标生成，测试会检查它是否与之一致。"
        f"“{DEFAULT_NOTICE}”的参数是原文缺失或不确定的数字，使用前须核对官方原文。",
        "",
        "## 随附评分标准",
        "",
        "| 编号 | 名称 | 继承链 | 指标 | 满分 | 参数（原文 / 默认值） |",
        "|---|---|---|---|---|---|",
    ]
    for rubric in rubrics:
        quoted = sum(1 for p in rubric.parameters.values() if not p.is_default)
        lines.append(
            f"| {rubric.id} | {cell(rubric.title)} | {' → '.join(rubric.chain)} | {len(list(rubric.criteria()))} "
            f"| {format_number(rubric.max_score)} | {quoted} / {len(rubric.parameters) - quoted} |"
        )
    for rubric in rubrics:
        lines.extend(_rubric_reference(rubric))
    lines.extend(_check_kinds())
    lines.extend(_metrics())
    return "\n".join(lines) + "\n"


def _rubric_reference(rubric: Rubric) -> list[str]:
    lines = ["", f"## {rubric.id}：{rubric.title}", "", f"版本 {rubric.version}；继承链：{' → '.join(rubric.chain)}。"]
    if rubric.description:
        lines += ["", rubric.description]
    lines += ["", "### 来源文件", ""]
    for doc in rubric.sources:
        number = f"（{doc.number}）" if doc.number else ""
        seed = f"；原文副本 `{doc.seed}`" if doc.seed else ""
        note = f"；{doc.note}" if doc.note else ""
        lines.append(f"- `{doc.id}`：《{doc.name}》{number}{seed}{note}")
    for section in rubric.sections:
        total = format_number(sum(c.points for c in section.criteria))
        lines += ["", f"### {section.id} {section.title}（{total} 分）", ""]
        if section.note:
            lines += [section.note, ""]
        lines += ["| 编号 | 指标 | 要求 | 分值 | 出处 | 原文摘录 |", "|---|---|---|---|---|---|"]
        for criterion in section.criteria:
            weight = "否决项" if criterion.gate else format_number(criterion.points)
            defaults = rubric.defaults_of(criterion)
            requirement = rubric.requirement(criterion) + (f"（含默认值：{'、'.join(defaults)}）" if defaults else "")
            lines.append(
                f"| {criterion.id} | {cell(criterion.title)} | {cell(requirement)} | {weight} "
                f"| {cell(rubric.source(criterion.source))} | {cell(criterion.source.quote)} |"
            )
    by_way = [c for _, c in rubric.criteria() if c.evidence_by_way]
    if by_way:
        lines += [
            "",
            "### 佐证材料随满足方式",
            "",
            "以下指标可以用不同方式符合（判定方法 any 的各子条件），只要求实际满足的那种方式的佐证材料"
            "（`evidence_by_way`，与子条件一一对应）；另列的共同材料（`evidence`）无论哪种方式都需要。",
            "",
            "| 编号 | 满足方式 | 所需佐证材料 |",
            "|---|---|---|",
        ]
        for criterion in by_way:
            for way in criterion.evidence_by_way:
                kinds = [*criterion.evidence, *(k for k in way.evidence if k not in criterion.evidence)]
                titles = "、".join(rubric.evidence_types.get(k, k) for k in kinds)
                lines.append(f"| {criterion.id} | {cell(way.title)} | {cell(titles)} |")
    if rubric.priorities:
        lines += ["", "### 优先推荐条件（不计分）", "", "| 编号 | 条件 | 出处 |", "|---|---|---|"]
        for priority in rubric.priorities:
            lines.append(f"| {priority.id} | {cell(priority.title)} | {cell(rubric.source(priority.source))} |")
    lines += ["", "### 参数", "", "| 参数 | 含义 | 取值 | 状态 | 出处 | 说明 |", "|---|---|---|---|---|---|"]
    for name, param in rubric.parameters.items():
        status = "原文" if param.status == "quoted" else "默认值"
        lines.append(
            f"| `{name}` | {cell(param.title)} | {cell(param.formatted())} | {status} "
            f"| {cell(rubric.source(param.source))} | {cell(param.note)} |"
        )
    if rubric.grades:
        lines += ["", grades_text(rubric) + "。"]
    if rubric.flags:
        lines += ["", "### 合理性提示（不影响得分和结论）", "", "| 提示编号 | 内容 | 阈值 |", "|---|---|---|"]
        for spec in rubric.flags:
            limits = "、".join(f"`{name}` = {rubric.parameters[name].formatted()}" for name in spec.thresholds.values())
            lines.append(f"| {spec.code} | {cell(FLAG_KINDS[spec.code].title)} | {limits or '—'} |")
    return lines


def _subjects(subjects: Iterable[str]) -> str:
    return "、".join(ApplicantKind(s).label for s in subjects)


def _check_kinds() -> list[str]:
    lines = [
        "",
        "## 判定方法",
        "",
        "评分标准中每项指标的 `check` 写明用哪种判定方法（`kind`）以及该方法的字段。"
        "字段类型为“参数名”的，填写本评分标准 `parameters` 中某个参数的名称，数字只写在参数里。"
        "每种判定方法的结果为符合、部分符合、不符合、证据不足或不适用；缺少数据时为证据不足，不会当作符合或不符合。",
        "",
        "| 判定方法 | 名称 | 适用对象 | 说明 |",
        "|---|---|---|---|",
    ]
    kinds = sorted(REGISTRY.items())
    for kind, cls in kinds:
        lines.append(f"| `{kind}` | {cell(cls.title)} | {_subjects(cls.subjects)} | {cell(cls.summary)} |")
    for kind, cls in kinds:
        lines += ["", f"### `{kind}`：{cls.title}", "", cls.summary, "", f"适用对象：{_subjects(cls.subjects)}。", ""]
        if cls.passes:
            lines.append(f"- 符合的例子：{cls.passes}")
        if cls.fails:
            lines.append(f"- 不符合的例子：{cls.fails}")
        lines += ["", *_field_table(cls, kind)]
        for nested in _nested_models(cls):
            lines += ["", f"`{kind}` 的{_nested_name(cls, nested)}列表中每一项的字段：", "", *_field_table(nested)]
    return lines


def _metrics() -> list[str]:
    lines = [
        "",
        "## 计算指标",
        "",
        "判定方法 `metric`、`bands` 和 `scheduled_metric` 的 `metric` 字段填写下表中的名称。"
        "缺少计算所需的数据时，该指标为证据不足。",
        "",
        "| 名称 | 含义 | 单位 | 适用对象 | 计算方法 |",
        "|---|---|---|---|---|",
    ]
    for name, metric in sorted(METRICS.items()):
        lines.append(
            f"| `{name}` | {cell(metric.title)} | {cell(metric.unit)} | {_subjects([metric.subject])} "
            f"| {cell(code_words(metric.description))} |"
        )
    return lines


# --- field tables ------------------------------------------------------------------------------


def _field_table(model: type[BaseModel], kind: str | None = None) -> list[str]:
    params = set(getattr(model, "param_fields", ()))
    lines = ["| 字段 | 类型 | 必填或缺省值 | 说明 |", "|---|---|---|---|"]
    if kind is not None:
        lines.append(f"| `kind` | 固定写 `{kind}` | 必填 | 判定方法 |")
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        key = info.alias or name
        literals = _literal_values(info.annotation)
        description = code_words(info.description or "", literals)
        lines.append(
            f"| `{key}` | {cell(type_words(info.annotation, param=name in params))} "
            f"| {cell(_required_words(info))} | {cell(description)} |"
        )
    return lines


def _nested_models(cls: type[Check]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for info in cls.model_fields.values():
        for arg in _flatten(info.annotation):
            if isinstance(arg, type) and issubclass(arg, ParamHolder) and arg not in found:
                found.append(arg)
    return found


def _nested_name(cls: type[Check], nested: type[BaseModel]) -> str:
    for name, info in cls.model_fields.items():
        if nested in _flatten(info.annotation):
            return f" `{info.alias or name}` "
    return ""


def _flatten(annotation: Any) -> list[Any]:
    """The annotation and every type nested inside it."""
    found = [annotation]
    for arg in typing.get_args(annotation):
        found.extend(_flatten(arg))
    return found


def _literal_values(annotation: Any) -> list[str]:
    return [str(a) for t in _flatten(annotation) if typing.get_origin(t) is typing.Literal for a in typing.get_args(t)]


def _required_words(info: FieldInfo) -> str:
    if info.is_required():
        return "必填"
    default = info.default
    if default is None:
        return "可不填"
    if isinstance(default, bool):
        return f"缺省 `{'true' if default else 'false'}`"
    if default == "":
        return "缺省为空"
    if isinstance(default, StrEnum):
        default = default.value
    return f"缺省 `{default}`"


def choices(values: Iterable[str], labels: dict[str, str]) -> str:
    return "、".join(f"`{v}`" + (f"（{labels[v]}）" if labels.get(v, v) != v else "") for v in values)


def enum_choices(enum: type[Enum]) -> str:
    """The codes of ``enum`` with their Chinese labels (members may carry a ``label``)."""
    return choices([str(m.value) for m in enum], {str(m.value): str(getattr(m, "label", m.value)) for m in enum})


def type_words(annotation: Any, *, param: bool = False) -> str:
    """The type of a field in Chinese words (数值、文本、日期、列表 …)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_words(args[0], param=param)
    if origin in (typing.Union, types.UnionType):
        if all(isinstance(a, type) and issubclass(a, Check) for a in args):
            return "判定条件（写法同本节任一判定方法）"
        return "或".join(type_words(a, param=param) for a in args)
    if origin is typing.Literal:
        return "取值之一：" + choices([str(a) for a in typing.get_args(annotation)], LITERAL_LABELS)
    if origin is list:
        inner = args[0]
        if isinstance(inner, type) and issubclass(inner, Enum):
            return f"代码列表，每项为{type_words(inner)}"
        if isinstance(inner, type) and issubclass(inner, ParamHolder):
            return "列表，每项的字段见下表"
        return f"列表，每项为{type_words(inner, param=param)}"
    if origin is dict:
        return f"映射：键为{type_words(args[0])}；值为{type_words(args[1])}"
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return "代码之一：" + enum_choices(annotation)
        if issubclass(annotation, bool):
            return "是/否（`true` 或 `false`）"
        if issubclass(annotation, (int, float)):
            return "数值"
        if issubclass(annotation, dt.date):
            return "日期（如 2025-12-31）"
        if issubclass(annotation, str):
            return "参数名" if param else "文本"
        if issubclass(annotation, Check):
            return "判定条件"
    return "文本"
