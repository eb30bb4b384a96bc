"""The 拟推荐名单 and the 公示 notice as Word documents, ready for the issuing office to stamp."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from shifan.formatting import chinese_date, format_number
from shifan.present.docx.common import (
    HEI,
    SONG,
    bottom_rule,
    header_and_footer,
    heading,
    new_document,
    page_break,
    paragraph,
    save,
    table,
    title,
)
from shifan.present.publication import (
    NUMERALS,
    Publication,
    list_title,
    notice_view,
    process_paragraph,
    public_annex,
    rubric_title,
)
from shifan.present.report.build import recommendation_date
from shifan.present.row_text import TIE_RULES, annex_reason, group_label, override_text, tie_note
from shifan.recommend.ranking import Ranked, Recommendation, RecommendationList

WIDTH = 156.0
RED = RGBColor(0xC0, 0x00, 0x00)


def _quota_text(rec_list: RecommendationList) -> str:
    per = {"category": "每个机构类别", "region": "每个地市"}.get(rec_list.quota_by or "", "")
    text = f"名额：{per}{rec_list.quota} 个"
    if rec_list.min_score is not None:
        text += f"；最低分 {format_number(rec_list.min_score)} 分"
    return text + "。"


def _note(rec_list: RecommendationList, entry: Ranked) -> str:
    row = entry.row
    parts = []
    if row.priority_titles:
        parts.append("优先推荐：" + "、".join(row.priority_titles))
    parts.append(f"专家评审 {len(row.reviewers)} 人" if row.reviewers else "未经专家评审（系统计算得分）")
    if row.stale:
        parts.append("评审意见已过期")
    if row.overrides:
        parts.append("否决项改判：" + "；".join(override_text(o) for o in row.overrides))
    if entry.tie_break is not None:
        parts.append(tie_note(entry))
    return "\n".join(parts)


def _red_head(document: Any, publication: Publication) -> None:
    """The 红头: the issuing body in red, the 文号, and a red rule under them."""
    if not publication.issuer:
        return
    head = paragraph(document, publication.issuer, bold=True, size=Pt(24), align="center", font=HEI)
    for run in head.runs:
        run.font.color.rgb = RED
    number = paragraph(document, publication.doc_number, align="center")
    bottom_rule(number, "C00000")


def recommendation_document(recommendation: Recommendation, publication: Publication | None = None) -> Any:
    publication = publication or Publication()
    day = recommendation_date(recommendation)
    heading_text = list_title(recommendation, publication)
    document = new_document(title=heading_text, as_of=day)
    counts = "；".join(f"{lst.title} {len(lst.recommended)} 个" for lst in recommendation.lists)
    header_and_footer(document, header=heading_text, audit=f"拟推荐名单 · {counts}")
    _red_head(document, publication)
    title(document, heading_text)
    paragraph(document, f"评价基准日：{chinese_date(day)}", align="center", size=Pt(9))
    paragraph(document, process_paragraph(recommendation))

    for index, rec_list in enumerate(recommendation.lists):
        heading(document, f"{NUMERALS[index]}、{rec_list.title}", 1)
        paragraph(document, _quota_text(rec_list), size=Pt(9))
        if not rec_list.recommended:
            paragraph(document, "无符合条件的申报单位。")
            continue
        grouped = rec_list.quota_by is not None
        headers = [
            "序号",
            "名称",
            "评分标准",
            "地市" if rec_list.quota_by == "region" else "类别",
            "得分",
            "等级",
            "说明",
        ]
        rows = [
            (
                entry.position,
                f"{entry.row.name}\n{entry.row.id}",
                rubric_title(entry.row.rubric_id),
                group_label(entry.group) if grouped else entry.row.category_label,
                format_number(entry.row.score),
                entry.row.grade,
                _note(rec_list, entry),
            )
            for entry in rec_list.recommended
        ]
        table(
            document,
            headers,
            rows,
            [10, 42, 24, 22, 13, 11, 34],
            align=["center", None, None, None, "right", None, None],
        )

    heading(document, "排序规则", 2)
    for number, rule in enumerate(TIE_RULES, 1):
        paragraph(document, f"{number}. {rule}", size=Pt(9))

    annexed = [(rec_list.title, entry) for rec_list in recommendation.lists for entry in public_annex(rec_list)]
    if annexed:
        page_break(document)
        heading(document, "附件：未列入名单的申报单位及原因", 1)
        table(
            document,
            ["序号", "名称", "类别", "得分", "原因"],
            [
                (
                    i,
                    f"{entry.name}\n{entry.id}",
                    kind,
                    "" if entry.score is None else format_number(entry.score),
                    annex_reason(entry),
                )
                for i, (kind, entry) in enumerate(annexed, 1)
            ],
            [10, 46, 30, 13, 57],
            align=["center", None, None, "right", None],
        )

    paragraph(document)
    table(
        document,
        None,
        [("经办人（签字）：", "审核人（签字）：", "负责人（签字）："), ("日期：", "日期：", "（单位盖章）")],
        [WIDTH / 3] * 3,
        keep_together=True,
    ).style = None
    return document


def notice_document(recommendation: Recommendation, publication: Publication | None = None) -> Any:
    view = notice_view(recommendation, publication)
    document = new_document(title=view.title, as_of=recommendation_date(recommendation))
    header_and_footer(document, header="", audit="")
    if view.warning:
        paragraph(document, view.warning, bold=True)
    _red_head(document, publication or Publication())
    title(document, view.title)
    for text in view.body:
        para = paragraph(document, text, font=SONG)
        para.paragraph_format.first_line_indent = Pt(21)
    for list_heading, groups in view.lists:
        heading(document, list_heading, 2)
        for label, names in groups:
            if label:
                paragraph(document, f"{label}：", bold=True)
            for name in names:
                item = paragraph(document, name)
                item.paragraph_format.left_indent = Pt(21)
    paragraph(document)
    for line in view.closing:
        para = paragraph(document, line)
        if line and not line.startswith(("公示时间", "联系电话")):
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return document


def write_recommendation_docx(
    recommendation: Recommendation, out: Path | None, publication: Publication | None = None
) -> bytes:
    """The 拟推荐名单 (with its public annex) as a Word document, written atomically to ``out``."""
    return save(recommendation_document(recommendation, publication), out)


def write_notice_docx(
    recommendation: Recommendation, out: Path | None, publication: Publication | None = None
) -> bytes:
    """The 公示 notice as a Word document (红头 when the issuer is known), written to ``out``."""
    return save(notice_document(recommendation, publication), out)
