"""Building reports: evaluation → view → Jinja2 HTML → PDF (or the HTML itself, to preview).

The Word editions of the same documents are drawn from the same views by :mod:`shifan.present.docx`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from jinja2 import TemplateError, TemplateSyntaxError

from shifan.errors import RenderError
from shifan.evaluate.pipeline import Checked
from shifan.files import atomic_write_text
from shifan.formatting import chinese_date
from shifan.present.publication import (
    NUMERALS,
    Publication,
    group_label,
    list_title,
    process_sentence,
    public_annex,
    rubric_title,
)
from shifan.present.report.templating import make_environment
from shifan.present.report.views import blank_review, build_view, readable_text, review_view
from shifan.recommend.ranking import Recommendation
from shifan.review.reconcile import ReconciledResult
from shifan.rules.rubric import Rubric

#: Reviewer columns printed when nobody has reviewed yet (a layout choice, not policy).
BLANK_REVIEWER_COLUMNS = 3

Format = Literal["pdf", "html", "docx"]

#: Version of the result JSON (``shifan check --format json`` and the file embedded in PDF/A).
RESULT_SCHEMA_VERSION = 1


def result_document(checked: Checked) -> dict[str, Any]:
    """The machine-readable result, exactly as ``shifan check --format json`` prints it."""
    data: dict[str, Any] = {"schema_version": RESULT_SCHEMA_VERSION, **checked.result.model_dump(mode="json")}
    if checked.rollup is not None:
        data["rollup"] = checked.rollup.model_dump(mode="json")
    return data


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _data_files(checked: Checked, reconciled: ReconciledResult | None = None) -> list[Any]:
    from shifan.present.report.pdf import DataFile

    files = [DataFile("result.json", json_bytes(result_document(checked)), "评价结果（机器可读）")]
    if reconciled is not None:
        files.append(
            DataFile("reconciled.json", json_bytes(reconciled.model_dump(mode="json")), "专家合议结果（机器可读）")
        )
    return files


def render_template(name: str, user_templates: Path | None = None, **context: Any) -> str:
    try:
        return make_environment(user_templates).get_template(name).render(**context)
    except TemplateSyntaxError as error:
        raise RenderError(
            f"报告模板有语法错误：{error.filename or error.name}:{error.lineno}: {error.message}"
        ) from None
    except TemplateError as error:
        raise RenderError(f"报告模板错误（{name}）：{type(error).__name__}: {error}") from None


def _emit(
    html: str,
    out: Path | None,
    fmt: Format,
    *,
    title: str,
    as_of: dt.date,
    footer: str,
    subject: str,
    pdf_a: bool = False,
    data_files: list[Any] | None = None,
) -> bytes:
    if fmt == "html":
        if out is not None:
            atomic_write_text(out, html)
        return html.encode("utf-8")
    from shifan.present.report.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

    return render_pdf(
        html,
        out,
        title=title,
        as_of=as_of,
        footer_note=footer,
        subject=subject,
        keywords=("shifan",),
        pdf_a=pdf_a,
        data_files=data_files or [],
    )


def checked_view(checked: Checked) -> Any:
    """The report view of an evaluated application (with its 基本情况)."""
    return build_view(checked.result, checked.rubric, checked.loaded.app)


def self_report_html(checked: Checked, *, user_templates: Path | None = None) -> str:
    return render_template("self.html", user_templates, view=checked_view(checked))


def write_self_report(
    checked: Checked,
    out: Path | None,
    *,
    fmt: Format = "pdf",
    user_templates: Path | None = None,
    pdf_a: bool = False,
) -> bytes:
    """The 自评报告 of one application, as PDF bytes (or HTML, or DOCX), written atomically to ``out``."""
    if fmt == "docx":
        from shifan.present.docx import write_self_report_docx

        return write_self_report_docx(checked, out)
    result = checked.result
    html = self_report_html(checked, user_templates=user_templates)
    title = f"{result.applicant.name} 自评报告"
    return _emit(
        html,
        out,
        fmt,
        title=title,
        as_of=result.as_of,
        footer=checked_view(checked).footer_note,
        subject=result.rubric.title,
        pdf_a=pdf_a,
        data_files=_data_files(checked) if pdf_a else None,
    )


def review_report_html(
    checked: Checked, reconciled: ReconciledResult | None = None, *, user_templates: Path | None = None
) -> str:
    view = checked_view(checked)
    review = blank_review(checked.result, BLANK_REVIEWER_COLUMNS) if reconciled is None else review_view(reconciled)
    return render_template("review.html", user_templates, view=view, review=review)


def write_review_report(
    checked: Checked,
    out: Path | None,
    reconciled: ReconciledResult | None = None,
    *,
    fmt: Format = "pdf",
    user_templates: Path | None = None,
    pdf_a: bool = False,
) -> bytes:
    """The 评审意见表: per item the self-score, reviewers' scores and remarks, the reconciled score."""
    if fmt == "docx":
        from shifan.present.docx import write_review_report_docx

        return write_review_report_docx(checked, out, reconciled)
    result = checked.result
    html = review_report_html(checked, reconciled, user_templates=user_templates)
    title = f"{result.applicant.name} 评审意见表"
    footer = build_view(result, checked.rubric).footer_note
    return _emit(
        html,
        out,
        fmt,
        title=title,
        as_of=result.as_of,
        footer=footer,
        subject=result.rubric.title,
        pdf_a=pdf_a,
        data_files=_data_files(checked, reconciled) if pdf_a else None,
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


def write_blank_sheet(
    rubric: Rubric,
    out: Path | None,
    *,
    fmt: Format = "pdf",
    reviewers: int = 1,
    user_templates: Path | None = None,
    pdf_a: bool = False,
) -> bytes:
    """A blank printable 评分表 of the effective rubric for scoring on paper."""
    if fmt == "docx":
        from shifan.present.docx import write_blank_sheet_docx

        return write_blank_sheet_docx(rubric, out, reviewers=reviewers)
    day = sheet_date(rubric)
    html = sheet_html(rubric, reviewers=reviewers, user_templates=user_templates)
    footer = f"{rubric.title} {rubric.version} 版 · 校验码：评分标准 {rubric.sha256[:12]}"
    return _emit(
        html, out, fmt, title=f"{rubric.title} 评分表", as_of=day, footer=footer, subject=rubric.title, pdf_a=pdf_a
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
    day = recommendation_date(recommendation)
    annex = [(lst.title, entry) for lst in recommendation.lists for entry in public_annex(lst)]
    return render_template(
        "recommendation.html",
        user_templates,
        recommendation=recommendation,
        title=list_title(recommendation, publication),
        publication=publication,
        process=process_sentence(recommendation),
        annex=annex,
        numerals=NUMERALS,
        group_label=group_label,
        rubric_title=rubric_title,
        as_of=chinese_date(day),
    )


def write_recommendation_list(
    recommendation: Recommendation,
    out: Path | None,
    *,
    fmt: Format = "pdf",
    publication: Publication | None = None,
    user_templates: Path | None = None,
) -> bytes:
    """The 拟推荐名单 with its public annex of applicants left out and why."""
    if fmt == "docx":
        from shifan.present.docx import write_recommendation_docx

        return write_recommendation_docx(recommendation, out, publication)
    html = recommendation_html(recommendation, publication=publication, user_templates=user_templates)
    day = recommendation_date(recommendation)
    counts = "；".join(f"{lst.title} {len(lst.recommended)} 个" for lst in recommendation.lists)
    title = list_title(recommendation, publication or Publication())
    return _emit(html, out, fmt, title=title, as_of=day, footer=f"拟推荐名单 · {counts}", subject="拟推荐名单")
