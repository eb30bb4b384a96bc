"""The blank 评分表 as a Word document, from the same rows as the PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shifan.formatting import format_number
from shifan.present.docx.common import header_and_footer, merge_row, new_document, paragraph, save, table, title
from shifan.present.report.build import sheet_date, sheet_rows
from shifan.rules.rubric import Rubric

#: Width of the portrait text area in millimetres (210 − 28 − 26).
WIDTH = 156.0


def sheet_document(rubric: Rubric, *, reviewers: int = 1) -> Any:
    document = new_document(title=f"{rubric.title} 评分表", as_of=sheet_date(rubric))
    audit = f"{rubric.title} {rubric.version} 版 · 校验码：评分标准 {rubric.sha256[:12]}"
    header_and_footer(document, header=f"{rubric.title} 评分表", audit=audit)
    title(document, rubric.title, "评分表")
    info = table(
        document,
        None,
        [
            ("申报单位", "", "评审日期", ""),
            (
                "评分标准",
                f"{rubric.title}（{rubric.version} 版；满分 {format_number(rubric.max_score)} 分；"
                "否决项任一不符合即不具备资格）",
                "",
                "",
            ),
        ],
        [22, 70, 22, 42],
    )
    row = info.rows[1]
    row.cells[1].merge(row.cells[3])
    rows: list[tuple[object, ...]] = []
    section_rows: list[tuple[int, str]] = []
    previous = None
    for n, section, criterion, requirement, method in sheet_rows(rubric):
        if section.id != previous:
            previous = section.id
            section_rows.append((len(rows) + 1, f"{section.id} {section.title}"))
            rows.append(("",) * 7)
        defaults = "〔含默认值〕" if rubric.defaults_of(criterion) else ""
        rows.append(
            (
                n,
                f"{criterion.id} {criterion.title}",
                requirement + defaults,
                "否决项" if criterion.gate else format_number(criterion.points),
                method,
                "□ 符合\n□ 不符合" if criterion.gate else "",
                "",
            )
        )
    rows.append(("", "合计", "", format_number(rubric.max_score), "", "", ""))
    items = table(
        document,
        ["序号", "指标", "要求", "分值", "评分方法", "得分", "备注"],
        rows,
        [9, 24, 47, 15, 28, 18, 15],
        align=["center", None, None, "right", None, None, None],
    )
    for index, text in section_rows:
        merge_row(items, index, text)
    paragraph(document)
    table(
        document,
        None,
        [("评审专家（签字）：", "日期：      年    月    日") for _ in range(reviewers)],
        [WIDTH / 2, WIDTH / 2],
        keep_together=True,
    ).style = None
    return document


def write_blank_sheet_docx(rubric: Rubric, out: Path | None, *, reviewers: int = 1) -> bytes:
    """A blank 评分表 of ``rubric`` as a Word document, written atomically to ``out``."""
    return save(sheet_document(rubric, reviewers=reviewers), out)
