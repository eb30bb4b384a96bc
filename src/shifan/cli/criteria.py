"""``shifan criteria``: list, show and validate rubrics."""

from __future__ import annotations

from pathlib import Path

import click

from shifan.cli.params import echo_json
from shifan.errors import InputError, Problem
from shifan.output.text import pad, render_rubric
from shifan.paths import criteria_dir
from shifan.rubric import load_rubric, shipped_rubric_ids


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


@criteria.command("path")
def path() -> None:
    """显示随附评分标准所在的目录。"""
    click.echo(str(Path(criteria_dir())))


COMMANDS = [criteria]
