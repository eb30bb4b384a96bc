"""``shifan report``: the 自评报告, the 评审意见表 and the blank 评分表, as PDF or HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shifan.cli.params import as_of_option, criteria_option
from shifan.evaluate.pipeline import check_application
from shifan.load.rubric import load_rubric
from shifan.present.report.build import Format, write_blank_sheet, write_review_report, write_self_report
from shifan.review import load_review, reconcile

output_option = click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="输出文件（.pdf 或 .html）。"
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html"]),
    default=None,
    help="输出格式；缺省按输出文件扩展名，其他为 pdf。",
)
templates_option = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="自定义模板目录：同名模板优先于内置模板（可用 default:self.html 继承内置模板）。",
)


def _format(fmt: str | None, output: Path) -> Format:
    if fmt == "pdf":
        return "pdf"
    if fmt == "html" or output.suffix.lower() in (".html", ".htm"):
        return "html"
    return "pdf"


@click.group("report")
def report() -> None:
    """生成 PDF（或 HTML 预览）报告。"""


@report.command("self")
@click.argument("application", type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@output_option
@format_option
@templates_option
def self_report(
    application: Path,
    criteria: str | None,
    as_of: dt.date | None,
    output: Path,
    fmt: str | None,
    templates: Path | None,
) -> None:
    """自评报告：结论、得分、逐项自评表、整改清单、待核对的默认值、签章栏。"""
    checked = check_application(application, criteria=criteria, as_of=as_of)
    write_self_report(checked, output, fmt=_format(fmt, output), user_templates=templates)
    click.echo(f"已生成自评报告：{output}")


@report.command("review")
@click.argument("application", type=click.Path(path_type=Path))
@click.argument("reviews", nargs=-1, type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@output_option
@format_option
@templates_option
def review_report(
    application: Path,
    reviews: tuple[Path, ...],
    criteria: str | None,
    as_of: dt.date | None,
    output: Path,
    fmt: str | None,
    templates: Path | None,
) -> None:
    """评审意见表：每项的系统核验结果、自评分、各专家评分和意见、合议分、现场核查和签字栏。

    不给评审文件（REVIEWS）时输出空白的专家评分栏，供纸面评审。
    """
    checked = check_application(application, criteria=criteria, as_of=as_of)
    reconciled = reconcile(checked, [load_review(path, checked.rubric) for path in reviews]) if reviews else None
    write_review_report(checked, output, reconciled, fmt=_format(fmt, output), user_templates=templates)
    click.echo(f"已生成评审意见表：{output}")


@report.command("sheet")
@criteria_option
@click.option("--reviewers", type=click.IntRange(1, 9), default=1, show_default=True, help="签字栏数量。")
@output_option
@format_option
@templates_option
def sheet(criteria: str | None, reviewers: int, output: Path, fmt: str | None, templates: Path | None) -> None:
    """空白评分表：生效评分标准的全部指标，供专家纸面评分。"""
    rubric = load_rubric(criteria or "national/institution")
    write_blank_sheet(rubric, output, fmt=_format(fmt, output), reviewers=reviewers, user_templates=templates)
    click.echo(f"已生成评分表：{output}")


COMMANDS = [report]
