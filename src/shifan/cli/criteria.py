"""``shifan criteria``: list, show, validate and compare rubrics."""

from __future__ import annotations

from pathlib import Path

import click

from shifan.cli.params import echo_json, format_option
from shifan.errors import InputError, Problem, UsageError
from shifan.files import atomic_write_text, criteria_dir
from shifan.load.rubric import load_rubric, shipped_rubric_ids
from shifan.present.text import pad, render_rubric

# The diff engine and the reference renderer are imported by the subcommands that use them.


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
@format_option
def show(rubric: str, fmt: str) -> None:
    """显示生效的评分标准（overlay 已合并）：指标、要求、分值、出处和参数是否为默认值。"""
    from shifan.present.reference import render_rubric_extras

    effective = load_rubric(rubric)
    if fmt == "json":
        echo_json({"sha256": effective.sha256, **effective.model_dump(mode="json", by_alias=True)})
    else:
        click.echo(render_rubric(effective), nl=False)
        click.echo(render_rubric_extras(effective), nl=False)


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
@format_option
def diff(base: str, other: str | None, fmt: str) -> None:
    """比较两个评分标准：新增、删除和变更的指标，参数变化，分值调整。

    \b
    只给一个评分标准时，与它所继承的基础标准比较，例如：
      shifan criteria diff anhui/institution
      shifan criteria diff national/institution anhui/centre --format json
    """
    from shifan.evaluate.rubric_diff import diff_rubrics
    from shifan.present.diff_text import render_diff

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
    """生成评分标准参考文档（Markdown）：随附评分标准的全部指标、参数及出处，判定方法的字段和计算指标。

    仓库中的 docs/rubric-reference.md 由本命令生成：shifan criteria reference -o docs/rubric-reference.md
    """
    from shifan.present.reference import render_reference

    ordered = sorted(shipped_rubric_ids(), key=lambda r: (not r.startswith("national/"), r))
    text = render_reference([load_rubric(r) for r in ordered])
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"已写入 {output}")


@criteria.command("path")
def path() -> None:
    """显示随附评分标准所在的目录。"""
    click.echo(str(Path(criteria_dir())))


COMMANDS = [criteria]
