"""The batch summary table (CSV + XLSX) and the failure log.

:data:`SUMMARY` is the summary writer ``shifan batch`` hands to :func:`shifan.batch.run_batch`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from shifan.batch.model import Failure, SummaryRow
from shifan.files import atomic_write_text
from shifan.present.cells import CellValue
from shifan.present.overview import city_overview
from shifan.present.publication import rubric_title
from shifan.present.row_text import conclusion_text, gate_text, override_text, stale_text
from shifan.present.spreadsheet import Sheet, write_csv, write_xlsx
from shifan.rules.vocab import ApplicantKind

HEADERS = [
    "序号",
    "申报文件",
    "申报单位",
    "统一社会信用代码/区划代码",
    "申报类型",
    "类别",
    "行政区划代码",
    "所在地区",
    "评分标准",
    "评价基准日",
    "结论",
    "否决项问题",
    "合理性提示",
    "系统计算得分",
    "合议得分",
    "满分",
    "等级",
    "评审专家",
    "评审意见已过期",
    "过期原因",
    "评分分歧项",
    "改判",
    "现场核查不符项",
    "综合意见",
    "证据不足项数",
    "优先推荐条件",
    "失能老年人占比(%)",
    "自评报告PDF",
    "自评报告Word",
    "处理状态",
    "错误",
]


def row_cells(index: int, row: SummaryRow) -> list[CellValue]:
    reviewed = bool(row.reviewers)
    return [
        index,
        row.file,
        row.name,
        row.id,
        ApplicantKind(row.kind).label,
        row.category_label,
        row.region_code,
        row.region_name,
        rubric_title(row.rubric_id),
        row.as_of,
        row.verdict.label,
        "；".join(gate_text(g) for g in row.failed_gates),
        "；".join(f"{f.title}：{f.message}" for f in row.flags),
        row.computed_score,
        row.score if reviewed else None,
        row.max_score,
        row.grade,
        "、".join(row.reviewers),
        row.stale if reviewed else None,
        "；".join(stale_text(s) for s in row.stale_reviews),
        "、".join(row.disagreements),
        "；".join(override_text(o) for o in row.overrides),
        "、".join(row.contradicted),
        "；".join(conclusion_text(c) for c in row.conclusions),
        row.insufficient,
        "、".join(row.priority_titles),
        row.disabled_share,
        f"{row.output}.pdf" if "pdf" in row.formats else "",
        f"{row.output}.docx" if "docx" in row.formats else "",
        "已处理",
        "",
    ]


FAILURE_LABELS = {
    "application": "失败（申报文件有误）",
    "review": "失败（评审意见表有误）",
    "internal": "失败（内部错误，非申报文件问题）",
    "output": "失败（输出无法写入，非申报文件问题）",
}


def failure_cells(index: int, failure: Failure) -> list[CellValue]:
    cells: list[CellValue] = [None] * len(HEADERS)
    cells[0] = index
    cells[1] = failure.file
    cells[HEADERS.index("处理状态")] = FAILURE_LABELS[failure.kind]
    cells[HEADERS.index("错误")] = "\n".join(failure.messages[:20])
    return cells


def summary_sheet(rows: Sequence[SummaryRow], failures: Sequence[Failure], kind: str | None = None) -> Sheet:
    """The summary table (of one ``kind`` of applicant, or all): rows and failures by file name.
    Its cells are made as the table is written, never all at once."""
    if any(a.file > b.file for a, b in itertools.pairwise(rows)):
        rows = sorted(rows, key=_file)
    failures = sorted(failures, key=_file)

    def chosen() -> Iterator[SummaryRow]:
        return iter(rows) if kind is None else (r for r in rows if r.kind == kind)

    def cells() -> Iterator[list[CellValue]]:
        entries: Iterator[SummaryRow | Failure] = heapq.merge(chosen(), failures, key=_order)
        for index, entry in enumerate(entries, start=1):
            yield row_cells(index, entry) if isinstance(entry, SummaryRow) else failure_cells(index, entry)

    return Sheet(
        "汇总",
        list(HEADERS),
        widths={1: 36, 2: 30, 7: 24, 8: 30, 10: 16, 11: 40, 12: 60, HEADERS.index("错误"): 60},
        links={HEADERS.index("自评报告PDF"): "applicants/", HEADERS.index("自评报告Word"): "applicants/"},
        source=cells,
        count=sum(1 for _ in chosen()) + len(failures),
    )


def _file(entry: SummaryRow | Failure) -> str:
    return entry.file


def _order(entry: SummaryRow | Failure) -> tuple[str, bool]:
    return entry.file, isinstance(entry, Failure)


def write_summary(out: Path, rows: Sequence[SummaryRow], failures: Sequence[Failure]) -> list[Path]:
    """Write ``summary.csv`` and ``summary.xlsx`` (the same table) and ``failures.log``.

    The workbook has the summary, a sheet per kind of applicant when both kinds are present, and
    the per-city overview.
    """
    sheet = summary_sheet(rows, failures)
    csv_path, xlsx_path = out / "summary.csv", out / "summary.xlsx"
    write_csv(csv_path, sheet)
    kinds = [kind for kind in ApplicantKind if any(r.kind == kind.value for r in rows)]
    # A sheet per kind of applicant only when there is more than one kind: with one, it would
    # repeat the whole summary.
    by_kind = (
        [replace(summary_sheet(rows, [], kind.value), title=kind.label) for kind in kinds] if len(kinds) > 1 else []
    )
    write_xlsx(xlsx_path, [sheet, *by_kind, city_overview(rows)])
    log_path = out / "failures.log"
    atomic_write_text(log_path, failure_log(failures))
    return [csv_path, xlsx_path, log_path]


class SummaryFiles:
    """The batch-wide outputs: the summary table as CSV and XLSX, and the failure log."""

    names = ("summary.csv", "summary.xlsx", "failures.log")

    def write(self, out: Path, rows: Sequence[SummaryRow], failures: Sequence[Failure]) -> list[Path]:
        return write_summary(out, rows, failures)


SUMMARY = SummaryFiles()


def failure_log(failures: Sequence[Failure]) -> str:
    if not failures:
        return "全部文件处理成功，无失败项。\n"
    lines = [f"处理失败的文件共 {len(failures)} 个（其余文件不受影响）：", ""]
    for failure in sorted(failures, key=lambda f: f.file):
        what = "申报文件" if failure.kind != "review" else "评审意见表"
        lines.append(f"== {failure.file}（{what}）")
        lines.extend(f"  {message}" for message in failure.messages)
        lines.append("")
    return "\n".join(lines)
