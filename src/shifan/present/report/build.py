"""Building reports: evaluation → view → Jinja2 HTML → a :class:`Page`, which the HTML and PDF
formats write (``shifan.present.formats`` maps each document and format to these functions).

The Word editions of the same documents are drawn from the same views by :mod:`shifan.present.docx`.
A page carries the machine-readable data (:class:`DataFile`) a PDF/A edition embeds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from shifan.errors import RenderError, TemplateInputError
from shifan.evaluate.pipeline import Checked
from shifan.files import atomic_write_text
from shifan.formatting import chinese_date
from shifan.present.evidence import evidence_list
from shifan.present.json_output import reconciled_json, result_json
from shifan.present.preflight_text import problem_text
from shifan.present.publication import NUMERALS, Publication, list_title, process_paragraph, public_annex
from shifan.present.report.templating import make_environment
from shifan.present.report.views import ReportView, blank_review, build_view, readable_text, review_view
from shifan.present.row_text import TIE_RULES
from shifan.recommend.ranking import Recommendation
from shifan.review.reconcile import ReconciledResult
from shifan.rules.rubric import Rubric

#: Reviewer columns printed when nobody has reviewed yet (a layout choice, not policy).
BLANK_REVIEWER_COLUMNS = 3


@dataclass(frozen=True)
class DataFile:
    """A file embedded in a PDF/A document (PDF/A-3 allows any format), e.g. the result JSON."""

    name: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class Page:
    """A rendered report: its HTML, the metadata a PDF carries and the data a PDF/A embeds."""

    html: str
    title: str
    as_of: dt.date
    footer: str
    subject: str
    data_files: tuple[DataFile, ...] = ()


def render_template(name: str, user_templates: Path | None = None, **context: Any) -> str:
    # With --templates the error is most likely in the operator's template; without, it is a defect.
    failure = RenderError if user_templates is None else TemplateInputError
    try:
        return make_environment(user_templates).get_template(name).render(**context)
    except SecurityError as error:
        raise failure(f"报告模板（{name}）访问了报告数据以外的内容，已拒绝：{error}") from None
    except TemplateSyntaxError as error:
        raise failure(f"报告模板有语法错误：{error.filename or error.name}:{error.lineno}: {error.message}") from None
    except TemplateError as error:
        raise failure(f"报告模板错误（{name}）：{type(error).__name__}: {error}") from None


def write_html(page: Page, out: Path | None, *, pdf_a: bool = False) -> bytes:
    """The page's HTML (to preview or restyle), written atomically to ``out``."""
    if out is not None:
        atomic_write_text(out, page.html)
    return page.html.encode("utf-8")


def write_pdf(page: Page, out: Path | None, *, pdf_a: bool = False) -> bytes:
    """The page as PDF bytes, written atomically to ``out``; with ``pdf_a`` a PDF/A-3b file with
    the page's data files embedded."""
    from shifan.present.report.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

    return render_pdf(
        page.html,
        out,
        title=page.title,
        as_of=page.as_of,
        footer_note=page.footer,
        subject=page.subject,
        keywords=("shifan",),
        pdf_a=pdf_a,
        data_files=page.data_files if pdf_a else (),
    )


def data_files(checked: Checked, reconciled: ReconciledResult | None = None) -> tuple[DataFile, ...]:
    """The result JSON (exactly what ``shifan check --format json`` prints) and, once reviewed,
    the reconciled JSON (what ``shifan review show --format json`` prints)."""
    files = [DataFile("result.json", result_json(checked).encode("utf-8"), "评价结果（机器可读）")]
    if reconciled is not None:
        text = reconciled_json(checked, reconciled)
        files.append(DataFile("reconciled.json", text.encode("utf-8"), "专家合议结果（机器可读）"))
    return tuple(files)


def checked_view(checked: Checked) -> ReportView:
    """The report view of an evaluated application (with its 基本情况)."""
    return build_view(checked.result, checked.rubric, checked.loaded.app)


def self_report_html(checked: Checked, *, user_templates: Path | None = None) -> str:
    return render_template("self.html", user_templates, view=checked_view(checked), evidence=evidence_list(checked))


def self_report_page(checked: Checked, *, user_templates: Path | None = None) -> Page:
    """The 自评报告 of one application."""
    result = checked.result
    return Page(
        html=self_report_html(checked, user_templates=user_templates),
        title=f"{result.applicant.name} 自评报告",
        as_of=result.as_of,
        footer=checked_view(checked).footer_note,
        subject=result.rubric.title,
        data_files=data_files(checked),
    )


