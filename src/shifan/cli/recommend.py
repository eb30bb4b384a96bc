"""``shifan recommend``: the provincial recommendation list (拟推荐名单)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shifan.batch import default_jobs
from shifan.cli.batch import jobs_option, progress_bar
from shifan.cli.params import as_of_option, criteria_option, reviews_option
from shifan.errors import ExitCode
from shifan.formatting import one_line
from shifan.present.preflight_text import preflight_lines
from shifan.present.publication import Publication, load_publication
from shifan.present.recommendation import DEFAULT_FORMATS, write_recommendation
from shifan.present.row_text import annex_reason, group_label
from shifan.recommend import recommend as make_recommendation


@click.command("recommend")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@criteria_option
@reviews_option
@as_of_option
@click.option("--quota", type=click.IntRange(min=1), required=True, help="名额：每类申报（或每组）推荐的个数。")
@click.option(
    "--quota-by",
    type=click.Choice(["category", "region"]),
    default=None,
    help="名额分组：category 按机构类别；region 按地市（区划代码前四位）。缺省为每类申报合计。",
)
@click.option(
    "--min-score",
    type=float,
    default=None,
    help="最低分：低于此分者不列入名单。缺省为各评分标准的合格线（最低等级分数线）；给定 0 则不设最低分。",
)
@click.option(
    "--prefer",
    type=click.Choice(["reviewed", "newest"]),
    default=None,
    help="同一申报单位有多个文件时以哪一份为准：reviewed 有（未过期）专家评审的；newest 最近修改的。缺省不选，均不参加排序。",
)
@click.option(
    "--require-review/--no-require-review",
    default=None,
    help="只推荐经专家评审的申报单位。缺省：目录中有任何评审意见表时为是，否则为否。",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True, help="输出目录。")
@jobs_option
@click.option("--no-pdf", is_flag=True, help="不生成名单 PDF。")
@click.option(
    "--settings",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="发文设置文件（YAML：issuer 发文机关、province 省份、year 年度、doc_number 文号）；命令行选项优先。",
)
@click.option("--issuer", default=None, help="发文机关，如 安徽省卫生健康委员会（印在名单和公示的红头）。")
@click.option("--province", default=None, help="省份，如 安徽省（用于名单标题）。")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="年度，如 2026（用于名单标题）。")
@click.option("--doc-number", default=None, help="文号，如 皖卫老龄秘〔2026〕1号。")
@click.pass_context
def recommend(
    ctx: click.Context,
    folder: Path,
    criteria: str | None,
    reviews_dir: Path | None,
    as_of: dt.date | None,
    quota: int,
    quota_by: str | None,
    min_score: float | None,
    output: Path,
    jobs: int | None,
    no_pdf: bool,
    settings: Path | None,
    issuer: str | None,
    province: str | None,
    year: int | None,
    doc_number: str | None,
    prefer: str | None,
    require_review: bool | None,
) -> None:
    """生成拟推荐名单：仅具备申报资格者按得分排序，按名额和最低分取舍，其余列入附件并写明原因。

    \b
    排序前先检查：同一申报单位的多个文件、过期的评审意见、未经专家评审者、多套评分标准（各自成单）。

    \b
    输出：preflight.txt（排序前检查）、recommendation.xlsx（每套评分标准一张名单表、未列入名单、地市概况和排序前检查）、
    recommendation.csv、annex.csv、notice.txt（公示文本）、notice.docx（公示 Word 版）、
    recommendation.docx（名单 Word 版）、recommendation.json、recommendation.pdf（除非 --no-pdf）；
    有文件无法读取时另写 failures.log。
    退出码：0 成功；1 有文件无法处理（已列入附件）或排序前检查有须先处理的问题；2 用法错误；
    4 输出目录无法写入（没有权限、磁盘已满等）。
    """
    publication = load_publication(settings) if settings is not None else Publication()
    publication = publication.updated(issuer=issuer, province=province, year=year, doc_number=doc_number)
    with progress_bar("评价申报文件") as progress:
        result = make_recommendation(
            folder,
            quota=quota,
            quota_by=quota_by,  # type: ignore[arg-type]
            min_score=min_score,
            criteria=criteria,
            reviews_dir=reviews_dir,
            as_of=as_of,
            jobs=jobs or default_jobs(),
            progress=progress,
            prefer=prefer,  # type: ignore[arg-type]
            require_review=require_review,
        )
    formats = [f for f in DEFAULT_FORMATS if not (no_pdf and f == "pdf")]
    write_recommendation(output, result.recommendation, formats, publication=publication, rows=result.rows)
    recommendation = result.recommendation
    for line in preflight_lines(recommendation.preflight):
        click.echo(line, err=line.startswith("排序前检查：有"))
    for rec_list in recommendation.lists:
        floor = ""
        if rec_list.min_score is not None:
            origin = "评分标准合格线" if rec_list.min_score_from == "rubric" else "--min-score"
            floor = f"，最低分 {rec_list.min_score:g}（{origin}）"
        click.echo(
            f"{rec_list.title}（{rec_list.rubric_title}）：拟推荐 {len(rec_list.recommended)} 个，"
            f"未列入 {len(rec_list.annex)} 个{floor}"
        )
        for entry in rec_list.recommended:
            stale = "（评审意见已过期）" if entry.row.stale else ""
            group = f"  {group_label(entry.group)}" if rec_list.quota_by else ""
            click.echo(f"  {entry.position:>3}. {one_line(entry.row.name)}  {entry.row.score:g} 分{group}{stale}")
    if result.failures:
        click.echo(
            f"有 {result.failures} 个文件无法处理（已记入 failures.log 和 annex.csv，不列入公示附件）：", err=True
        )
        for rec_list in result.recommendation.lists:
            for left_out in rec_list.annex:
                if left_out.cause == "unreadable":
                    click.echo(f"  {left_out.file}：{annex_reason(left_out)}", err=True)
    if recommendation.blocking:
        click.echo("排序前检查有须先处理的问题：名单和公示文本不得发布（见 preflight.txt）。", err=True)
    click.echo(f"结果已写入 {output}")
    ctx.exit(ExitCode.NOT_ELIGIBLE if result.failures or recommendation.blocking else ExitCode.OK)


COMMANDS = [recommend]
