"""The 评审意见表 as a Word document (A4 landscape), from the same views as the PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.shared import Pt

from shifan.evaluate.pipeline import Checked
from shifan.formatting import format_number
from shifan.present.docx.common import (
    flags_box,
    header_and_footer,
    heading,
    keep_with_next,
    new_document,
    paragraph,
    save,
    table,
    title,
)
from shifan.present.docx.self_report import criterion_label
from shifan.present.report.build import BLANK_REVIEWER_COLUMNS, checked_view
from shifan.present.report.views import ReportView, ReviewView, blank_review, review_view
from shifan.review.reconcile import ReconciledResult
from shifan.rules.vocab import Verdict

#: Width of the landscape text area in millimetres (297 − 2 × 20).
WIDTH = 257.0


def _panel_lines(review: ReviewView) -> list[str]:
    if review.panel_verdict:
        lines = [review.panel_verdict, f"合议得分：{review.panel_score}"]
        if review.panel_grade:
            lines[-1] += f"，等级：{review.panel_grade}"
        lines.append(f"推荐意见：{review.panel_opinion or '未填写'}")
        return lines
    return [
        f"结论：□{Verdict.ELIGIBLE.label}　□{Verdict.INELIGIBLE.label}",
        "合议得分：__________",
        "推荐意见：□同意推荐　□不同意推荐",
    ]


def review_document(view: ReportView, review: ReviewView) -> Any:
    r = view.result
    name = r.applicant.name
    document = new_document(title=f"{name} 评审意见表", as_of=r.as_of, landscape=True)
    header_and_footer(document, header=f"{name} 评审意见表", audit=view.footer_note)
    title(document, view.honour, "评审意见表")

    id_label = "统一社会信用代码" if r.applicant.kind == "institution" else "行政区划代码"
    table(
        document,
        None,
        [
            ("申报单位", name, id_label, r.applicant.id),
            ("评分标准", f"{r.rubric.title}（{r.rubric.version} 版）", "评价基准日", view.printed_on),
        ],
        [30, 110, 40, 77],
    )
    table(
        document,
        ["评审组合议结论", "系统核验结果（仅依据申报数据计算，供评审参考）"],
        [("\n".join(_panel_lines(review)), f"{review.system_verdict}\n系统计算得分：{review.system_score}")],
        [WIDTH / 2, WIDTH / 2],
    )
    for note in review.notes:
        paragraph(document, note, bold=True, size=Pt(9))
    flags_box(document, r.flags, WIDTH)

    reviewers = review.reviewers
    headers = ["序号", "指标", "系统核验", "分值", "自评", *reviewers, "合议分", "现场核查", "专家意见"]
    fixed = 9 + 36 + 56 + 12 + 12 + 14 * len(reviewers) + 14 + 20
    widths = [9, 36, 56, 12, 12, *([14] * len(reviewers)), 14, 20, max(WIDTH - fixed, 30)]
    rows = []
    for row in review.rows:
        c = row.criterion
        opinion = "\n".join([*(r for r in row.remarks if r), *row.flags])
        rows.append(
            (
                row.number,
                criterion_label(c),
                f"{c.status.label}：{c.reason}",
                "否决" if c.gate else format_number(c.max_points),
                "" if c.self_score is None else format_number(c.self_score),
                *row.scores,
                row.reconciled,
                row.verification,
                opinion,
            )
        )
    rows.append(
        (
            "",
            f"合计（系统计算 {format_number(r.score)} 分）",
            "",
            "",
            "",
            *([""] * len(reviewers)),
            review.total,
            "",
            "",
        )
    )
    score_align = ["right"] * (3 + len(reviewers))
    table(document, headers, rows, widths, align=["center", None, None, *score_align, None, None])

    if view.defaults:
        heading(document, "附：评分所用的待核对默认值", 2)
        table(
            document,
            ["序号", "名称", "取值", "来源"],
            [(i, d.title, d.value, d.source) for i, d in enumerate(view.defaults, 1)],
            [12, 70, 25, WIDTH - 107],
            align=["center", None, "right", None],
        )

    # The group conclusion and the signatures stay together on one page.
    heading(document, "评审组结论", 2)
    conclusion = []
    if review.verdict:
        text = review.verdict
        if review.panel_opinion:
            text += f"；推荐意见：{review.panel_opinion}"
        conclusion.append(text)
    conclusion.extend(f"{who}：{opinion}" for who, opinion in review.opinions)
    conclusion.extend(["", "", ""] if not review.opinions else [""])
    box = table(document, None, [("\n".join(conclusion),)], [WIDTH])
    keep_with_next(box.rows)
    signatures = table(
        document,
        ["序号", "评审专家", "工作单位", "职称", "评审结论", "签字", "日期"],
        [
            *(
                (i, e.name, e.organisation, e.title, e.conclusion, "", e.signed)
                for i, e in enumerate(review.experts, 1)
            ),
            ("", "评审组长", "", "", "", "", ""),
        ],
        [12, 30, WIDTH - 12 - 30 - 36 - 32 - 50 - 34, 36, 32, 50, 34],
        align=["center", None, None, None, None, None, None],
        keep_together=True,
    )
    for row in signatures.rows[1:]:
        row.height = Pt(26)
    return document


def write_review_report_docx(checked: Checked, out: Path | None, reconciled: ReconciledResult | None = None) -> bytes:
    """The 评审意见表 as a Word document (blank expert columns without reviews), written to ``out``."""
    view = checked_view(checked)
    review = blank_review(checked.result, BLANK_REVIEWER_COLUMNS) if reconciled is None else review_view(reconciled)
    return save(review_document(view, review), out)
