"""Writing a recommendation: XLSX and CSV tables, a 公示-style text list, JSON, the list as PDF
or HTML.

:data:`OUTPUTS` maps each format name to the function writing its files into the output folder;
``shifan recommend`` writes :data:`DEFAULT_FORMATS` (without ``pdf`` under ``--no-pdf``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from shifan.files import atomic_write_text
from shifan.formatting import one_line
from shifan.present.cells import CellValue
from shifan.present.report.build import recommendation_page, write_html, write_pdf
from shifan.present.row_text import TIE_RULES, annex_reason, group_label, override_text, stale_text, tie_note
from shifan.present.spreadsheet import Sheet, write_csv, write_xlsx
from shifan.recommend.ranking import Recommendation

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
]
ANNEX_HEADERS = ["序号", "申报类型", "申报单位", "统一社会信用代码/区划代码", "得分", "未列入原因", "申报文件"]


def list_sheet(recommendation: Recommendation) -> Sheet:
    sheet = Sheet("拟推荐名单", list(LIST_HEADERS), widths={5: 32, 12: 30, 15: 36, 18: 36})
    for rec_list in recommendation.lists:
        for entry in rec_list.recommended:
            row = entry.row
            cells: list[CellValue] = [
                entry.position,
                rec_list.title,
                group_label(entry.group),
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
                tie_note(entry),
                "是：" + "；".join(stale_text(s) for s in row.stale_reviews) if row.stale else "",
                "；".join(override_text(o) for o in row.overrides),
                row.file,
            ]
            sheet.rows.append(cells)
    return sheet


def annex_sheet(recommendation: Recommendation) -> Sheet:
    sheet = Sheet("未列入名单", list(ANNEX_HEADERS), widths={2: 32, 5: 60, 6: 36})
    index = 0
    for rec_list in recommendation.lists:
        for entry in rec_list.annex:
            index += 1
            sheet.rows.append(
                [index, rec_list.title, entry.name, entry.id, entry.score, annex_reason(entry), entry.file]
            )
    return sheet


def notice_text(recommendation: Recommendation) -> str:
    """A short 公示-style list (dates and contact left blank for the issuing office)."""
    titles = "、".join(r.title for r in recommendation.lists)
    lines = [f"关于{titles}拟推荐名单的公示", ""]
    lines.append(
        "根据医养结合示范创建工作安排，经申报单位自评、县级初审和省级评审，确定以下拟推荐名单，现予以公示。"
        "公示期间如有异议，请以书面形式向我委反映。"
    )
    lines.append("")
    numerals = "一二三四五六七八九十"
    for index, rec_list in enumerate(recommendation.lists):
        lines.append(f"{numerals[index]}、{rec_list.title}（{len(rec_list.recommended)} 个）")
        group = None
        for entry in rec_list.recommended:
            if rec_list.quota_by and entry.group != group:
                group = entry.group
                lines.append(f"  {group_label(group)}：")
            lines.append(f"  {entry.position}. {one_line(entry.row.name)}")
        lines.append("")
    lines.append("排序规则：" + "；".join(TIE_RULES) + "。")
    lines.append("公示时间：____年__月__日至____年__月__日")
    lines.append("联系电话：__________")
    return "\n".join(lines) + "\n"


def recommendation_data(recommendation: Recommendation) -> dict[str, Any]:
    """The recommendation as JSON data, with the words the tables show (``group_label`` and
    ``tie_note`` of each listed applicant, ``reason`` of each annex entry, ``tie_rules``) next to
    the data."""
    data = recommendation.model_dump(mode="json")
    for rec_list, listed in zip(recommendation.lists, data["lists"], strict=True):
        for entry, item in zip(rec_list.recommended, listed["recommended"], strict=True):
            item["group_label"] = group_label(entry.group)
            item["tie_note"] = tie_note(entry)
        for annexed, item in zip(rec_list.annex, listed["annex"], strict=True):
            item["reason"] = annex_reason(annexed)
    data["tie_rules"] = list(TIE_RULES)
    return data


def _xlsx(out: Path, recommendation: Recommendation) -> list[Path]:
    path = out / "recommendation.xlsx"
    write_xlsx(path, [list_sheet(recommendation), annex_sheet(recommendation)])
    return [path]


def _csv(out: Path, recommendation: Recommendation) -> list[Path]:
    paths = [out / "recommendation.csv", out / "annex.csv"]
    write_csv(paths[0], list_sheet(recommendation))
    write_csv(paths[1], annex_sheet(recommendation))
    return paths


def _notice(out: Path, recommendation: Recommendation) -> list[Path]:
    path = out / "notice.txt"
    atomic_write_text(path, notice_text(recommendation))
    return [path]


def _json(out: Path, recommendation: Recommendation) -> list[Path]:
    path = out / "recommendation.json"
    atomic_write_text(path, json.dumps(recommendation_data(recommendation), ensure_ascii=False, indent=2) + "\n")
    return [path]


def _pdf(out: Path, recommendation: Recommendation) -> list[Path]:
    path = out / "recommendation.pdf"
    write_pdf(recommendation_page(recommendation), path)
    return [path]


def _html(out: Path, recommendation: Recommendation) -> list[Path]:
    path = out / "recommendation.html"
    write_html(recommendation_page(recommendation), path)
    return [path]


#: Format name → writer of that format's files into the output folder.
OUTPUTS: dict[str, Callable[[Path, Recommendation], list[Path]]] = {
    "xlsx": _xlsx,
    "csv": _csv,
    "txt": _notice,
    "json": _json,
    "pdf": _pdf,
    "html": _html,
}
DEFAULT_FORMATS = ("xlsx", "csv", "txt", "json", "pdf")


def write_recommendation(out: Path, recommendation: Recommendation, formats: Sequence[str]) -> list[Path]:
    """Write the recommendation in each of ``formats`` into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name in formats:
        paths.extend(OUTPUTS[name](out, recommendation))
    return paths
