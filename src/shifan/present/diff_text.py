"""Plain-text rendering of a rubric comparison (``shifan criteria diff``), in Chinese."""

from __future__ import annotations

from shifan.evaluate.rubric_diff import CriterionBrief, FieldChange, ParameterBrief, RubricDiff
from shifan.formatting import format_number, signed_number
from shifan.rules.params import STATUS_WORDS


def _pts(value: float | None) -> str:
    return "—" if value is None else format_number(value)


def render_diff(diff: RubricDiff) -> str:
    """The difference as Chinese text for a terminal."""
    base, other = diff.base, diff.other
    lines = [
        f"评分标准对比：{base.id}（版本 {base.version}）→ {other.id}（版本 {other.version}）",
        f"  {base.title} → {other.title}",
    ]
    if diff.overlay_of_base:
        lines.append(f"  继承链：{' → '.join(other.chain)}")
    lines.append(f"  满分：{_pts(base.max_score)} → {_pts(other.max_score)}")
    if diff.empty:
        lines.append("")
        lines.append("两个评分标准的指标、参数、分值和等级均相同。")
        return "\n".join(lines) + "\n"

    def heading(title: str, count: int) -> None:
        lines.append("")
        lines.append(f"{title}（{count}）：")

    if diff.criteria_added:
        heading("新增指标", len(diff.criteria_added))
        for item in diff.criteria_added:
            lines.extend(_brief_lines("+", item))
    if diff.criteria_removed:
        heading("删除指标", len(diff.criteria_removed))
        for item in diff.criteria_removed:
            lines.extend(_brief_lines("-", item))
    if diff.criteria_changed:
        heading("变更指标", len(diff.criteria_changed))
        for change in diff.criteria_changed:
            lines.append(f"  ~ {change.id} {change.title}")
            for field in change.changes:
                lines.extend(_field_lines(field))
    if diff.parameters_added:
        heading("新增参数", len(diff.parameters_added))
        for param in diff.parameters_added:
            lines.append(f"  + {_param_line(param)}")
    if diff.parameters_removed:
        heading("删除参数", len(diff.parameters_removed))
        for param in diff.parameters_removed:
            lines.append(f"  - {_param_line(param)}")
    if diff.parameters_changed:
        heading("变更参数", len(diff.parameters_changed))
        for param_change in diff.parameters_changed:
            lines.append(f"  ~ {param_change.name}（{param_change.title}）")
            for field in param_change.changes:
                lines.extend(_field_lines(field))
    if diff.sections:
        lines.append("")
        lines.append("分值变化：")
        for section in diff.sections:
            delta = (section.after or 0.0) - (section.before or 0.0)
            tail = f"（{signed_number(delta)}）" if abs(delta) > 1e-9 else "（合计不变）"
            lines.append(f"  {section.id} {section.title}：{_pts(section.before)} → {_pts(section.after)} {tail}")
            for move in section.moves:
                lines.append(
                    f"      {move.id} {move.title}：{_pts(move.before)} → {_pts(move.after)}（{signed_number(move.delta)}）"
                )
    if diff.priorities:
        heading("优先推荐条件变化", len(diff.priorities))
        words = {"added": "新增", "removed": "删除", "changed": "变更"}
        for priority in diff.priorities:
            lines.append(f"  {words[priority.change]} {priority.id} {priority.title}")
            for field in priority.changes:
                lines.extend(_field_lines(field))
    for field in [*diff.grades, *diff.other_changes]:
        lines.append("")
        lines.append(f"{field.label}：{field.before} → {field.after}")
    return "\n".join(lines) + "\n"


def _brief_lines(mark: str, item: CriterionBrief) -> list[str]:
    weight = "否决项" if item.gate else f"{format_number(item.points)} 分"
    return [
        f"  {mark} {item.id} {item.title}（{item.section} {item.section_title}，{weight}）",
        f"      要求：{item.requirement}",
        f"      出处：{item.source}",
    ]


def _field_lines(field: FieldChange) -> list[str]:
    if len(field.before) + len(field.after) <= 60:
        return [f"      {field.label}：{field.before} → {field.after}"]
    return [f"      {field.label}：", f"        原：{field.before}", f"        新：{field.after}"]


def _param_line(param: ParameterBrief) -> str:
    status = STATUS_WORDS[param.status]
    return f"{param.name} = {param.text}（{param.title}；{status}；{param.source}）"
