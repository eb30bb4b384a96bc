"""Word (.docx) editions of the reports, drawn from the same views as the PDFs.

One module per document; each writer returns the bytes and writes them atomically when given a
path: :func:`write_self_report_docx`, :func:`write_review_report_docx`,
:func:`write_blank_sheet_docx`, :func:`write_recommendation_docx`, :func:`write_notice_docx`.
"""

from __future__ import annotations

from shifan.present.docx.recommendation import write_notice_docx, write_recommendation_docx
from shifan.present.docx.review import write_review_report_docx
from shifan.present.docx.self_report import write_self_report_docx
from shifan.present.docx.sheet import write_blank_sheet_docx

__all__ = [
    "write_blank_sheet_docx",
    "write_notice_docx",
    "write_recommendation_docx",
    "write_review_report_docx",
    "write_self_report_docx",
]
