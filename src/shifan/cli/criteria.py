"""``shifan criteria``: list, show, validate and compare rubrics."""

from __future__ import annotations

from pathlib import Path

import click

from shifan.cli.params import echo_json
from shifan.errors import InputError, Problem, UsageError
from shifan.models.params import DEFAULT_NOTICE
from shifan.output.text import pad, render_rubric
from shifan.paths import criteria_dir
from shifan.rubric import Rubric, load_rubric, shipped_rubric_ids
from shifan.rubric.diff import diff_rubrics, render_diff


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


@criteria.command("path")
def path() -> None:
    """显示随附评分标准所在的目录。"""
    click.echo(str(Path(criteria_dir())))


COMMANDS = [criteria]
