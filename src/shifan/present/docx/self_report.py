"""The 自评报告 as a Word document, from the same view as the PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.shared import Pt

from shifan.evaluate.pipeline import Checked
from shifan.evaluate.result import CriterionResult
from shifan.formatting import format_number
from shifan.present.docx.common import (
    flags_box,
    header_and_footer,
    heading,
    new_document,
    page_break,
    paragraph,
    save,
    table,
    title,
)
from shifan.present.evidence import evidence_list
from shifan.present.report.build import checked_view
from shifan.present.report.views import ReportView
from shifan.rules.vocab import Status

NUMERALS = "一二三四五六七八九十"


def criterion_label(c: CriterionResult) -> str:
    return f"{c.id} {c.title}" + ("（否决项）" if c.gate else "")


def requirement_text(c: CriterionResult) -> str:
    return c.requirement + ("〔含默认值〕" if c.uses_defaults else "")


def score_text(c: CriterionResult) -> str:
    if c.gate:
        return "—"
    if c.status is Status.NOT_APPLICABLE:
        return "不计"
    return f"{format_number(c.points)}/{format_number(c.max_points)}"


def observed_text(c: CriterionResult) -> str:
    parts = [c.observed]
    if c.status is not Status.PASS and c.reason:
        parts.append(c.reason)
    parts.extend(f"· {d}" for d in c.details[:8])
    if len(c.details) > 8:
        parts.append(f"……共 {len(c.details)} 条")
    return "\n".join(p for p in parts if p)


def evidence_text(c: CriterionResult) -> str:
    return "\n".join(f"{'✓' if e.files else '×缺'} {e.title}" for e in c.evidence) or "—"


def defaults_table(document: Any, view: ReportView) -> None:
    paragraph(
        document,
        "下列数值在政策原文中缺失或不确定，本报告暂按默认值计算。正式申报前请对照官方原文核对，"
        "必要时修改评分标准后重新生成本报告。",
        size=Pt(9),
    )
    table(
        document,
        ["序号", "名称", "取值", "来源"],
        [(i, d.title, d.value, d.source) for i, d in enumerate(view.defaults, 1)],
        [10, 45, 20, 81],
        align=["center", None, "right", None],
    )


def self_report_document(view: ReportView, evidence: dict[str, Any] | None = None) -> Any:
    r = view.result
    document = new_document(title=f"{r.applicant.name} 自评报告", as_of=r.as_of)
    header_and_footer(document, header=f"{r.applicant.name} 自评报告", audit=view.footer_note, cover=True)

    for _ in range(4):
        paragraph(document)
    title(document, r.applicant.name, view.cover_title)
    for _ in range(3):
        paragraph(document)
    cover = table(document, None, [*view.cover_rows, ("评价基准日", view.printed_on)], [40, 90])
    for row in cover.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(12)
    page_break(document)

    number = 0

    def section(text: str) -> None:
        nonlocal number
        number += 1
        heading(document, f"{NUMERALS[number - 1]}、{text}", 1)

    if view.profile:
        section("机构基本情况" if r.applicant.kind == "institution" else "基本情况")
        table(document, None, view.profile, [32, 124])

    section("自评结论")
    verdict = paragraph(document, view.verdict_text, bold=True, size=Pt(14))
    verdict.paragraph_format.keep_with_next = True
    paragraph(document, view.verdict_explanation)
    for c in view.failed_gates:
        paragraph(document, f"{c.status.label}  {c.id} {c.title}：{c.reason}")
    score = f"得分 {format_number(r.score)} / {format_number(r.max_score)} 分"
    if r.max_score != r.rubric_max_score:
        score += (
            f"（不适用项不计，折算为 {format_number(r.normalized_score)} / {format_number(r.rubric_max_score)} 分）"
        )
    if r.grade:
        score += f"，等级：{r.grade}"
    paragraph(document, score + "。", bold=True)
    paragraph(document, "否决项不计分；否决项不符合时得分照常计算，仅供整改参考。", size=Pt(9))
    flags_box(document, r.flags, 156)

    section("得分情况")
    rows: list[tuple[object, ...]] = [
        (
            f"{s.id} {s.title}",
            format_number(s.score),
            format_number(s.max_score),
            f"{100 * s.score / s.max_score:.0f}%",
        )
        for s in r.sections
        if s.max_score > 0
    ]
    rows.append(("合计", format_number(r.score), format_number(r.max_score), ""))
    table(document, ["部分", "得分", "满分", "得分率"], rows, [86, 23, 23, 24], align=[None, "right", "right", "right"])

    section("逐项自评表")
    table(
        document,
        ["序号", "指标", "要求", "实际情况", "结果", "得分", "佐证材料"],
        [
            (
                n,
                criterion_label(c),
                requirement_text(c),
                observed_text(c),
                c.status.label,
                score_text(c),
                evidence_text(c),
            )
            for n, c in view.numbered
        ],
        [9, 22, 32, 43, 13, 13, 24],
        align=["center", None, None, None, None, "right", None],
    )

    section("整改清单")
    if view.fixes:
        paragraph(document, "否决项排在最前；其余按整改后可增加的分数从高到低排列。", size=Pt(9))
        table(
            document,
            ["序号", "指标", "问题", "整改措施", "可增分"],
            [
                (
                    i,
                    criterion_label(f.criterion),
                    f.problem,
                    f.action,
                    "否决项" if f.criterion.gate else format_number(f.gain),
                )
                for i, f in enumerate(view.fixes, 1)
            ],
            [9, 26, 49, 56, 16],
            align=["center", None, None, None, "right"],
        )
    else:
        paragraph(document, "各项指标均符合，无需整改。")

    if evidence and (evidence["criteria"] or evidence["unused"]):
        section("材料清单")
        if evidence["criteria"]:
            table(
                document,
                ["指标", "所需材料", "已附文件"],
                [
                    (
                        f"{item['id']} {item['title']}" if i == 0 else "",
                        need["title"],
                        "缺少" if need["missing"] else "、".join(need["files"]),
                    )
                    for item in evidence["criteria"]
                    for i, need in enumerate(item["needs"])
                ],
                [40, 50, 66],
            )
        if evidence["unused"]:
            unused = "、".join(f"{u['path']}（{u['title']}）" for u in evidence["unused"])
            paragraph(document, f"未对应任何指标的附件：{unused}", size=Pt(9))

    if view.priorities:
        section("优先推荐条件")
        for line in view.priorities:
            paragraph(document, f"· {line}")

    if view.defaults:
        section("待核对的默认值")
        defaults_table(document, view)

    paragraph(document)
    paragraph(document, "本单位承诺：以上自评情况和所附材料真实、准确、完整，如有不实，愿承担相应责任。", keep=True)
    sign = table(
        document,
        None,
        [("单位负责人（签字）：", "（单位盖章）"), ("日期：      年    月    日", "")],
        [90, 66],
        keep_together=True,
    )
    sign.style = None
    return document


def write_self_report_docx(checked: Checked, out: Path | None) -> bytes:
    """The 自评报告 of one application as a Word document, written atomically to ``out``."""
    return save(self_report_document(checked_view(checked), evidence_list(checked)), out)
