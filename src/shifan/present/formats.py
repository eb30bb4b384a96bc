"""Output formats as a registry: for every document shifan writes, the formats it can be written
in and the function that writes each.

* :data:`DOCUMENTS` — the printable documents (自评报告 ``self``, 评审意见表 ``review``,
  评分表 ``sheet``, 拟推荐名单 ``recommendation``), each a :class:`Document` mapping a format
  name to a renderer ``(data, out, user_templates) -> bytes``;
* :data:`REVIEW_SHEET` — the expert's review sheet to fill in, as commented YAML or as an Excel
  workbook;
* :data:`APPLICANT_WRITERS` — the per-applicant outputs of a batch, by format name;
* :data:`SUFFIXES` — the file name suffixes of each format: the output file's suffix picks the
  format (``--format`` may only agree with it, :meth:`Document.choose`).

Page formats (PDF, HTML) are drawn from a :class:`~shifan.present.report.build.Page`; the Word
edition (``docx``) of each document by :mod:`shifan.present.docx`. ``pdf_a`` makes a PDF a
PDF/A-3b file with the page's machine-readable data embedded. A new format is one module with a
renderer per document plus entries here; batch, recommend and the command line read their
choices from this registry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from shifan.batch.model import ApplicantWriter, Evaluated
from shifan.errors import OutputError, ShifanError, UsageError
from shifan.evaluate.pipeline import Checked
from shifan.files import atomic_write_text
from shifan.present.applicant_json import applicant_json
from shifan.present.recommendation import OUTPUTS as RECOMMENDATION_OUTPUTS
from shifan.present.recommendation import Published
from shifan.present.report.build import (
    Page,
    blank_sheet_page,
    recommendation_page,
    review_report_page,
    self_report_page,
    write_html,
    write_pdf,
)
from shifan.review.reconcile import ReconciledResult
from shifan.rules.rubric import Rubric

T = TypeVar("T")

#: Format name → the file name suffixes that select it (the first is the one written).
SUFFIXES: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "html": (".html", ".htm"),
    "json": (".json",),
    "csv": (".csv",),
    "xlsx": (".xlsx", ".xlsm"),
    "yaml": (".yaml", ".yml"),
    "txt": (".txt",),
}


@dataclass(frozen=True)
class RenderOptions:
    """How a document is rendered: custom templates (page formats) and PDF/A (``pdf`` only)."""

    user_templates: Path | None = None
    pdf_a: bool = False


Renderer = Callable[[T, Path | None, RenderOptions], bytes]
PageWriter = Callable[..., bytes]

#: How each page format writes a rendered :class:`Page`.
PAGE_WRITERS: dict[str, PageWriter] = {"pdf": write_pdf, "html": write_html}


@dataclass(frozen=True)
class Document(Generic[T]):
    """A document and the formats it can be written in."""

    name: str
    title: str
    renderers: Mapping[str, Renderer[T]]
    default: str = "pdf"

    @property
    def formats(self) -> list[str]:
        return list(self.renderers)

    def format_for(self, out: Path) -> str | None:
        """The format the suffix of ``out`` names, or None."""
        suffix = out.suffix.lower()
        for name in self.renderers:
            if suffix in SUFFIXES[name]:
                return name
        return None

    def choose(self, fmt: str | None, out: Path, *, pdf_a: bool = False) -> str:
        """The output format: the one the suffix of ``out`` names; ``fmt`` (``--format``) may
        only agree with it, and ``pdf_a`` needs PDF. Raises :class:`UsageError` otherwise, before
        anything is written."""
        if out.is_dir():
            raise OutputError(f"无法写入 {out}：这是一个目录，请给出文件名")
        by_suffix = self.format_for(out)
        if by_suffix is None:
            known = "、".join(f"{SUFFIXES[name][0]}（{FORMAT_LABELS.get(name, name)}）" for name in self.renderers)
            raise UsageError(f"无法识别输出文件的扩展名“{out.suffix or '（无）'}”：请使用 {known}")
        if fmt is not None and fmt != by_suffix:
            raise UsageError(f"--format {fmt} 与输出文件扩展名 {out.suffix} 不一致")
        if pdf_a and by_suffix != "pdf":
            raise UsageError("--pdf-a 只适用于 PDF 输出（.pdf）")
        return by_suffix

    def write(
        self, data: T, out: Path | None, fmt: str, *, user_templates: Path | None = None, pdf_a: bool = False
    ) -> bytes:
        """Render ``data`` as ``fmt``, written atomically to ``out``; returns the bytes."""
        return self.renderers[fmt](data, out, RenderOptions(user_templates, pdf_a))


#: The formats as named to people (usage messages).
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word", "html": "网页预览", "yaml": "YAML", "xlsx": "Excel 工作簿"}


def _paged(page: Callable[[T, Path | None], Page], docx: Callable[[T, Path | None], bytes]) -> dict[str, Renderer[T]]:
    """A renderer for every page format (PDF, HTML) from a function building the page, and the
    Word edition."""

    def renderer(writer: PageWriter) -> Renderer[T]:
        return lambda data, out, options: writer(page(data, options.user_templates), out, pdf_a=options.pdf_a)

    renderers = {name: renderer(writer) for name, writer in PAGE_WRITERS.items()}
    return {"pdf": renderers["pdf"], "docx": lambda data, out, options: docx(data, out), "html": renderers["html"]}


@dataclass(frozen=True)
class ReviewReport:
    """What a 评审意见表 shows: the evaluation and, once reviewed, the reviewers' entries."""

    checked: Checked
    reconciled: ReconciledResult | None = None


