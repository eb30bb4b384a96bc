"""What a report shows, computed once in Python so templates only lay it out."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from shifan.evaluate.result import CriterionResult, EvaluationResult, ParameterUse
from shifan.formatting import chinese_date, format_number
from shifan.present.report.profile import cover_rows, profile_rows
from shifan.review.reconcile import OverrideRecord, ReconciledResult
from shifan.rules.application import Application
from shifan.rules.checks.base import Check
from shifan.rules.params import DEFAULT_NOTICE
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import Status

#: Source documents that are the tool's own choices, not government text.
TOOL_SOURCE_IDS = frozenset({"shifan"})
PARAMETER_MENTION = re.compile(r"（参数 ([A-Za-z][A-Za-z0-9_]*)）")


@dataclass(frozen=True)
class Fix:
    """One line of the improvement list (整改清单)."""

    criterion: CriterionResult
    problem: str
    action: str
    gain: float


@dataclass(frozen=True)
class DefaultRow:
    """One default value still to confirm: its Chinese name, value and where it comes from."""

    title: str
    value: str
    source: str


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
    honour: str = ""
    cover_title: str = ""
    cover_rows: list[tuple[str, str]] = field(default_factory=list)
    profile: list[tuple[str, str]] = field(default_factory=list)
    defaults: list[DefaultRow] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)


_ITEM_ACTIONS = {
    "services": "开展以下服务",
    "systems": "建立并落实以下制度",
    "facilities": "配齐或整改以下设施设备",
    "commitments": "签署以下承诺",
    "measures": "落实以下措施",
}


def _kind(criterion: CriterionResult, rubric: Rubric | None) -> tuple[str, object]:
    """The check kind deciding a criterion (the nested kind when every part is of one kind)."""
    spec = rubric.criterion(criterion.id) if rubric is not None else None
    if spec is None:
        return "", None
    check: object = spec.check
    children = _children(spec.check)
    if children:
        kinds = {getattr(child, "kind", "") for child in children}
        if len(kinds) == 1:
            return kinds.pop(), check
    return str(getattr(check, "kind", "")), check


def _children(check: Check) -> list[Check]:
    """The checks nested directly in ``check`` (those of ``all``, ``any``, ``not``)."""
    found: list[Check] = []
    for name in type(check).model_fields:
        value = getattr(check, name)
        if isinstance(value, Check):
            found.append(value)
        elif isinstance(value, list):
            found.extend(item for item in value if isinstance(item, Check))
    return found


_EVIDENCE_CLAUSE = re.compile(r"[；，]?(另|但)?缺少佐证材料[：:].*$")


def _listed(details: list[str]) -> str:
    return "；".join(details[:5]) + ("……" if len(details) > 5 else "")


def _check_action(criterion: CriterionResult, kind: str, check: object, missing: list[str]) -> str:
    """What to do about a failed or partial criterion, by the kind of its check."""
    if kind == "periodic":
        return f"按要求组织开展并留存记录：{criterion.reason}；今后须做到{criterion.expected}"
    if kind == "items" and missing:
        return f"{_ITEM_ACTIONS.get(str(getattr(check, 'field', '')), '补齐以下项目')}：{'、'.join(missing)}"
    if kind in ("certificates", "min_staff"):
        return f"配齐持证人员、更新证书：{_listed(criterion.details) or criterion.reason}"
    if kind == "licence":
        return f"办理或更新资质证照：{_EVIDENCE_CLAUSE.sub('', criterion.reason).strip('；，')}"
    if kind == "agreement":
        return f"与医疗机构签订或续签合作协议，做到：{criterion.requirement}"
    if kind == "no_events":
        return "核实事件记录是否准确；事件属实的，本项无法通过补充材料整改"
    if kind in ("metric", "bands", "scheduled_metric", "elapsed"):
        return f"按要求改进，做到：{criterion.requirement}"
    if kind == "self_score":
        return f"按要求改进，做到：{criterion.requirement}（由专家评审核定得分）"
    if criterion.details:
        return f"逐项整改（{_listed(criterion.details)}）"
    return f"按要求整改，做到：{criterion.requirement}"


def _action(criterion: CriterionResult, rubric: Rubric | None = None) -> str:
    """The 整改措施: what to do (hold the drill, set up the system), then the documents to attach."""
    kind, check = _kind(criterion, rubric)
    missing = [d.removeprefix("缺少：") for d in criterion.details if d.startswith("缺少：")]
    parts = []
    if criterion.status is Status.INSUFFICIENT:
        if kind == "items" and missing:
            parts.append(_check_action(criterion, kind, check, missing))
        elif kind == "self_score" and not criterion.missing_evidence:
            parts.append("在申报文件中填写该项自评分（由专家评审核定）")
        else:
            data = _EVIDENCE_CLAUSE.sub("", criterion.reason).strip("；，")
            # With documents missing, a reason that only restates what was found is no data gap.
            found = data.startswith(("具备", "已")) or "齐全" in data or "符合" in data
            if data and not (criterion.missing_evidence and found):
                parts.append("补充数据：" + data)
    else:
        parts.append(_check_action(criterion, kind, check, missing))
    if criterion.missing_evidence:
        parts.append("附上佐证材料：" + "、".join(criterion.missing_evidence))
    return "；".join(parts) or "补充数据：" + criterion.reason


def improvement_list(result: EvaluationResult, rubric: Rubric | None = None) -> list[Fix]:
    """Gates first, then the items whose fix gains most points; ties in rubric order."""
    order = {c.id: i for i, c in enumerate(result.criteria)}
    fixes = [
        Fix(c, c.reason, _action(c, rubric), c.gain)
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
    """The small audit line of every page: rubric version, digests of rubric and data, date."""
    app = result.application_sha256[:12] or "—"
    return (
        f"评分标准 {result.rubric.version} 版 · 校验码：评分标准 {result.rubric.sha256[:12]}"
        f"，申报数据 {app} · 基准日 {result.as_of}"
    )


def honour_of(rubric_title: str) -> str:
    """The honour applied for, from the rubric title: 全国医养结合示范机构评分标准 → 全国医养结合示范机构;
    医养结合示范机构评分标准（上海市长宁区） → 上海市长宁区医养结合示范机构."""
    head, _, tail = rubric_title.partition("评分标准")
    tail = tail.strip()
    if tail.startswith("（") and tail.endswith("）"):
        return tail[1:-1] + head
    return head + tail


def readable_text(text: str, rubric: Rubric) -> str:
    """``text`` with parameter names such as （参数 satisfaction_lower） replaced by their meaning."""

    def named(match: re.Match[str]) -> str:
        param = rubric.parameters.get(match.group(1))
        return f"（{param.title} {param.formatted()}）" if param is not None else ""

    return PARAMETER_MENTION.sub(named, text)


def default_rows(params: list[ParameterUse], rubric: Rubric) -> list[DefaultRow]:
    """Defaults still to confirm, by Chinese name; the tool's own choices said to be so."""
    rows = []
    for use in params:
        param = rubric.parameters.get(use.name)
        document = param.source.document if param is not None else ""
        if use.status == "interpretation":
            source = f"{use.source}（原文数字用于原文未直接规定的对象，解释性适用）"
        elif param is not None and document in TOOL_SOURCE_IDS:
            source = f"本工具设定的默认值（非政策原文）：{param.source.clause}"
        else:
            source = f"{use.source}（原文未给出确定数字，暂取默认值）"
        rows.append(DefaultRow(use.title, use.text, source))
    return rows


