"""Generated user docs from the code itself: the field tables of docs/json-output.md (from the
result models) and docs/cli.md (from the click command tree), each checked for staleness by a test.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any

import click
from pydantic import BaseModel

from shifan.present.reference import LITERAL_LABELS, cell, choices, code_words, enum_choices
from shifan.rules.vocab import ApplicantKind

# --- the JSON output reference -----------------------------------------------------------------

JSON_OUTPUT_COMMAND = "python scripts/generate_docs.py"


@dataclass(frozen=True)
class JsonTable:
    """One generated field table of docs/json-output.md: a model, the key prefix its fields are
    shown under, and the list fields documented by a table of their own (not expanded here)."""

    model: type[BaseModel]
    prefix: str = ""
    separate: frozenset[str] = frozenset()


def json_tables() -> dict[str, JsonTable]:
    """The tables of docs/json-output.md by marker name."""
    from shifan.evaluate.result import CriterionResult, EvaluationResult
    from shifan.evaluate.rollup import Rollup
    from shifan.review.reconcile import ReconciledCriterion, ReconciledResult

    return {
        "evaluation": JsonTable(EvaluationResult, separate=frozenset({"criteria"})),
        "criterion": JsonTable(CriterionResult),
        "rollup": JsonTable(Rollup, prefix="rollup."),
        "reconciled": JsonTable(ReconciledResult, separate=frozenset({"evaluation", "criteria"})),
        "reconciled-criterion": JsonTable(ReconciledCriterion),
    }


def json_fields(model: type[BaseModel], prefix: str = "", separate: frozenset[str] = frozenset()) -> list[JsonField]:
    """Every field of ``model`` as it appears in the JSON output, nested objects flattened."""
    found: list[JsonField] = []
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        key = f"{prefix}{info.alias or name}"
        nested = _model_inside(info.annotation)
        is_list = typing.get_origin(_without_none(info.annotation)) is list
        key += "[]" if is_list and nested else ""
        found.append(JsonField(key, json_type_words(info.annotation), info.description or ""))
        if nested is not None and name not in separate:
            found.extend(json_fields(nested, f"{key}.", frozenset()))
    return found


@dataclass(frozen=True)
class JsonField:
    key: str
    type: str
    description: str


def render_json_table(table: JsonTable) -> str:
    lines = ["| 字段 | 类型 | 说明 |", "|---|---|---|"]
    for entry in json_fields(table.model, table.prefix, table.separate):
        literals = re.findall(r"`([^`]+)`", entry.type)
        lines.append(f"| `{entry.key}` | {cell(entry.type)} | {cell(code_words(entry.description, literals))} |")
    return "\n".join(lines)


def _marker(name: str) -> tuple[str, str]:
    return (
        f"<!-- 以下字段表由 {JSON_OUTPUT_COMMAND} 生成，请勿手工修改：{name} -->",
        f"<!-- 生成的字段表到此为止：{name} -->",
    )


def fill_generated_blocks(text: str, blocks: dict[str, str]) -> str:
    """``text`` with the content between each pair of markers replaced by the block of that name."""
    for name, body in blocks.items():
        begin, end = _marker(name)
        if text.count(begin) != 1 or text.count(end) != 1:
            raise ValueError(f"markers of block {name!r} missing or repeated")
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n\n{body}\n\n{end}{tail}"
    return text


def render_json_output(current: str) -> str:
    """docs/json-output.md with its field tables regenerated from the result models."""
    return fill_generated_blocks(current, {name: render_json_table(t) for name, t in json_tables().items()})


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    bare = _without_none(annotation)
    if typing.get_origin(bare) is list:
        bare = typing.get_args(bare)[0]
    return bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None


def json_type_words(annotation: Any) -> str:
    """The JSON type of a result field in Chinese words."""
    bare = _without_none(annotation)
    if bare is not annotation:
        return f"{json_type_words(bare)}，或 null"
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        labels = {**LITERAL_LABELS, **{k.value: k.label for k in ApplicantKind}}
        return "取值之一：" + choices([str(a) for a in typing.get_args(annotation)], labels)
    if origin is list:
        inner = typing.get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "对象数组"
        return f"{json_type_words(inner)}数组"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "对象"
        if issubclass(annotation, Enum):
            return "代码之一：" + enum_choices(annotation)
        if issubclass(annotation, bool):
            return "布尔"
        if issubclass(annotation, int):
            return "整数"
        if issubclass(annotation, float):
            return "数值"
        if issubclass(annotation, dt.date):
            return "日期"
    return "文本"


# --- the command-line reference ----------------------------------------------------------------

CLI_REFERENCE_COMMAND = "python scripts/generate_docs.py"


def render_cli_reference(root: click.Group, name: str = "shifan") -> str:
    """docs/cli.md: every command of ``root`` with its Chinese help and its options."""
    lines = [
        "# 命令行参考",
        "",
        f"<!-- 生成文件，请勿手工修改：{CLI_REFERENCE_COMMAND} -->",
        "",
        "本文件由命令行的定义生成，测试会检查它是否与之一致。每个命令都可以加 `-h` 或 `--help` 查看同样的说明；"
        "退出码见 README 的“退出码”一节。",
    ]
    lines.extend(_command_reference(root, click.Context(root, info_name=name, **root.context_settings), name))
    return "\n".join(lines) + "\n"


def _command_reference(command: click.Command, ctx: click.Context, path: str) -> list[str]:
    lines = ["", f"## `{path}`", "", f"用法：`{_usage(command, ctx, path)}`"]
    lines += ["", *_help_paragraphs(command.help or "")]
    options = _options(command, ctx)
    if options:
        lines += ["", "| 选项 | 说明 |", "|---|---|"]
        for option in options:
            lines.append(f"| {cell(_option_names(option, ctx))} | {cell(_option_help(option))} |")
    if isinstance(command, click.Group):
        # list_commands/get_command, not .commands: the root group loads its commands on use.
        found = ((n, command.get_command(ctx, n)) for n in command.list_commands(ctx))
        subcommands = [(n, c) for n, c in sorted(found, key=lambda item: item[0]) if c is not None and not c.hidden]
        lines += ["", "| 命令 | 说明 |", "|---|---|"]
        for sub_name, sub in subcommands:
            lines.append(f"| `{path} {sub_name}` | {cell(_first_paragraph(sub.help or ''))} |")
        for sub_name, sub in subcommands:
            lines += _command_reference(sub, click.Context(sub, info_name=sub_name, parent=ctx), f"{path} {sub_name}")
    return lines


def _usage(command: click.Command, ctx: click.Context, path: str) -> str:
    pieces = [path]
    if _options(command, ctx):
        pieces.append("[选项]")
    for argument in (p for p in command.params if isinstance(p, click.Argument)):
        text = (argument.name or "").upper() + ("..." if argument.nargs == -1 else "")
        pieces.append(text if argument.required else f"[{text}]")
    if isinstance(command, click.Group):
        pieces.append("命令 [参数]...")
    return " ".join(pieces)


def _options(command: click.Command, ctx: click.Context) -> list[click.Option]:
    """The options of ``command`` but the help option (mentioned once at the top)."""
    shown = command.get_help_option(ctx)
    return [p for p in command.get_params(ctx) if isinstance(p, click.Option) and p is not shown]


#: Click's generic placeholders, in Chinese; placeholders the commands name themselves stay.
METAVAR_WORDS = {
    "PATH": "路径",
    "DIRECTORY": "目录",
    "FILE": "文件",
    "INTEGER RANGE": "整数",
    "INTEGER": "整数",
    "FLOAT": "数值",
    "TEXT": "文本",
}


def _help_paragraphs(text: str) -> list[str]:
    """Click help text as Markdown: paragraphs joined, ``\\b`` blocks kept as code blocks."""
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        rows = paragraph.splitlines()
        if rows and rows[0].strip() == "\b":
            body = [row.rstrip() for row in rows[1:]]
            indent = min((len(r) - len(r.lstrip()) for r in body if r.strip()), default=0)
            lines += ["```", *(row[indent:] for row in body), "```", ""]
        elif paragraph.strip():
            lines += ["".join(row.strip() for row in rows), ""]
    return lines[:-1] if lines else lines


def _first_paragraph(text: str) -> str:
    return "".join(row.strip() for row in re.split(r"\n\s*\n", text.strip())[0].splitlines())


def _option_names(option: click.Option, ctx: click.Context) -> str:
    names = ", ".join([*option.opts, *option.secondary_opts]) if option.secondary_opts else ", ".join(option.opts)
    if option.is_flag or option.count:
        return f"`{names}`"
    if isinstance(option.type, click.Choice):
        return f"`{names}` 取值：" + "、".join(f"`{choice}`" for choice in option.type.choices)
    metavar = option.make_metavar(ctx)
    return f"`{names}` {METAVAR_WORDS.get(metavar, f'`{metavar}`')}"


def _option_help(option: click.Option) -> str:
    text = option.help or ""
    if option.required:
        text += "（必填）"
    elif option.show_default and option.default not in (None, False, ()):
        text += f"（缺省 `{option.default}`）"
    if option.multiple:
        text += "（可重复给出）"
    return text
