"""Plain-text rendering of results and rubrics for a terminal (Chinese, width-aware)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from shifan.evaluate.result import CriterionResult, EvaluationResult
from shifan.formatting import format_number, one_line
from shifan.rules.params import DEFAULT_NOTICE, STATUS_WORDS
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import ApplicantKind, Status

Style = Callable[[str, str], str]

MARKS = {
    Status.PASS: "✔",
    Status.FAIL: "✘",
    Status.PARTIAL: "◐",
    Status.NOT_APPLICABLE: "－",
    Status.INSUFFICIENT: "？",
    Status.ERROR: "！",
}
COLOURS = {
    Status.PASS: "green",
    Status.FAIL: "red",
    Status.PARTIAL: "yellow",
    Status.NOT_APPLICABLE: "white",
    Status.INSUFFICIENT: "magenta",
    Status.ERROR: "red",
}


def plain(text: str, colour: str) -> str:
    return text


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def flag_lines(result: EvaluationResult, style: Style = plain) -> list[str]:
    """The plausibility flags, shown before the criteria so a reviewer verifies them first."""
    if not result.flags:
        return []
    lines = [style(f"合理性提示（不影响得分和结论，请优先核实）{len(result.flags)} 条：", "yellow")]
    lines.extend(f"  ⚠ {flag.title}：{flag.message}" for flag in result.flags)
    return lines


def render_result(result: EvaluationResult, style: Style = plain) -> str:
    lines = [
        f"申报单位：{one_line(result.applicant.name)}（{one_line(result.applicant.id)}）",
        f"评分标准：{result.rubric.title}  {result.rubric.id} 版本 {result.rubric.version}（{result.rubric.sha256[:12]}）",
        f"评价基准日：{result.as_of}",
    ]
    verdict_colour = "green" if result.verdict == "eligible" else "red"
    lines.append("结论：" + style(result.verdict.reason, verdict_colour))
    by_id = {c.id: c for c in result.criteria}
    for gate_id in result.failed_gates:
        gate = by_id[gate_id]
        lines.append(f"  {MARKS[gate.status]} {gate.id} {gate.title}：{gate.reason}")
    if result.unmet_standards:
        unmet = "、".join(f"{c} {by_id[c].title}" for c in result.unmet_standards)
        lines.append(
            style(f"未达到原文硬性标准（“达到/超过/均须”）：{unmet}；得分和等级不代表已达到这些标准", "yellow")
        )
    score = f"得分：{format_number(result.score)} / {format_number(result.max_score)}"
    if result.max_score != result.rubric_max_score:
        score += f"（不适用项不计，折算为 {format_number(result.normalized_score)} / {format_number(result.rubric_max_score)}）"
    if result.grade:
        score += f"  等级：{result.grade}"
    lines.append(score)
    lines.extend(flag_lines(result, style))
    counts = result.counts()
    lines.append("指标：" + "，".join(f"{Status(k).label} {v} 项" for k, v in counts.items() if v))
    for section in result.sections:
        lines.append("")
        head = f"{section.id} {section.title}"
        if section.max_score:
            head += f"  {format_number(section.score)}/{format_number(section.max_score)} 分"
        lines.append(style(head, "bright_white"))
        for criterion in (c for c in result.criteria if c.section == section.id):
            lines.extend(_criterion_lines(criterion, style))
    if result.defaults_used:
        lines.append("")
        kinds = (
            "默认值或解释性适用，待核对官方原文"
            if any(p.status == "interpretation" for p in result.defaults_used)
            else DEFAULT_NOTICE
        )
        lines.append(style(f"以下参数为{kinds}：", "yellow"))
        for param in result.defaults_used:
            mark = "解释性适用；" if param.status == "interpretation" else ""
            lines.append(f"  {param.name} = {param.text}（{mark}{param.title}；{param.source}）")
    met = [p.title for p in result.priorities if p.met]
    if met:
        lines.append("")
        lines.append("优先推荐条件：" + "、".join(met))
    return "\n".join(lines) + "\n"


def _criterion_lines(criterion: CriterionResult, style: Style) -> list[str]:
    mark = style(MARKS[criterion.status], COLOURS[criterion.status])
    if criterion.gate:
        score = "否决项"
    elif criterion.status is Status.NOT_APPLICABLE:
        score = "不计分"
    else:
        score = f"{format_number(criterion.points)}/{format_number(criterion.max_points)}"
    title = pad(f"{criterion.id} {criterion.title}", 30)
    status = pad(criterion.status.label, 8)
    statuses = {p.status for p in criterion.parameters}
    tail = "  [含默认值]" if "default" in statuses else "  [含解释性适用]" if "interpretation" in statuses else ""
    lines = [f"  {mark} {title} {status} {pad(score, 7)} {criterion.reason}{tail}"]
    for detail in criterion.details[:10]:
        lines.append(f"        · {detail}")
    if len(criterion.details) > 10:
        lines.append(f"        · ……共 {len(criterion.details)} 条")
    return lines


def render_rubric(rubric: Rubric) -> str:
    lines = [
        f"{rubric.title}（{rubric.id}，版本 {rubric.version}）",
        f"适用对象：{ApplicantKind(rubric.subject).label}；满分 {format_number(rubric.max_score)} 分",
    ]
    if len(rubric.chain) > 1:
        lines.append("继承链：" + " → ".join(rubric.chain))
    lines.append(f"sha256：{rubric.sha256}")
    for section in rubric.sections:
        lines.append("")
        lines.append(f"{section.id} {section.title}（{format_number(sum(c.points for c in section.criteria))} 分）")
        for criterion in section.criteria:
            gate = "否决项" if criterion.gate else f"{format_number(criterion.points)} 分"
            defaults = rubric.defaults_of(criterion)
            flag = f"  [默认值：{'、'.join(defaults)}]" if defaults else "  [原文]"
            lines.append(f"  {pad(criterion.id, 6)} {pad(criterion.title, 28)} {pad(gate, 7)}{flag}")
            lines.append(f"         要求：{rubric.requirement(criterion)}")
            lines.append(f"         出处：{rubric.source(criterion.source)}")
    lines.append("")
    lines.append("参数：")
    for name, param in rubric.parameters.items():
        status = STATUS_WORDS[param.status]
        lines.append(
            f"  {pad(name, 26)} {pad(param.formatted(), 8)} {param.title}（{status}；{rubric.source(param.source)}）"
        )
    return "\n".join(lines) + "\n"
