"""``shifan report``: the 自评报告, the 评审意见表 and the blank 评分表, as PDF, Word or HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from shifan.cli.params import as_of_option, criteria_option
from shifan.evaluate.pipeline import check_application
from shifan.files import refuse_own_input
from shifan.load.rubric import load_rubric
from shifan.present.formats import REVIEW_REPORT, SELF_REPORT, SHEET, SUFFIXES, BlankSheet, Document, ReviewReport
from shifan.present.report.charset import text_values, undrawable
from shifan.review import load_review, reconcile

output_option = click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="输出文件（.pdf、.docx 或 .html）。"
)


def format_option(document: Document[Any]) -> Callable[[FC], FC]:
    """``--format`` with the formats the document can be written in."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(document.formats),
        default=None,
        help="输出格式；缺省按输出文件扩展名（"
        + "、".join(SUFFIXES[f][0] for f in document.formats)
        + "），两者须一致。",
    )


pdf_a_option = click.option(
    "--pdf-a",
    "pdf_a",
    is_flag=True,
    help="生成 PDF/A-3b 归档文件，并将机器可读的评价结果（JSON）作为附件嵌入。",
)


templates_option = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="自定义模板目录：同名模板优先于内置模板（可用 default:self.html 继承内置模板）。",
)


def warn_undrawable(data: Any, where: str = "") -> None:
    """Name, on stderr, the characters of the input the report fonts cannot draw."""
    missing = undrawable(text_values(data))
    if missing:
        shown = "".join(missing[:30]) + ("…" if len(missing) > 30 else "")
        codes = "、".join(f"U+{ord(c):04X}" for c in missing[:10])
        click.echo(f"提示：{where}以下字符不在报告字体中，PDF 中可能显示为方框：{shown}（{codes}）", err=True)


@click.group("report")
def report() -> None:
    """生成 PDF、Word（.docx）或 HTML 预览报告。"""


@report.command("self")
@click.argument("application", type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@output_option
@format_option(SELF_REPORT)
@pdf_a_option
@templates_option
def self_report(
    application: Path,
    criteria: str | None,
    as_of: dt.date | None,
    output: Path,
    fmt: str | None,
    pdf_a: bool,
    templates: Path | None,
) -> None:
    """自评报告：基本情况、结论、得分、逐项自评表、整改清单、待核对的默认值、签章栏。"""
    refuse_own_input(output, [application, *([Path(criteria)] if criteria else [])])
    chosen = SELF_REPORT.choose(fmt, output, pdf_a=pdf_a)
    checked = check_application(application, criteria=criteria, as_of=as_of)
    SELF_REPORT.write(checked, output, chosen, user_templates=templates, pdf_a=pdf_a)
    click.echo(f"已生成自评报告：{output}")
    if chosen != "docx":  # Word uses the reader's own fonts
        warn_undrawable(checked.loaded.document.data)


@report.command("review")
@click.argument("application", type=click.Path(path_type=Path))
@click.argument("reviews", nargs=-1, type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@output_option
@format_option(REVIEW_REPORT)
@pdf_a_option
@templates_option
def review_report(
    application: Path,
    reviews: tuple[Path, ...],
    criteria: str | None,
    as_of: dt.date | None,
    output: Path,
    fmt: str | None,
    pdf_a: bool,
    templates: Path | None,
) -> None:
    """评审意见表：每项的系统核验结果、自评分、各专家评分和意见、合议分、现场核查和签字栏。

    不给评审文件（REVIEWS）时输出空白的专家评分栏，供纸面评审。
    """
    refuse_own_input(output, [application, *reviews, *([Path(criteria)] if criteria else [])])
    chosen = REVIEW_REPORT.choose(fmt, output, pdf_a=pdf_a)
    checked = check_application(application, criteria=criteria, as_of=as_of)
    reconciled = reconcile(checked, [load_review(path, checked.rubric) for path in reviews]) if reviews else None
    REVIEW_REPORT.write(ReviewReport(checked, reconciled), output, chosen, user_templates=templates, pdf_a=pdf_a)
    click.echo(f"已生成评审意见表：{output}")
    if chosen != "docx":  # Word uses the reader's own fonts
        warn_undrawable(checked.loaded.document.data)


@report.command("sheet")
@criteria_option
@click.option("--reviewers", type=click.IntRange(1, 9), default=1, show_default=True, help="签字栏数量。")
@output_option
@format_option(SHEET)
@pdf_a_option
@templates_option
def sheet(
    criteria: str | None, reviewers: int, output: Path, fmt: str | None, pdf_a: bool, templates: Path | None
) -> None:
    """空白评分表：生效评分标准的全部指标，供专家纸面评分。"""
    chosen = SHEET.choose(fmt, output, pdf_a=pdf_a)
    rubric = load_rubric(criteria or "national/institution")
    SHEET.write(BlankSheet(rubric, reviewers), output, chosen, user_templates=templates, pdf_a=pdf_a)
    click.echo(f"已生成评分表：{output}")


COMMANDS = [report]