@dataclass(frozen=True)
class BlankSheet:
    """A blank 评分表 of a rubric with ``reviewers`` signature lines."""

    rubric: Rubric
    reviewers: int = 1


# The Word writers load python-docx only when a Word file is made.


def _self_docx(checked: Checked, out: Path | None) -> bytes:
    from shifan.present.docx import write_self_report_docx

    return write_self_report_docx(checked, out)


def _review_docx(data: ReviewReport, out: Path | None) -> bytes:
    from shifan.present.docx import write_review_report_docx

    return write_review_report_docx(data.checked, out, data.reconciled)


def _sheet_docx(data: BlankSheet, out: Path | None) -> bytes:
    from shifan.present.docx import write_blank_sheet_docx

    return write_blank_sheet_docx(data.rubric, out, reviewers=data.reviewers)


def _recommendation_docx(data: Published, out: Path | None) -> bytes:
    from shifan.present.docx import write_recommendation_docx

    return write_recommendation_docx(data.recommendation, out, data.publication)


@dataclass(frozen=True)
class NewReviewSheet:
    """A review sheet to create for one application and one reviewer."""

    checked: Checked
    reviewer: str
    organisation: str = ""
    title: str = ""
    force: bool = False


def _review_sheet(write: Callable[..., None]) -> Renderer[NewReviewSheet]:
    def renderer(data: NewReviewSheet, out: Path | None, options: RenderOptions) -> bytes:
        if out is None:
            raise UsageError("评审意见表须写入文件：请加 -o")
        person = {"reviewer": data.reviewer, "organisation": data.organisation, "title": data.title}
        write(data.checked, out, **person, force=data.force)
        return out.read_bytes()

    return renderer


def _review_sheet_yaml(checked: Checked, out: Path, **options: Any) -> None:
    from shifan.review import write_new_sheet

    write_new_sheet(checked, out, **options)


def _review_sheet_xlsx(checked: Checked, out: Path, **options: Any) -> None:
    from shifan.present.review_workbook import write_review_workbook

    write_review_workbook(checked, out, **options)


REVIEW_SHEET: Document[NewReviewSheet] = Document(
    "review_sheet",
    "评审意见表（待填写）",
    {"yaml": _review_sheet(_review_sheet_yaml), "xlsx": _review_sheet(_review_sheet_xlsx)},
    default="yaml",
)

SELF_REPORT: Document[Checked] = Document(
    "self",
    "自评报告",
    _paged(lambda checked, templates: self_report_page(checked, user_templates=templates), _self_docx),
)
REVIEW_REPORT: Document[ReviewReport] = Document(
    "review",
    "评审意见表",
    _paged(
        lambda data, templates: review_report_page(data.checked, data.reconciled, user_templates=templates),
        _review_docx,
    ),
)
SHEET: Document[BlankSheet] = Document(
    "sheet",
    "评分表",
    _paged(
        lambda data, templates: blank_sheet_page(data.rubric, reviewers=data.reviewers, user_templates=templates),
        _sheet_docx,
    ),
)
RECOMMENDATION_LIST: Document[Published] = Document(
    "recommendation",
    "拟推荐名单",
    _paged(
        lambda data, templates: recommendation_page(
            data.recommendation, publication=data.publication, user_templates=templates
        ),
        _recommendation_docx,
    ),
)
DOCUMENTS = {d.name: d for d in (SELF_REPORT, REVIEW_REPORT, SHEET, RECOMMENDATION_LIST)}

#: The files ``shifan recommend`` can write, by format (see shifan.present.recommendation).
RECOMMENDATION_FORMATS = list(RECOMMENDATION_OUTPUTS)


@dataclass(frozen=True)
class ApplicantJson:
    """The per-applicant JSON of a batch (reconciled result, file, county roll-up)."""

    format: str = "json"
    suffix: str = ".json"

    def write(self, evaluated: Evaluated, path: Path) -> None:
        atomic_write_text(path, applicant_json(evaluated.file, evaluated.checked, evaluated.reconciled))


@dataclass(frozen=True)
class ApplicantSelfReport:
    """The 自评报告 of a batch applicant in a document format (``pdf``, ``docx`` or ``html``)."""

    format: str = "pdf"

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.format][0]

    def write(self, evaluated: Evaluated, path: Path) -> None:
        SELF_REPORT.write(evaluated.checked, path, self.format)

    def prepare(self) -> None:
        """Before a batch's workers start: build missing font subsets once (not in every worker)
        and, where workers are forked, load WeasyPrint and the fonts here, so each worker starts
        with them loaded instead of loading them again. A font problem is left to each PDF to report."""
        if self.format != "pdf":
            return
        import multiprocessing

        from shifan.present.report import fonts, pdf

        with contextlib.suppress(ShifanError):
            if multiprocessing.get_start_method() == "fork":
                pdf.font_kit()
            else:
                fonts.prepare_fonts()


#: Per-applicant batch outputs by format name.
APPLICANT_WRITERS: dict[str, ApplicantWriter] = {
    "json": ApplicantJson(),
    "pdf": ApplicantSelfReport("pdf"),
    "docx": ApplicantSelfReport("docx"),
    "html": ApplicantSelfReport("html"),
}


def applicant_writers(formats: Sequence[str]) -> list[ApplicantWriter]:
    """The per-applicant writers of ``formats``, in that order."""
    return [APPLICANT_WRITERS[name] for name in formats]
