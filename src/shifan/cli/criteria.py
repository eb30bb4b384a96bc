"""``shifan criteria``: list, show, validate and compare rubrics."""

from __future__ import annotations

from pathlib import Path

import click

from shifan.cli.params import echo_json
from shifan.errors import InputError, Problem, UsageError
from shifan.evaluate.rubric_diff import diff_rubrics
from shifan.files import atomic_write_text, criteria_dir
from shifan.formatting import format_number
from shifan.load.rubric import load_rubric, shipped_rubric_ids
from shifan.present.diff_text import render_diff
from shifan.present.text import pad, render_rubric
from shifan.rules.checks import REGISTRY
from shifan.rules.checks.metrics import METRICS
from shifan.rules.params import DEFAULT_NOTICE
from shifan.rules.rubric import Rubric


@click.group("criteria")
def criteria() -> None:
    """查看和校验评分标准（rubric）。"""


@criteria.command("list")
def list_rubrics() -> None:
    """列出随本工具提供的评分标准。"""
    for rubric_id in shipped_rubric_ids():
        rubric = load_rubric(rubric_id)
        base = f"（基于 {rubric.chain[-2]}）" if len(rubric.chain) > 1 else ""
        click.echo(f"{pad(rubric_id, 28)} {pad(rubric.version, 8)} {rubric.title}{base}")


@criteria.command("show")
@click.argument("rubric")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。"
)
def show(rubric: str, fmt: str) -> None:
    """显示生效的评分标准（overlay 已合并）：指标、要求、分值、出处和参数是否为默认值。"""
    effective = load_rubric(rubric)
    if fmt == "json":
        echo_json({"sha256": effective.sha256, **effective.model_dump(mode="json", by_alias=True)})
    else:
        click.echo(render_rubric(effective), nl=False)
        click.echo(_extras(effective), nl=False)


def _extras(rubric: Rubric) -> str:
    """Grades, priorities and the count of defaults, printed after the criteria and parameters."""
    lines = [""]
    if rubric.grades:
        bands = sorted(rubric.grades, key=lambda g: rubric.parameters[g.at_least].value, reverse=True)
        lines.append("等级：" + "；".join(f"{g.label} ≥{rubric.parameters[g.at_least].formatted()}" for g in bands))
    if rubric.priorities:
        lines.append("优先推荐条件（不计分，用于推荐名单排序）：")
        for priority in rubric.priorities:
            lines.append(f"  {pad(priority.id, 6)} {pad(priority.title, 28)} 出处：{rubric.source(priority.source)}")
    defaults = [name for name, p in rubric.parameters.items() if p.is_default]
    if defaults:
        lines.append(f"共 {len(rubric.parameters)} 个参数，其中 {len(defaults)} 个为{DEFAULT_NOTICE}。")
    return "\n".join(lines) + "\n"


@criteria.command("validate")
@click.argument("rubrics", nargs=-1)
def validate(rubrics: tuple[str, ...]) -> None:
    """校验评分标准文件；不给参数时校验全部随附的评分标准。"""
    targets = list(rubrics) or shipped_rubric_ids()
    problems: list[Problem] = []
    for target in targets:
        try:
            rubric = load_rubric(target)
        except InputError as error:
            problems.extend(error.problems)
            click.echo(f"✘ {target}", err=True)
            continue
        defaults = sum(1 for p in rubric.parameters.values() if p.is_default)
        click.echo(
            f"✔ {target}：{len(list(rubric.criteria()))} 项指标，满分 {rubric.max_score:g}，"
            f"参数 {len(rubric.parameters)} 个（默认值 {defaults} 个）"
        )
    if problems:
        raise InputError(problems, what="评分标准文件")


