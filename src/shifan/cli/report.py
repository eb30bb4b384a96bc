"""``shifan report``: the 自评报告, the 评审意见表 and the blank 评分表, as PDF, Word or HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shifan.cli.params import as_of_option, criteria_option
from shifan.errors import OutputError, UsageError
from shifan.evaluate.pipeline import check_application
from shifan.load.rubric import load_rubric
from shifan.present.report.build import Format, write_blank_sheet, write_review_report, write_self_report
from shifan.review import load_review, reconcile

output_option = click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="输出文件（.pdf、.docx 或 .html）。"
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "docx", "html"]),
    default=None,
    help="输出格式；缺省按输出文件扩展名（.pdf、.docx、.html），两者须一致。",
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


SUFFIX_FORMATS: dict[str, Format] = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}


def _format(fmt: str | None, output: Path, *, pdf_a: bool = False) -> Format:
    """The output format from the file's extension; ``--format`` may only agree with it."""
    if output.is_dir():
        raise OutputError(f"无法写入 {output}：这是一个目录，请给出文件名")
    suffix = output.suffix.lower()
    by_suffix = SUFFIX_FORMATS.get(suffix)
    if by_suffix is None:
        raise UsageError(
            f"无法识别输出文件的扩展名“{output.suffix or '（无）'}”：请使用 .pdf（PDF）、.docx（Word）或 .html（网页预览）"
        )
    if fmt is not None and fmt != by_suffix:
        raise UsageError(f"--format {fmt} 与输出文件扩展名 {output.suffix} 不一致")
    if pdf_a and by_suffix != "pdf":
        raise UsageError("--pdf-a 只适用于 PDF 输出（.pdf）")
    return by_suffix


@click.group("report")
def report() -> None:
    """生成 PDF、Word（.docx）或 HTML 预览报告。"""


@report.command("self")
@click.argument("application", type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@output_option
@format_option
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
    chosen = _format(fmt, output, pdf_a=pdf_a)
    checked = check_application(application, criteria=criteria, as_of=as_of)
    write_self_report(checked, output, fmt=chosen, user_templates=templates, pdf_a=pdf_a)
    click.echo(f"已生成自评报告：{output}")


@report.command("review")
@click.argument("application", type=click.Path(path_type=Path))
@click.argument("reviews", nargs=-1, type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@output_option
@format_option
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
    chosen = _format(fmt, output, pdf_a=pdf_a)
    checked = check_application(application, criteria=criteria, as_of=as_of)
    reconciled = reconcile(checked, [load_review(path) for path in reviews]) if reviews else None
    write_review_report(checked, output, reconciled, fmt=chosen, user_templates=templates, pdf_a=pdf_a)
    click.echo(f"已生成评审意见表：{output}")


@report.command("sheet")
@criteria_option
@click.option("--reviewers", type=click.IntRange(1, 9), default=1, show_default=True, help="签字栏数量。")
@output_option
@format_option
@pdf_a_option
@templates_option
def sheet(
    criteria: str | None, reviewers: int, output: Path, fmt: str | None, pdf_a: bool, templates: Path | None
) -> None:
    """空白评分表：生效评分标准的全部指标，供专家纸面评分。"""
    chosen = _format(fmt, output, pdf_a=pdf_a)
    rubric = load_rubric(criteria or "national/institution")
    write_blank_sheet(rubric, output, fmt=chosen, reviewers=reviewers, user_templates=templates, pdf_a=pdf_a)
    click.echo(f"已生成评分表：{output}")


COMMANDS = [report]
