"""``shifan review``: review sheets for reviewer panels (init, update, show)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from shifan.cli.params import as_of_option, criteria_option, format_option, terminal_style
from shifan.errors import ExitCode
from shifan.evaluate.pipeline import check_application
from shifan.files import refuse_own_input
from shifan.present.formats import REVIEW_SHEET, NewReviewSheet
from shifan.present.json_output import reconciled_json
from shifan.present.review_text import render_reconciled
from shifan.present.review_workbook import update_review_workbook
from shifan.read.documents import is_workbook
from shifan.review import load_reviews, reconcile, update_review


@click.group("review")
def review() -> None:
    """专家评审：生成评审意见表、申报文件修改后刷新、多名专家评分合议。"""


@review.command("init")
@click.argument("application", type=click.Path(path_type=Path))
@click.option("--reviewer", required=True, help="评审专家姓名（必填）。")
@click.option("--organisation", default="", help="评审专家工作单位。")
@click.option("--title", "title", default="", help="评审专家职称或职务。")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="评审意见表文件（.yaml 或 .xlsx）。"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "xlsx"]),
    default=None,
    help="评审意见表格式：yaml 或 xlsx（Excel 工作簿，每项一行，带下拉列表）；缺省按 -o 的扩展名。",
)
@click.option("--force", is_flag=True, help="覆盖已存在的评审意见表（已填写的内容会丢失）。")
@criteria_option
@as_of_option
def init(
    application: Path,
    reviewer: str,
    organisation: str,
    title: str,
    output: Path,
    fmt: str | None,
    force: bool,
    criteria: str | None,
    as_of: dt.date | None,
) -> None:
    """生成预填系统计算结果的评审意见表（YAML 含中文填写说明，或 Excel 工作簿）。"""
    refuse_own_input(output, [application, *([Path(criteria)] if criteria else [])])
    checked = check_application(application, criteria=criteria, as_of=as_of)
    # Any other suffix is written as YAML, as it always was.
    chosen = fmt or REVIEW_SHEET.format_for(output) or REVIEW_SHEET.default
    sheet = NewReviewSheet(checked, reviewer, organisation=organisation, title=title, force=force)
    REVIEW_SHEET.write(sheet, output, chosen)
    result = checked.result
    click.echo(
        f"已生成评审意见表 {output}：{result.applicant.name}，{len(result.criteria)} 项指标，"
        f"系统计算得分 {result.score:g}，评审专家 {reviewer.strip()}"
    )


@review.command("update")
@click.argument("review_file", metavar="REVIEW", type=click.Path(path_type=Path))
@click.argument("application", required=False, type=click.Path(path_type=Path))
@criteria_option
@as_of_option
def update(review_file: Path, application: Path | None, criteria: str | None, as_of: dt.date | None) -> None:
    """申报文件修改后刷新评审意见表：保留专家已填写的内容和注释，标出计算结果有变化的指标。

    APPLICATION 缺省为评审意见表中记录的申报文件。
    """
    if is_workbook(review_file):
        report = update_review_workbook(review_file, application, criteria=criteria, as_of=as_of)
    else:
        report = update_review(review_file, application, criteria=criteria, as_of=as_of)
    if report.moved_to:
        click.echo(f"所评审的申报文件路径已改为 {report.moved_to}")
    if report.was_stale:
        click.echo(f"评审意见表原已过期：{'；'.join(report.was_stale)}")
    for cid, change in report.changed:
        click.echo(f"  {cid} 计算结果有变化：{change}")
    for cid in report.added:
        click.echo(f"  {cid} 为新增指标，已加入")
    for cid in report.retired:
        click.echo(f"  {cid} 已不在评分标准中，原评审内容移入 retired")
    if not (report.changed or report.added or report.retired):
        click.echo("各项计算结果均无变化。")
    click.echo(f"已更新 {review_file}（已填写的评分、意见和注释均已保留）。")
    for problem in report.problems:
        click.echo(f"注意：{problem.format()}", err=True)


@review.command("show")
@click.argument("application", type=click.Path(path_type=Path))
@click.argument("reviews", nargs=-1, required=True, type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@format_option
@click.pass_context
def show(
    ctx: click.Context,
    application: Path,
    reviews: tuple[Path, ...],
    criteria: str | None,
    as_of: dt.date | None,
    fmt: str,
) -> None:
    """显示多名专家合议后的评审结果。

    退出码：0 合议后具备申报资格；1 不具备或暂不能确认；2 文件有误或用法错误。
    """
    checked = check_application(application, criteria=criteria, as_of=as_of)
    loaded = load_reviews(list(reviews), checked.rubric)
    reconciled = reconcile(checked, loaded)
    if fmt == "json":
        click.echo(reconciled_json(checked, reconciled), nl=False)
    else:
        style = terminal_style() if sys.stdout.isatty() else None
        click.echo(render_reconciled(reconciled, style) if style else render_reconciled(reconciled), nl=False)
    ctx.exit(ExitCode.OK if reconciled.eligible else ExitCode.NOT_ELIGIBLE)


COMMANDS = [review]
