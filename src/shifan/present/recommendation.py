"""Writing a recommendation: XLSX and CSV tables, a 公示-style text list, a PDF (via the adapter)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from shifan.batch.model import SummaryRow
from shifan.files import atomic_write_text
from shifan.present.cells import CellValue
from shifan.present.overview import city_overview
from shifan.present.publication import Publication, is_public, notice_view, rubric_title
from shifan.present.regions import city_label
from shifan.present.spreadsheet import Sheet, write_csv, write_xlsx
from shifan.recommend.ranking import Recommendation, RecommendationList

LIST_HEADERS = [
    "序号",
    "申报类型",
    "名额分组",
    "组内名次",
    "总排名",
    "申报单位",
    "统一社会信用代码/区划代码",
    "类别",
    "行政区划代码",
    "得分",
    "得分依据",
    "等级",
    "优先推荐条件",
    "证据不足项数",
    "失能老年人占比(%)",
    "同分排序依据",
    "评审意见已过期",
    "改判",
    "申报文件",
    "地市",
    "评分标准",
]
ANNEX_HEADERS = ["序号", "申报类型", "申报单位", "统一社会信用代码/区划代码", "得分", "未列入原因", "申报文件"]


def list_sheet(
    recommendation: Recommendation, only: RecommendationList | None = None, title: str = "拟推荐名单"
) -> Sheet:
    """The listed applicants of every list (or of ``only``), one row each."""
    sheet = Sheet(title, list(LIST_HEADERS), widths={5: 32, 12: 30, 15: 36, 18: 36, 19: 14, 20: 30})
    for rec_list in recommendation.lists if only is None else [only]:
        for entry in rec_list.recommended:
            row = entry.row
            cells: list[CellValue] = [
                entry.position,
                rec_list.title,
                entry.group,
                entry.group_rank,
                entry.rank,
                row.name,
                row.id,
                row.category_label,
                row.region_code,
                row.score,
                "专家合议" if row.reviewers else "系统计算",
                row.grade,
                "、".join(row.priority_titles),
                row.insufficient,
                row.disabled_share,
                entry.tie_note,
                "是：" + "；".join(row.stale_reasons) if row.stale else "",
                "；".join(row.overrides),
                row.file,
                city_label(row.region_code),
                rubric_title(row.rubric_id),
            ]
            sheet.rows.append(cells)
    return sheet


def annex_sheet(recommendation: Recommendation) -> Sheet:
    sheet = Sheet("未列入名单", list(ANNEX_HEADERS), widths={2: 32, 5: 60, 6: 36})
    index = 0
    for rec_list in recommendation.lists:
        for entry in rec_list.annex:
            index += 1
            sheet.rows.append([index, rec_list.title, entry.name, entry.id, entry.score, entry.reason, entry.file])
    return sheet


def _quota_text(rec_list: RecommendationList) -> str:
    per = {"category": "每个机构类别", "region": "每个地市"}.get(rec_list.quota_by or "", "")
    text = f"名额：{per}{rec_list.quota} 个" if per else f"名额：{rec_list.quota} 个"
    if rec_list.min_score is not None:
        text += f"；最低分 {rec_list.min_score:g} 分"
    return text


def notice_text(recommendation: Recommendation, publication: Publication | None = None) -> str:
    """The 公示 notice as plain text (dates and contact left blank for the issuing office)."""
    view = notice_view(recommendation, publication)
    lines = [view.issuer, view.doc_number, ""] if view.issuer else []
    lines += [view.title, "", *view.body, ""]
    for heading, groups in view.lists:
        lines.append(heading)
        for label, names in groups:
            if label:
                lines.append(f"  {label}：")
            lines.extend(f"  {name}" for name in names)
        lines.append("")
    lines.append("排序规则：" + "；".join(recommendation.tie_rules) + "。")
    lines.extend(view.closing)
    return "\n".join(lines) + "\n"


def write_recommendation(
    out: Path,
    recommendation: Recommendation,
    *,
    pdf: bool,
    publication: Publication | None = None,
    rows: Sequence[SummaryRow] = (),
) -> list[Path]:
    """Write every output of a recommendation into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    listing, annex = list_sheet(recommendation), annex_sheet(recommendation)
    paths = [out / "recommendation.xlsx", out / "recommendation.csv", out / "annex.csv", out / "notice.txt"]
    per_list = [list_sheet(recommendation, lst, lst.title) for lst in recommendation.lists]
    overview = [city_overview(rows, {e.row.id for lst in recommendation.lists for e in lst.recommended})]
    write_xlsx(paths[0], [*per_list, annex, *(overview if rows else [])])
    write_csv(paths[1], listing)
    write_csv(paths[2], annex)
    atomic_write_text(paths[3], notice_text(recommendation, publication))
    unreadable = [entry for lst in recommendation.lists for entry in lst.annex if not is_public(entry)]
    if unreadable:  # internal only: never in the published annex
        log = [f"无法处理的文件共 {len(unreadable)} 个（未列入公示附件）：", ""]
        log.extend(f"== {entry.file}\n  {entry.reason}\n" for entry in unreadable)
        atomic_write_text(out / "failures.log", "\n".join(log))
        paths.append(out / "failures.log")
    from shifan.present.docx import write_notice_docx, write_recommendation_docx

    for name, writer in (("recommendation.docx", write_recommendation_docx), ("notice.docx", write_notice_docx)):
        writer(recommendation, out / name, publication)
        paths.append(out / name)
    json_path = out / "recommendation.json"
    atomic_write_text(
        json_path, json.dumps(recommendation.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    )
    paths.append(json_path)
    if pdf:
        from shifan.present.report.build import write_recommendation_list

        pdf_path = out / "recommendation.pdf"
        write_recommendation_list(recommendation, pdf_path, publication=publication)
        paths.append(pdf_path)
    return paths
