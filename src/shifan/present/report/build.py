"""Building reports: evaluation → view → Jinja2 HTML → PDF (or the HTML itself, to preview)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from jinja2 import TemplateError, TemplateSyntaxError

from shifan.errors import RenderError
from shifan.evaluate.pipeline import Checked
from shifan.files import atomic_write_text
from shifan.formatting import chinese_date
from shifan.present.evidence import evidence_list
from shifan.present.report.templating import make_environment
from shifan.present.report.views import blank_review, build_view, review_view
from shifan.recommend.ranking import Recommendation
from shifan.review.reconcile import ReconciledResult
from shifan.rules.rubric import Rubric

#: Reviewer columns printed when nobody has reviewed yet (a layout choice, not policy).
BLANK_REVIEWER_COLUMNS = 3

Format = Literal["pdf", "html"]


def render_template(name: str, user_templates: Path | None = None, **context: Any) -> str:
    try:
        return make_environment(user_templates).get_template(name).render(**context)
    except TemplateSyntaxError as error:
        raise RenderError(
            f"报告模板有语法错误：{error.filename or error.name}:{error.lineno}: {error.message}"
        ) from None
    except TemplateError as error:
        raise RenderError(f"报告模板错误（{name}）：{type(error).__name__}: {error}") from None


def _emit(html: str, out: Path | None, fmt: Format, *, title: str, as_of: dt.date, footer: str, subject: str) -> bytes:
    if fmt == "html":
        if out is not None:
            atomic_write_text(out, html)
        return html.encode("utf-8")
    from shifan.present.report.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

    return render_pdf(html, out, title=title, as_of=as_of, footer_note=footer, subject=subject, keywords=("shifan",))


def self_report_html(checked: Checked, *, user_templates: Path | None = None) -> str:
    view = build_view(checked.result, checked.rubric)
    return render_template("self.html", user_templates, view=view, evidence=evidence_list(checked))


def write_self_report(
    checked: Checked, out: Path | None, *, fmt: Format = "pdf", user_templates: Path | None = None
) -> bytes:
    """The 自评报告 of one application, as PDF bytes (or HTML), written atomically to ``out``."""
    result = checked.result
    html = self_report_html(checked, user_templates=user_templates)
    title = f"{result.applicant.name} 自评报告"
    return _emit(
        html,
        out,
        fmt,
        title=title,
        as_of=result.as_of,
        footer=build_view(result, checked.rubric).footer_note,
        subject=result.rubric.title,
    )


def review_report_html(
    checked: Checked, reconciled: ReconciledResult | None = None, *, user_templates: Path | None = None
) -> str:
    view = build_view(checked.result, checked.rubric)
    review = blank_review(checked.result, BLANK_REVIEWER_COLUMNS) if reconciled is None else review_view(reconciled)
    return render_template("review.html", user_templates, view=view, review=review)


def write_review_report(
    checked: Checked,
    out: Path | None,
    reconciled: ReconciledResult | None = None,
    *,
    fmt: Format = "pdf",
    user_templates: Path | None = None,
) -> bytes:
    """The 评审意见表: per item the self-score, reviewers' scores and remarks, the reconciled score."""
    result = checked.result
    html = review_report_html(checked, reconciled, user_templates=user_templates)
    title = f"{result.applicant.name} 评审意见表"
    footer = build_view(result, checked.rubric).footer_note
    return _emit(html, out, fmt, title=title, as_of=result.as_of, footer=footer, subject=result.rubric.title)


def sheet_date(rubric: Rubric) -> dt.date:
    """A fixed date for a blank sheet's PDF metadata: the newest source document's date."""
    dates = [s.date for s in rubric.sources if s.date is not None]
    return max(dates) if dates else dt.date(2000, 1, 1)


def sheet_html(rubric: Rubric, *, reviewers: int = 1, user_templates: Path | None = None) -> str:
    rows = [(n, section, criterion) for n, (section, criterion) in enumerate(rubric.criteria(), 1)]
    printed_on = chinese_date(sheet_date(rubric))
    return render_template(
        "sheet.html", user_templates, rubric=rubric, rows=rows, reviewers=reviewers, printed_on=printed_on
    )


def write_blank_sheet(
    rubric: Rubric,
    out: Path | None,
    *,
    fmt: Format = "pdf",
    reviewers: int = 1,
    user_templates: Path | None = None,
) -> bytes:
    """A blank printable 评分表 of the effective rubric for scoring on paper."""
    day = sheet_date(rubric)
    html = sheet_html(rubric, reviewers=reviewers, user_templates=user_templates)
    footer = f"{rubric.id} 版本 {rubric.version} · 评分标准 {rubric.sha256[:12]}"
    return _emit(html, out, fmt, title=f"{rubric.title} 评分表", as_of=day, footer=footer, subject=rubric.title)


def recommendation_date(recommendation: Recommendation) -> dt.date:
    """The newest evaluation date among the listed applicants (fixed, never the clock)."""
    days = [
        dt.date.fromisoformat(item.row.as_of)
        for lst in recommendation.lists
        for item in lst.recommended
        if item.row.as_of
    ]
    return max(days) if days else dt.date(2000, 1, 1)


def recommendation_html(recommendation: Recommendation, *, user_templates: Path | None = None) -> str:
    day = recommendation_date(recommendation)
    title = "医养结合示范拟推荐名单"
    return render_template(
        "recommendation.html", user_templates, recommendation=recommendation, title=title, as_of=chinese_date(day)
    )


def write_recommendation_list(
    recommendation: Recommendation, out: Path | None, *, fmt: Format = "pdf", user_templates: Path | None = None
) -> bytes:
    """The 拟推荐名单 with its annex of applicants left out and why."""
    html = recommendation_html(recommendation, user_templates=user_templates)
    day = recommendation_date(recommendation)
    counts = "；".join(f"{lst.title} {len(lst.recommended)} 个" for lst in recommendation.lists)
    return _emit(
        html, out, fmt, title="医养结合示范拟推荐名单", as_of=day, footer=f"拟推荐名单 · {counts}", subject="拟推荐名单"
    )