def review_report_html(
    checked: Checked, reconciled: ReconciledResult | None = None, *, user_templates: Path | None = None
) -> str:
    view = checked_view(checked)
    review = blank_review(checked.result, BLANK_REVIEWER_COLUMNS) if reconciled is None else review_view(reconciled)
    return render_template("review.html", user_templates, view=view, review=review)


def review_report_page(
    checked: Checked, reconciled: ReconciledResult | None = None, *, user_templates: Path | None = None
) -> Page:
    """The 评审意见表: per item the self-score, reviewers' scores and remarks, the reconciled score
    (blank reviewer columns when ``reconciled`` is None)."""
    result = checked.result
    return Page(
        html=review_report_html(checked, reconciled, user_templates=user_templates),
        title=f"{result.applicant.name} 评审意见表",
        as_of=result.as_of,
        footer=checked_view(checked).footer_note,
        subject=result.rubric.title,
        data_files=data_files(checked, reconciled),
    )


def sheet_date(rubric: Rubric) -> dt.date:
    """A fixed date for a blank sheet's PDF metadata: the newest source document's date."""
    dates = [s.date for s in rubric.sources if s.date is not None]
    return max(dates) if dates else dt.date(2000, 1, 1)


def scoring_method(rubric: Rubric, criterion: Any) -> str:
    """How an item of the blank 评分表 is scored, in words (parameter names replaced)."""
    check = criterion.check
    if criterion.gate:
        return "符合 / 不符合"
    if criterion.guidance:
        return readable_text(criterion.guidance, rubric)
    if getattr(check, "kind", "") == "self_score" and getattr(check, "guidance", ""):
        return readable_text(check.guidance, rubric)
    title = getattr(check, "title", "")
    return f"{title}：达到要求得分" if title else "按要求评分"


def sheet_rows(rubric: Rubric) -> list[tuple[int, Any, Any, str, str]]:
    """Each item of the blank 评分表: number, section, criterion, requirement, scoring method."""
    return [
        (n, section, criterion, rubric.requirement(criterion), scoring_method(rubric, criterion))
        for n, (section, criterion) in enumerate(rubric.criteria(), 1)
    ]


def sheet_html(rubric: Rubric, *, reviewers: int = 1, user_templates: Path | None = None) -> str:
    rows = sheet_rows(rubric)
    printed_on = chinese_date(sheet_date(rubric))
    return render_template(
        "sheet.html", user_templates, rubric=rubric, rows=rows, reviewers=reviewers, printed_on=printed_on
    )


def blank_sheet_page(rubric: Rubric, *, reviewers: int = 1, user_templates: Path | None = None) -> Page:
    """A blank printable 评分表 of the effective rubric for scoring on paper."""
    return Page(
        html=sheet_html(rubric, reviewers=reviewers, user_templates=user_templates),
        title=f"{rubric.title} 评分表",
        as_of=sheet_date(rubric),
        footer=f"{rubric.title} {rubric.version} 版 · 校验码：评分标准 {rubric.sha256[:12]}",
        subject=rubric.title,
    )


def recommendation_date(recommendation: Recommendation) -> dt.date:
    """The newest evaluation date among the listed applicants (fixed, never the clock)."""
    days = [
        dt.date.fromisoformat(item.row.as_of)
        for lst in recommendation.lists
        for item in lst.recommended
        if item.row.as_of
    ]
    return max(days) if days else dt.date(2000, 1, 1)


def recommendation_html(
    recommendation: Recommendation, *, publication: Publication | None = None, user_templates: Path | None = None
) -> str:
    publication = publication or Publication()
    annex = [(lst.title, entry) for lst in recommendation.lists for entry in public_annex(lst)]
    return render_template(
        "recommendation.html",
        user_templates,
        recommendation=recommendation,
        tie_rules=TIE_RULES,
        title=list_title(recommendation, publication),
        publication=publication,
        process=process_paragraph(recommendation),
        annex=annex,
        numerals=NUMERALS,
        preflight=[("✘ " if p.blocking else "· ") + problem_text(p) for p in recommendation.preflight],
        as_of=chinese_date(recommendation_date(recommendation)),
    )


def recommendation_page(
    recommendation: Recommendation, *, publication: Publication | None = None, user_templates: Path | None = None
) -> Page:
    """The 拟推荐名单 with its public annex of applicants left out and why."""
    counts = "；".join(f"{lst.title} {len(lst.recommended)} 个" for lst in recommendation.lists)
    return Page(
        html=recommendation_html(recommendation, publication=publication, user_templates=user_templates),
        title=list_title(recommendation, publication or Publication()),
        as_of=recommendation_date(recommendation),
        footer=f"拟推荐名单 · {counts}",
        subject="拟推荐名单",
    )
