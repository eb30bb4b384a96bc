"""A comparison of one application under two rubrics, as Chinese text (``shifan check --compare``)."""

from __future__ import annotations

from shifan.evaluate import EvaluationResult
from shifan.evaluate.compare import Comparison
from shifan.formatting import format_number
from shifan.rules.vocab import Status


def _score(result: EvaluationResult) -> str:
    text = f"{format_number(result.score)} / {format_number(result.max_score)}"
    if result.max_score != result.rubric_max_score:
        text += f"（折算 {format_number(result.normalized_score)}）"
    return text


def _cell(status: Status | None, points: float | None, maximum: float | None, gate: bool) -> str:
    if status is None:
        return "（无此项）"
    if gate or maximum is None or maximum == 0:
        return status.label + ("（否决项）" if gate else "")
    return f"{status.label} {format_number(points or 0.0)}/{format_number(maximum)}"


def render_comparison(comparison: Comparison, *, all_items: bool = False) -> str:
    """The comparison as Chinese text: verdicts, scores, then the items that changed."""
    a, b = comparison.primary, comparison.other
    delta = comparison.score_delta
    sign = "+" if delta > 0 else ""
    lines = [
        f"申报单位：{a.applicant.name}（{a.applicant.id}）",
        f"评价基准日：{a.as_of}",
        f"对比：{a.rubric.id}（版本 {a.rubric.version}）→ {b.rubric.id}（版本 {b.rubric.version}）",
        f"结论：{a.verdict.label} → {b.verdict.label}"
        + ("（结论改变）" if comparison.verdict_changed else "（结论不变）"),
        f"得分：{_score(a)} → {_score(b)}（{sign}{format_number(round(delta, 2))}）",
    ]
    if a.grade or b.grade:
        lines.append(f"等级：{a.grade or '—'} → {b.grade or '—'}")
    gates_a = "、".join(a.failed_gates) or "无"
    gates_b = "、".join(b.failed_gates) or "无"
    if gates_a != gates_b or a.failed_gates:
        lines.append(f"未通过的否决项：{gates_a} → {gates_b}")
    shown = comparison.items if all_items else comparison.changed_items
    lines.append("")
    if not comparison.changed_items:
        lines.append(f"全部 {len(comparison.items)} 项指标的结果和分值相同。")
    else:
        lines.append(f"逐项变化（{len(comparison.changed_items)} 项）：" if not all_items else "逐项对比：")
        marks = {"added": "＋", "removed": "－", "both": "～"}
        for item in shown:
            mark = marks[item.presence] if item.changed else "　"
            before = _cell(item.status_before, item.points_before, item.max_before, item.gate)
            after = _cell(item.status_after, item.points_after, item.max_after, item.gate)
            tail = ""
            if abs(item.delta) > 1e-9:
                tail = f"  {'+' if item.delta > 0 else ''}{format_number(round(item.delta, 2))} 分"
            lines.append(f"  {mark} {item.id} {item.title}：{before} → {after}{tail}")
            if item.changed and item.status_after is not None and item.status_before != item.status_after:
                lines.append(f"        {item.reason_after}")
        unchanged = len(comparison.items) - len(comparison.changed_items)
        if not all_items and unchanged:
            lines.append(f"  其余 {unchanged} 项结果和分值相同。")
    if comparison.ignored_self_scores:
        lines.append("")
        lines.append(
            f"说明：自评分 {'、'.join(comparison.ignored_self_scores)} 在 {b.rubric.id} 中没有对应指标，未使用。"
        )
    return "\n".join(lines) + "\n"