def _priority_lines(result: EvaluationResult) -> list[str]:
    lines = []
    for p in result.priorities:
        if not p.met:
            continue
        lines.append(p.reason if p.reason.startswith(p.title) else f"{p.title}：{p.reason}")
    return lines


def build_view(result: EvaluationResult, rubric: Rubric, app: Application | None = None) -> ReportView:
    by_id = {c.id: c for c in result.criteria}
    bars, height = chart_bars(result)
    honour = honour_of(result.rubric.title)
    return ReportView(
        result=result,
        rubric=rubric,
        verdict_text=result.verdict.label,
        verdict_explanation=result.verdict.explanation,
        failed_gates=[by_id[g] for g in result.failed_gates],
        fixes=improvement_list(result, rubric),
        bars=bars,
        chart_height=height,
        defaults_notice=DEFAULT_NOTICE,
        footer_note=footer_note(result),
        printed_on=chinese_date(result.as_of),
        numbered=list(enumerate(result.criteria, 1)),
        honour=honour,
        cover_title=f"{honour}申报自评报告",
        cover_rows=cover_rows(result, app),
        profile=profile_rows(app),
        defaults=default_rows(result.defaults_used, rubric),
        priorities=_priority_lines(result),
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
class Expert:
    """One expert of the panel, as the signature table prints them."""

    name: str
    organisation: str
    title: str
    conclusion: str
    signed: str


@dataclass(frozen=True)
class ReviewView:
    """Reviewers' columns of the 评审意见表; blank columns when nobody has reviewed yet."""

    reviewers: list[str]
    rows: list[ReviewRow]
    total: str
    opinions: list[tuple[str, str]]
    notes: list[str]
    verdict: str
    experts: list[Expert] = field(default_factory=list)
    panel_verdict: str = ""
    panel_score: str = ""
    panel_grade: str = ""
    panel_opinion: str = ""
    system_verdict: str = ""
    system_score: str = ""


def _system(result: EvaluationResult) -> tuple[str, str]:
    return result.verdict.label, f"{format_number(result.score)} / {format_number(result.max_score)}"


def blank_review(result: EvaluationResult, columns: int) -> ReviewView:
    rows = [ReviewRow(n, c, [""] * columns, [""] * columns, "", "", []) for n, c in enumerate(result.criteria, 1)]
    names = [f"专家{i}" for i in range(1, columns + 1)]
    experts = [Expert("", "", "", "", "") for _ in range(columns)]
    verdict, score = _system(result)
    return ReviewView(names, rows, "", [], [], "", experts, system_verdict=verdict, system_score=score)


def panel_opinion(reconciled: ReconciledResult) -> str:
    """The panel's 推荐意见 from the experts' conclusions: unanimous, or the count of each."""
    counts = Counter(info.conclusion_label for info in reconciled.reviews)
    if not counts:
        return ""
    if len(counts) == 1:
        label = next(iter(counts))
        return f"{label}（{counts[label]} 位专家一致）"
    return "意见不一致：" + "，".join(f"{label} {n} 人" for label, n in counts.most_common())


def _override_note(o: OverrideRecord) -> str:
    decision = Status(o.decision).label
    note = f"否决项 {o.criterion} {o.title}：系统判定“{o.computed_status.label}”，{o.reviewer} 改判为“{decision}”，理由：{o.reason}"
    return note + ("" if o.effective else "（改判意见不一致，未生效）")


def _opinion(label: str, text: str) -> str:
    """ "同意推荐。理由……。" without repeating the conclusion when the text only restates it."""
    text = text.strip().rstrip("。")
    if not text or text == label:
        return f"{label}。"
    return f"{label}。{text}。"


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
            if e is not None and e.override and e.override != item.computed_status.value:
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
    notes.extend(_override_note(o) for o in reconciled.overrides if not o.changes_nothing)
    opinions = [(info.reviewer, _opinion(info.conclusion_label, info.opinion)) for info in reconciled.reviews]
    score = f"{format_number(reconciled.score)} / {format_number(reconciled.max_score)}"
    verdict = reconciled.verdict.label + f"，合议得分 {score}"
    if reconciled.grade:
        verdict += f"，等级：{reconciled.grade}"
    experts = [
        Expert(
            info.reviewer,
            info.organisation,
            info.title,
            info.conclusion_label,
            chinese_date(info.signed) if info.signed else "",
        )
        for info in reconciled.reviews
    ]
    system_verdict, system_score = _system(reconciled.evaluation)
    return ReviewView(
        names,
        rows,
        format_number(reconciled.score),
        opinions,
        notes,
        verdict,
        experts,
        panel_verdict=reconciled.verdict.label,
        panel_score=score,
        panel_grade=reconciled.grade,
        panel_opinion=panel_opinion(reconciled),
        system_verdict=system_verdict,
        system_score=system_score,
    )
