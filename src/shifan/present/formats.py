"""Output formats as a registry: for every document shifan writes, the formats it can be written
in and the function that writes each.

* :data:`DOCUMENTS` — the printable documents (自评报告 ``self``, 评审意见表 ``review``,
  评分表 ``sheet``, 拟推荐名单 ``recommendation``), each a :class:`Document` mapping a format
  name to a renderer ``(data, out, user_templates) -> bytes``;
* :data:`APPLICANT_WRITERS` — the per-applicant outputs of a batch, by format name;
* :data:`SUFFIXES` — the file name suffixes of each format (``--format`` defaults to the one the
  output file's suffix names).

A new format (DOCX, say) is one module with a renderer per document plus entries here; batch,
recommend and the command line read their choices from this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from shifan.batch.model import ApplicantWriter, Evaluated
from shifan.evaluate.pipeline import Checked
from shifan.files import atomic_write_text
from shifan.present.applicant_json import applicant_json
from shifan.present.recommendation import OUTPUTS as RECOMMENDATION_OUTPUTS
from shifan.present.report.build import (
    Page,
    blank_sheet_page,
    recommendation_page,
    review_report_page,
    self_report_page,
    write_html,
    write_pdf,
)
from shifan.recommend.ranking import Recommendation
from shifan.review.reconcile import ReconciledResult
from shifan.rules.rubric import Rubric

T = TypeVar("T")

#: Format name → the file name suffixes that select it (the first is the one written).
SUFFIXES: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "html": (".html", ".htm"),
    "json": (".json",),
    "csv": (".csv",),
    "xlsx": (".xlsx",),
    "txt": (".txt",),
}

Renderer = Callable[[T, Path | None, Path | None], bytes]
PageWriter = Callable[[Page, Path | None], bytes]

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

    def format_for(self, fmt: str | None, out: Path) -> str:
        """``fmt`` when given, else the format the suffix of ``out`` names, else the default."""
        if fmt is not None:
            return fmt
        suffix = out.suffix.lower()
        for name in self.renderers:
            if suffix in SUFFIXES[name]:
                return name
        return self.default

    def write(self, data: T, out: Path | None, fmt: str, *, user_templates: Path | None = None) -> bytes:
        """Render ``data`` as ``fmt``, written atomically to ``out``; returns the bytes."""
        return self.renderers[fmt](data, out, user_templates)


def _paged(page: Callable[[T, Path | None], Page]) -> dict[str, Renderer[T]]:
    """A renderer for every page format (HTML, PDF) from a function building the page."""

    def renderer(writer: PageWriter) -> Renderer[T]:
        return lambda data, out, user_templates: writer(page(data, user_templates), out)

    return {name: renderer(writer) for name, writer in PAGE_WRITERS.items()}


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


SELF_REPORT: Document[Checked] = Document(
    "self", "自评报告", _paged(lambda checked, templates: self_report_page(checked, user_templates=templates))
)
REVIEW_REPORT: Document[ReviewReport] = Document(
    "review",
    "评审意见表",
    _paged(lambda data, templates: review_report_page(data.checked, data.reconciled, user_templates=templates)),
)
SHEET: Document[BlankSheet] = Document(
    "sheet",
    "评分表",
    _paged(lambda data, templates: blank_sheet_page(data.rubric, reviewers=data.reviewers, user_templates=templates)),
)
RECOMMENDATION_LIST: Document[Recommendation] = Document(
    "recommendation",
    "拟推荐名单",
    _paged(lambda recommendation, templates: recommendation_page(recommendation, user_templates=templates)),
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
    """The 自评报告 of a batch applicant in a page format (``pdf`` or ``html``)."""

    format: str = "pdf"

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.format][0]

    def write(self, evaluated: Evaluated, path: Path) -> None:
        SELF_REPORT.write(evaluated.checked, path, self.format)


#: Per-applicant batch outputs by format name.
APPLICANT_WRITERS: dict[str, ApplicantWriter] = {
    "json": ApplicantJson(),
    "pdf": ApplicantSelfReport("pdf"),
    "html": ApplicantSelfReport("html"),
}


def applicant_writers(formats: Sequence[str]) -> list[ApplicantWriter]:
    """The per-applicant writers of ``formats``, in that order."""
    return [APPLICANT_WRITERS[name] for name in formats]
