"""The only place batch and recommendation code touches the PDF renderer (:mod:`shifan.report`).

The renderer is imported lazily, so runs without PDFs never load WeasyPrint. Expected API:

* ``shifan.report.render_self_report(checked, out_path)`` — the 自评报告 of one applicant;
* ``shifan.report.render_recommendation_list(recommendation, out_path)`` — the 拟推荐名单, given
  a :class:`shifan.recommend.ranking.Recommendation`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shifan.recommend.ranking import Recommendation
    from shifan.service import Checked


def _renderer(name: str) -> object | None:
    try:
        from shifan import report
    except ImportError:
        return None
    found = getattr(report, name, None)
    return found if callable(found) else None


def self_report_available() -> bool:
    return _renderer("render_self_report") is not None


def list_report_available() -> bool:
    return _renderer("render_recommendation_list") is not None


def render_self_report_pdf(checked: Checked, out_path: Path) -> None:
    """Write the 自评报告 PDF of one applicant (atomically, by the renderer)."""
    from shifan import report

    report.render_self_report(checked, out_path)


def render_recommendation_pdf(recommendation: Recommendation, out_path: Path) -> None:
    """Write the 拟推荐名单 PDF."""
    from shifan import report

    render = getattr(report, "render_recommendation_list")  # noqa: B009 - not there in every version
    render(recommendation, out_path)
