"""PDF reports: CJK font preparation (:mod:`.fonts`), the sandboxed PDF engine (:mod:`.pdf`),
report views (:mod:`.views`), templates (:mod:`.templating`) and report building (:mod:`.build`).

Kept free of heavy imports: WeasyPrint and fontTools load only when a report is rendered.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shifan.recommend.ranking import Recommendation
    from shifan.service import Checked


def render_self_report(checked: Checked, out_path: Path) -> bytes:
    """Write the 自评报告 PDF of an evaluated application to ``out_path`` (atomically)."""
    from shifan.report.build import write_self_report

    return write_self_report(checked, out_path)


def render_recommendation_list(recommendation: Recommendation, out_path: Path) -> bytes:
    """Write the 拟推荐名单 PDF (list, tie rules, annex with reasons) to ``out_path`` (atomically)."""
    from shifan.report.build import write_recommendation_list

    return write_recommendation_list(recommendation, out_path)
