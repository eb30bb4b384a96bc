"""``shifan batch``: evaluate a folder of applications and reviews."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from shifan.batch import default_jobs, run_batch
from shifan.cli.params import as_of_option, criteria_option, reviews_option
from shifan.errors import ExitCode
from shifan.formatting import one_line

if TYPE_CHECKING:
    from shifan.batch import Evaluated, Failure, SummaryRow

# The writers (reports, tables) load only when something is to be written: a rerun with nothing
# to do loads neither them nor the evaluation.

#: Suffix of each per-applicant output format (as in shifan.present.formats.APPLICANT_WRITERS).
SUFFIX = {"json": ".json", "pdf": ".pdf", "docx": ".docx"}


@dataclass(frozen=True)
class DeferredWriter:
    """A per-applicant writer of ``shifan.present.formats`` that loads it when first used."""

    format: str
    suffix: str

    def write(self, evaluated: Evaluated, path: Path) -> None:
        from shifan.present.formats import APPLICANT_WRITERS

        APPLICANT_WRITERS[self.format].write(evaluated, path)

    def prepare(self) -> None:
        from shifan.present.formats import APPLICANT_WRITERS

        prepare = getattr(APPLICANT_WRITERS[self.format], "prepare", None)
        if callable(prepare):
            prepare()


class DeferredSummary:
    """The summary writer of ``shifan.present.summary``, loaded when the summary is written."""

    names = ("summary.csv", "summary.xlsx", "failures.log")

    def write(self, out: Path, rows: Sequence[SummaryRow], failures: Sequence[Failure]) -> list[Path]:
        from shifan.present.summary import SUMMARY

        return SUMMARY.write(out, rows, failures)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress line on stderr when it is a terminal (redrawn at most ten times a second);
    nothing when output is redirected."""
    stream = sys.stderr
    if not stream.isatty():
        yield None
        return
    last = [0.0]

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        filled = int(30 * done / total) if total else 30
        percent = int(100 * done / total) if total else 100
        stream.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {percent:3d}%")
        stream.flush()

    try:
        yield update
    finally:
        if last[0]:
            stream.write("\n")
            stream.flush()


jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="并行进程数；缺省为 CPU 核数。",
)


@click.command("batch")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@criteria_option
@reviews_option
@as_of_option
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True, help="输出目录。")
@jobs_option
@click.option("--no-pdf", is_flag=True, help="不生成自评报告 PDF。")
@click.option("--docx", "with_docx", is_flag=True, help="同时生成 Word 版自评报告（.docx）。")
@click.pass_context
def batch(
    ctx: click.Context,
    folder: Path,
    criteria: str | None,
    reviews_dir: Path | None,
    as_of: dt.date | None,
    output: Path,
    jobs: int | None,
    no_pdf: bool,
    with_docx: bool,
) -> None:
    """批量评价目录下的全部申报文件（评审意见表由 --reviews 目录提供）。

    \b
    输出：applicants/ 下每个申报单位的 JSON 和自评报告 PDF（加 --docx 时另有 Word 版），summary.csv 与 summary.xlsx 汇总表，
    failures.log 失败清单，manifest.json（重新运行时跳过未变化的申报单位）。
    退出码：0 全部处理成功；1 有文件处理失败（其余不受影响）；2 用法错误；4 输出目录无法写入（没有权限、磁盘已满等）。
    """
    formats = ["json", *([] if no_pdf else ["pdf"]), *(["docx"] if with_docx else [])]
    with progress_bar("批量评价") as progress:
        report = run_batch(
            folder,
            output,
            criteria=criteria,
            reviews_dir=reviews_dir,
            as_of=as_of,
            jobs=jobs or default_jobs(),
            writers=[DeferredWriter(name, SUFFIX[name]) for name in formats],
            summary=DeferredSummary(),
            progress=progress,
        )
    eligible = sum(1 for value in report.values("eligible") if value)
    stale = sum(1 for value in report.values("stale") if value)
    click.echo(
        f"共 {report.total} 个申报文件：本次处理 {report.processed} 个，未变化跳过 {report.skipped} 个；"
        f"具备申报资格 {eligible} 个；失败 {len(report.failures)} 个。"
    )
    if stale:
        click.echo(
            f"注意：{stale} 个申报单位的评审意见已过期（申报文件或评分标准在评审后修改），见汇总表“评审意见已过期”列。"
        )
    if not no_pdf:
        from shifan.present.report.charset import undrawable

        for file, name in zip(report.values("file"), report.values("name"), strict=True):
            missing = undrawable([name])
            if missing:
                click.echo(
                    f"提示：{one_line(file)} 的名称中有报告字体没有的字符，PDF 中可能显示为方框：{''.join(missing)}",
                    err=True,
                )
    for failure in report.failures:
        click.echo(f"失败：{one_line(failure.file)}：{failure.messages[0] if failure.messages else ''}", err=True)
    click.echo(f"结果已写入 {output}（summary.csv、summary.xlsx、failures.log、applicants/）")
    ctx.exit(ExitCode.OK if report.ok else ExitCode.NOT_ELIGIBLE)


COMMANDS = [batch]
