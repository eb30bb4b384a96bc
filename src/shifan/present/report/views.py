"""What a report shows, computed once in Python so templates only lay it out."""

from __future__ import annotations

from dataclasses import dataclass, field

from shifan.evaluate.result import CriterionResult, EvaluationResult
from shifan.formatting import chinese_date, format_number
from shifan.review.reconcile import ReconciledResult
from shifan.rules.params import DEFAULT_NOTICE
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import Status


@dataclass(frozen=True)
class Fix:
    """One line of the improvement list (整改清单)."""

    criterion: CriterionResult
    problem: str
    action: str
    gain: float


@dataclass(frozen=True)
class Bar:
    """One bar of the section chart (inline SVG), in millimetres-free user units."""

    label: str
    score: float
    max_score: float
    y: float
    width: float
    full: float


@dataclass
class ReportView:
    result: EvaluationResult
    rubric: Rubric
    verdict_text: str
    verdict_explanation: str
    failed_gates: list[CriterionResult]
    fixes: list[Fix]
    bars: list[Bar]
    chart_height: float
    defaults_notice: str
    footer_note: str
    printed_on: str
    numbered: list[tuple[int, CriterionResult]] = field(default_factory=list)


def _action(criterion: CriterionResult) -> str:
    if criterion.status is Status.INSUFFICIENT:
        if criterion.missing_evidence:
            return "补充佐证材料：" + "、".join(criterion.missing_evidence)
        return "补充数据：" + criterion.reason
    if criterion.details:
        return "逐项整改：" + "；".join(criterion.details[:5]) + ("……" if len(criterion.details) > 5 else "")
    return "按要求整改：" + criterion.requirement


def improvement_list(result: EvaluationResult) -> list[Fix]:
    """Gates first, then the items whose fix gains most points; ties in rubric order."""
    order = {c.id: i for i, c in enumerate(result.criteria)}
    fixes = [
        Fix(c, c.reason, _action(c), c.gain)
        for c in result.criteria
        if c.status in (Status.FAIL, Status.PARTIAL, Status.INSUFFICIENT, Status.ERROR)
    ]
    return sorted(fixes, key=lambda f: (not f.criterion.gate, -f.gain, order[f.criterion.id]))


CHART_WIDTH = 300.0
BAR_HEIGHT = 14.0
BAR_GAP = 8.0


def chart_bars(result: EvaluationResult) -> tuple[list[Bar], float]:
    bars = []
    y = 0.0
    for section in result.sections:
        if section.max_score <= 0:
            continue
        share = section.score / section.max_score
        bars.append(
            Bar(f"{section.id} {section.title}", section.score, section.max_score, y, CHART_WIDTH * share, CHART_WIDTH)
        )
        y += BAR_HEIGHT + BAR_GAP
    return bars, max(y - BAR_GAP, 0.0)


def footer_note(result: EvaluationResult) -> str:
    app = result.application_sha256[:12] or "—"
    return (
        f"{result.rubric.id} 版本 {result.rubric.version} · 评分标准 {result.rubric.sha256[:12]}"
        f" · 申报数据 {app} · 基准日 {result.as_of}"
    )


def build_view(result: EvaluationResult, rubric: Rubric) -> ReportView:
    by_id = {c.id: c for c in result.criteria}
    bars, height = chart_bars(result)
    return ReportView(
        result=result,
        rubric=rubric,
        verdict_text=result.verdict.label,
        verdict_explanation=result.verdict.explanation,
        failed_gates=[by_id[g] for g in result.failed_gates],
        fixes=improvement_list(result),
        bars=bars,
        chart_height=height,
        defaults_notice=DEFAULT_NOTICE,
        footer_note=footer_note(result),
        printed_on=chinese_date(result.as_of),
        numbered=list(enumerate(result.criteria, 1)),
    )


@dataclass(frozen=True)
class ReviewRow:
    """One criterion of the 评审意见表."""

    number: int
    criterion: CriterionResult
    scores: list[str]
    remarks: list[str]
    reconciled: str
    verification: str
    flags: list[str]


@dataclass(frozen=True)
class ReviewView:
    """Reviewers' columns of the 评审意见表; blank columns when nobody has reviewed yet."""

    reviewers: list[str]
    rows: list[ReviewRow]
    total: str
    opinions: list[tuple[str, str]]
    notes: list[str]
    verdict: str


def blank_review(result: EvaluationResult, columns: int) -> ReviewView:
    rows = [ReviewRow(n, c, [""] * columns, [""] * columns, "", "", []) for n, c in enumerate(result.criteria, 1)]
    names = [f"专家{i}" for i in range(1, columns + 1)]
    return ReviewView(names, rows, "", [], [], "")


def review_view(reconciled: ReconciledResult) -> ReviewView:
    """The reviewers' columns of the 评审意见表 from a reconciled result."""
    names = [info.reviewer for info in reconciled.reviews]
    by_id = {c.id: c for c in reconciled.evaluation.criteria}
    rows = []
    for number, item in enumerate(reconciled.criteria, 1):
        entries = {entry.reviewer: entry for entry in item.reviews}
        scores = [format_number(e.score) if (e := entries.get(n)) and e.score is not None else "" for n in names]
        remarks = [f"{n}：{e.remark}" for n in names if (e := entries.get(n)) and e.remark]
        verification = "；".join(
            dict.fromkeys(
                e.verification.label for n in names if (e := entries.get(n)) and e.verification.value != "not_checked"
            )
        )
        flags = []
        if item.disagreement:
            flags.append(f"评分分歧：最高分与最低分相差 {format_number(item.spread or 0)} 分")
        for n in names:
            e = entries.get(n)
            if e is not None and e.override:
                flags.append(f"改判为{'符合' if e.override == 'pass' else '不符合'}（{n}）：{e.override_reason}")
            if e is not None and e.changed:
                flags.append(f"数据已变化，待复核（{n}）：{e.changed}")
        if item.contradicted_by:
            flags.append("现场核查与申报不符：" + "、".join(item.contradicted_by))
        reconciled_text = item.status.label if item.gate else format_number(item.points)
        rows.append(
            ReviewRow(number, by_id[item.id], scores, remarks, reconciled_text, verification or "未核查", flags)
        )
    notes = [
        f"{info.reviewer} 的评审意见表已过期（申报数据或评分标准已变化）：{'；'.join(info.stale_reasons)}"
        for info in reconciled.reviews
        if info.stale
    ]
    notes.extend(
        f"否决项 {o.criterion} {o.title}：系统判定“{o.computed_status.label}”，{o.reviewer} 改判为“{'符合' if o.decision == 'pass' else '不符合'}”，理由：{o.reason}"
        + ("" if o.effective else "（改判意见不一致，未生效）")
        for o in reconciled.overrides
    )
    opinions = [
        (info.reviewer, f"{info.conclusion_label}。{info.opinion}".rstrip("。") + "。") for info in reconciled.reviews
    ]
    verdict = (
        reconciled.verdict.label
        + f"，合议得分 {format_number(reconciled.score)} / {format_number(reconciled.max_score)}"
    )
    if reconciled.grade:
        verdict += f"，等级：{reconciled.grade}"
    return ReviewView(names, rows, format_number(reconciled.score), opinions, notes, verdict)