@criteria.command("diff")
@click.argument("base")
@click.argument("other", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。"
)
def diff(base: str, other: str | None, fmt: str) -> None:
    """比较两个评分标准：新增、删除和变更的指标，参数变化，分值调整。

    \b
    只给一个评分标准时，与它所继承的基础标准比较，例如：
      shifan criteria diff anhui/institution
      shifan criteria diff national/institution anhui/centre --format json
    """
    first = load_rubric(base)
    if other is None:
        if len(first.chain) < 2:
            raise UsageError(f"评分标准 {first.id} 不继承其他标准，请给出要比较的第二个评分标准")
        first, second = load_rubric(first.chain[-2]), first
    else:
        second = load_rubric(other)
    result = diff_rubrics(first, second)
    if fmt == "json":
        echo_json(result.model_dump(mode="json"))
    else:
        click.echo(render_diff(result), nl=False)


@criteria.command("reference")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="写入文件；缺省输出到屏幕。")
def reference(output: Path | None) -> None:
    """生成评分标准参考文档（Markdown）：随附评分标准的全部指标、参数及出处，判定方法和计算指标。

    仓库中的 docs/rubric-reference.md 由本命令生成：shifan criteria reference -o docs/rubric-reference.md
    """
    ordered = sorted(shipped_rubric_ids(), key=lambda r: (not r.startswith("national/"), r))
    text = render_reference([load_rubric(r) for r in ordered])
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"已写入 {output}")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_reference(rubrics: list[Rubric]) -> str:
    """The Markdown reference of the shipped rubrics, the check kinds and the metrics."""
    lines = [
        "# 评分标准参考",
        "",
        "<!-- 生成文件，请勿手工修改：shifan criteria reference -o docs/rubric-reference.md -->",
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
            f"| {rubric.id} | {_cell(rubric.title)} | {' → '.join(rubric.chain)} | {len(list(rubric.criteria()))} "
            f"| {format_number(rubric.max_score)} | {quoted} / {len(rubric.parameters) - quoted} |"
        )
    for rubric in rubrics:
        lines.extend(_rubric_reference(rubric))
    lines += ["", "## 判定方法（check kinds）", "", "| kind | 名称 | 说明 |", "|---|---|---|"]
    for kind, cls in sorted(REGISTRY.items()):
        doc = " ".join((cls.__doc__ or "").split())
        lines.append(f"| `{kind}` | {_cell(cls.title)} | {_cell(doc)} |")
    lines += ["", "## 计算指标（metrics）", "", "| 名称 | 含义 | 单位 | 适用对象 | 计算方法 |", "|---|---|---|---|---|"]
    for name, metric in sorted(METRICS.items()):
        doc = " ".join(metric.doc.split())
        lines.append(f"| `{name}` | {_cell(metric.title)} | {_cell(metric.unit)} | {metric.subject} | {_cell(doc)} |")
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
                f"| {criterion.id} | {_cell(criterion.title)} | {_cell(requirement)} | {weight} "
                f"| {_cell(rubric.source(criterion.source))} | {_cell(criterion.source.quote)} |"
            )
    if rubric.priorities:
        lines += ["", "### 优先推荐条件（不计分）", "", "| 编号 | 条件 | 出处 |", "|---|---|---|"]
        for priority in rubric.priorities:
            lines.append(f"| {priority.id} | {_cell(priority.title)} | {_cell(rubric.source(priority.source))} |")
    lines += ["", "### 参数", "", "| 参数 | 含义 | 取值 | 状态 | 出处 | 说明 |", "|---|---|---|---|---|---|"]
    for name, param in rubric.parameters.items():
        status = "原文" if param.status == "quoted" else "默认值"
        lines.append(
            f"| `{name}` | {_cell(param.title)} | {_cell(param.formatted())} | {status} "
            f"| {_cell(rubric.source(param.source))} | {_cell(param.note)} |"
        )
    if rubric.grades:
        bands = sorted(rubric.grades, key=lambda g: rubric.parameters[g.at_least].value, reverse=True)
        lines += [
            "",
            "等级：" + "；".join(f"{g.label} ≥{rubric.parameters[g.at_least].formatted()}" for g in bands) + "。",
        ]
    return lines


@criteria.command("path")
def path() -> None:
    """显示随附评分标准所在的目录。"""
    click.echo(str(Path(criteria_dir())))


COMMANDS = [criteria]
