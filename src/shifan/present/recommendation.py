"""Writing a recommendation: XLSX and CSV tables, the 公示 notice (text and Word), JSON, the list
as PDF, HTML or Word.

:data:`OUTPUTS` maps each format name to the function writing its files into the output folder;
``shifan recommend`` writes :data:`DEFAULT_FORMATS` (without ``pdf`` under ``--no-pdf``). What is
published (issuer, year, 文号) comes with the :class:`Published` list; files that could not be
read are named in ``failures.log`` only, never in the public annex.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shifan.batch.model import SummaryRow
from shifan.files import atomic_write_text
from shifan.present.cells import CellValue
from shifan.present.overview import city_overview
from shifan.present.preflight_text import preflight_lines, problem_text
from shifan.present.publication import Publication, is_public, notice_view
from shifan.present.report.build import recommendation_page, write_html, write_pdf
from shifan.present.row_text import (
    TIE_RULES,
    annex_reason,
    city_label,
    group_label,
    override_text,
    stale_text,
    tie_note,
)
from shifan.present.spreadsheet import Sheet, write_csv, write_xlsx
from shifan.recommend.ranking import Recommendation, RecommendationList

LIST_HEADERS = [
    "序号",
    "申报类型",
    "评分标准",
    "名额分组",
    "组内名次",
    "总排名",
    "申报单位",
    "统一社会信用代码/区划代码",
    "类别",
    "行政区划代码",
    "所在地区",
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
]
ANNEX_HEADERS = [
    "序号",
    "申报类型",
    "评分标准",
    "申报单位",
    "统一社会信用代码/区划代码",
    "得分",
    "未列入原因",
    "申报文件",
]


@dataclass(frozen=True)
class Published:
    """A recommendation as it is published: the list, who issues it, and every evaluated row
    (for the per-city overview; empty when not known)."""

    recommendation: Recommendation
    publication: Publication = field(default_factory=Publication)
    rows: Sequence[SummaryRow] = ()


def list_sheet(
    recommendation: Recommendation, only: RecommendationList | None = None, title: str = "拟推荐名单"
) -> Sheet:
    """The listed applicants of every list (or of ``only``), one row each."""
    sheet = Sheet(title, list(LIST_HEADERS), widths={2: 30, 6: 32, 10: 24, 14: 30, 17: 36, 20: 36, 21: 14})
    for rec_list in recommendation.lists if only is None else [only]:
        for entry in rec_list.recommended:
            row = entry.row
            cells: list[CellValue] = [
                entry.position,
                rec_list.title,
                rec_list.rubric_title,
                group_label(entry.group),
                entry.group_rank,
                entry.rank,
                row.name,
                row.id,
                row.category_label,
                row.region_code,
                row.region_name,
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
                city_label(row.region_code),
            ]
            sheet.rows.append(cells)
    return sheet


def annex_sheet(recommendation: Recommendation) -> Sheet:
    """The internal annex: every applicant left out, unreadable files included."""
    sheet = Sheet("未列入名单", list(ANNEX_HEADERS), widths={2: 30, 3: 32, 6: 60, 7: 36})
    index = 0
    for rec_list in recommendation.lists:
        for entry in rec_list.annex:
            index += 1
            sheet.rows.append(
                [
                    index,
                    rec_list.title,
                    rec_list.rubric_title,
                    entry.name,
                    entry.id,
                    entry.score,
                    annex_reason(entry),
                    entry.file,
                ]
            )
    return sheet


def preflight_sheet(recommendation: Recommendation) -> Sheet:
    """The pre-flight problems (排序前检查), those to settle first marked."""
    sheet = Sheet("排序前检查", ["序号", "须先处理", "问题", "涉及文件"], widths={2: 100, 3: 60})
    for index, problem in enumerate(recommendation.preflight, start=1):
        sheet.rows.append([index, "是" if problem.blocking else "否", problem_text(problem), "、".join(problem.files)])
    return sheet


def notice_text(recommendation: Recommendation, publication: Publication | None = None) -> str:
    """The 公示 notice as plain text (dates and contact left blank for the issuing office); the
    same view as the Word notice, marked not for release while pre-flight problems are unsettled."""
    view = notice_view(recommendation, publication)
    lines = [view.warning, ""] if view.warning else []
    lines += [view.issuer, view.doc_number, ""] if view.issuer else []
    lines += [view.title, "", *view.body, ""]
    for heading, groups in view.lists:
        lines.append(heading)
        for label, names in groups:
            if label:
                lines.append(f"  {label}：")
            lines.extend(f"  {name}" for name in names)
        lines.append("")
    lines.append("排序规则：" + "；".join(TIE_RULES) + "。")
    lines.extend(view.closing)
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
    for problem, item in zip(recommendation.preflight, data["preflight"], strict=True):
        item["text"] = problem_text(problem)
    data["blocking"] = recommendation.blocking
    return data


def failures_text(recommendation: Recommendation) -> str | None:
    """The files that could not be read (internal only), or None when there are none."""
    unreadable = [entry for lst in recommendation.lists for entry in lst.annex if not is_public(entry)]
    if not unreadable:
        return None
    lines = [f"无法处理的文件共 {len(unreadable)} 个（未列入公示附件）：", ""]
    lines.extend(f"== {entry.file}\n  {annex_reason(entry)}\n" for entry in unreadable)
    return "\n".join(lines)


def _xlsx(out: Path, published: Published) -> list[Path]:
    recommendation = published.recommendation
    path = out / "recommendation.xlsx"
    per_list = [list_sheet(recommendation, lst, lst.title) for lst in recommendation.lists]
    listed = {e.row.id for lst in recommendation.lists for e in lst.recommended}
    overview = [city_overview(published.rows, listed)] if published.rows else []
    write_xlsx(path, [*per_list, annex_sheet(recommendation), *overview, preflight_sheet(recommendation)])
    return [path]


def _csv(out: Path, published: Published) -> list[Path]:
    paths = [out / "recommendation.csv", out / "annex.csv"]
    write_csv(paths[0], list_sheet(published.recommendation))
    write_csv(paths[1], annex_sheet(published.recommendation))
    return paths


def _notice(out: Path, published: Published) -> list[Path]:
    path = out / "notice.txt"
    atomic_write_text(path, notice_text(published.recommendation, published.publication))
    return [path]


def _preflight(out: Path, published: Published) -> list[Path]:
    path = out / "preflight.txt"
    atomic_write_text(path, "\n".join(preflight_lines(published.recommendation.preflight)) + "\n")
    return [path]


def _json(out: Path, published: Published) -> list[Path]:
    path = out / "recommendation.json"
    data = recommendation_data(published.recommendation)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return [path]


def _pdf(out: Path, published: Published) -> list[Path]:
    path = out / "recommendation.pdf"
    write_pdf(recommendation_page(published.recommendation, publication=published.publication), path)
    return [path]


def _html(out: Path, published: Published) -> list[Path]:
    path = out / "recommendation.html"
    write_html(recommendation_page(published.recommendation, publication=published.publication), path)
    return [path]


def _docx(out: Path, published: Published) -> list[Path]:
    from shifan.present.docx import write_notice_docx, write_recommendation_docx  # python-docx on demand

    paths = [out / "recommendation.docx", out / "notice.docx"]
    write_recommendation_docx(published.recommendation, paths[0], published.publication)
    write_notice_docx(published.recommendation, paths[1], published.publication)
    return paths


#: Format name → writer of that format's files into the output folder.
OUTPUTS: dict[str, Callable[[Path, Published], list[Path]]] = {
    "xlsx": _xlsx,
    "csv": _csv,
    "txt": _notice,
    "preflight": _preflight,
    "json": _json,
    "pdf": _pdf,
    "html": _html,
    "docx": _docx,
}
DEFAULT_FORMATS = ("preflight", "xlsx", "csv", "txt", "docx", "json", "pdf")


def write_recommendation(
    out: Path,
    recommendation: Recommendation,
    formats: Sequence[str],
    *,
    publication: Publication | None = None,
    rows: Sequence[SummaryRow] = (),
) -> list[Path]:
    """Write the recommendation in each of ``formats`` into ``out``, and ``failures.log`` when a
    file could not be read; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    published = Published(recommendation, publication or Publication(), rows)
    paths: list[Path] = []
    for name in formats:
        paths.extend(OUTPUTS[name](out, published))
    log = failures_text(recommendation)
    if log is not None:
        atomic_write_text(out / "failures.log", log)
        paths.append(out / "failures.log")
    return paths
