"""Plain-text rendering of a reconciled result (``shifan review show``)."""

from __future__ import annotations

from shifan.formatting import format_number
from shifan.present.text import Style, pad, plain, width
from shifan.review.reconcile import ReconciledCriterion, ReconciledResult
from shifan.rules.vocab import Status

METHOD_LABELS = {
    "mean": "平均",
    "median": "中位数",
    "trimmed_mean": "去掉一个最高分和一个最低分后平均（不足 3 人时取平均）",
}


def stale_lines(reconciled: ReconciledResult) -> list[str]:
    """Warnings for stale reviews, one per sheet."""
    return [
        f"⚠ 评审意见已过期：{info.reviewer}（{info.file}）——{'；'.join(info.stale_reasons)}。"
        "请运行 shifan review update 后复核"
        for info in reconciled.reviews
        if info.stale
    ]


def _cell(criterion: ReconciledCriterion) -> str:
    if criterion.gate:
        return criterion.status.label
    if criterion.status is Status.NOT_APPLICABLE:
        return "不适用"
    return format_number(criterion.points)


def _computed(criterion: ReconciledCriterion) -> str:
    if criterion.gate or criterion.computed_status is Status.NOT_APPLICABLE:
        return criterion.computed_status.label
    return f"{format_number(criterion.computed_points)}/{format_number(criterion.max_points)}"


def render_reconciled(reconciled: ReconciledResult, style: Style = plain) -> str:
    result = reconciled.evaluation
    names = [info.reviewer for info in reconciled.reviews]
    lines = [
        f"申报单位：{result.applicant.name}（{result.applicant.id}）",
        f"评分标准：{result.rubric.title}  {result.rubric.id} 版本 {result.rubric.version}；评价基准日：{result.as_of}",
    ]
    if names:
        spread = (
            f"；分歧提示阈值 {format_number(reconciled.max_spread)} 分" if reconciled.max_spread is not None else ""
        )
        lines.append(f"评审专家：{'、'.join(names)}；合并方法：{METHOD_LABELS[reconciled.method]}{spread}")
    else:
        lines.append("评审专家：无（以下为系统依据申报数据的计算结果）")
    lines.extend(style(line, "yellow") for line in stale_lines(reconciled))
    colour = "green" if reconciled.verdict == "eligible" else "red"
    lines.append("结论（合议后）：" + style(reconciled.verdict.reason, colour))
    by_id = {c.id: c for c in reconciled.criteria}
    for gate_id in reconciled.failed_gates:
        lines.append(f"  ✘ {gate_id} {by_id[gate_id].title}：{by_id[gate_id].status.label}")
    score = (
        f"得分（合议后）：{format_number(reconciled.score)} / {format_number(reconciled.max_score)}"
        f"（系统计算 {format_number(result.score)}）"
    )
    if reconciled.max_score != result.rubric_max_score:
        score += f"，折算 {format_number(reconciled.normalized_score)} / {format_number(result.rubric_max_score)}"
    if reconciled.grade:
        score += f"  等级：{reconciled.grade}"
    lines.append(score)
    for record in reconciled.overrides:
        if record.changes_nothing:
            continue
        state = "已生效" if record.effective else "未生效"
        decision = Status(record.decision).label
        lines.append(
            style(
                f"改判（{state}）：{record.criterion} {record.title} 系统判定 {record.computed_status.label} → "
                f"{decision}（{record.reviewer}：{record.reason}）",
                "yellow",
            )
        )
    if reconciled.disagreements:
        lines.append(style(f"评分分歧：{'、'.join(reconciled.disagreements)}", "yellow"))
    if reconciled.contradicted:
        lines.append(style(f"现场核查与申报不符：{'、'.join(reconciled.contradicted)}", "red"))
    if reconciled.changed_unreviewed:
        lines.append(style(f"数据有变化、待复核：{'、'.join(reconciled.changed_unreviewed)}", "yellow"))
    lines.append("")
    header = pad("指标", 30) + pad("系统", 10) + pad("自评", 6)
    header += "".join(pad(_clip(name, 9), 10) for name in names) + "合议"
    lines.append(header)
    for criterion in reconciled.criteria:
        by_reviewer = {e.reviewer: e for e in criterion.reviews}
        row = pad(_clip(f"{criterion.id} {criterion.title}", 28), 30) + pad(_computed(criterion), 10)
        row += pad("" if criterion.self_score is None else format_number(criterion.self_score), 6)
        for name in names:
            entry = by_reviewer.get(name)
            text = ""
            if entry is not None:
                if entry.override:
                    text = "改判" + Status(entry.override).label
                elif entry.score is not None:
                    text = format_number(entry.score)
                if entry.verification.value == "contradicts":
                    text += "✘"
                elif entry.verification.value == "confirmed":
                    text += "✔"
            row += pad(text, 10)
        row += _cell(criterion)
        marks = []
        if criterion.disagreement:
            marks.append(f"分歧 {format_number(criterion.spread)} 分" if criterion.spread is not None else "改判分歧")
        if criterion.basis == "override":
            marks.append("已改判")
        if marks:
            row += "  [" + "；".join(marks) + "]"
        lines.append(row.rstrip())
        for entry in criterion.reviews:
            if entry.remark:
                lines.append(f"      {entry.reviewer}：{entry.remark}")
    if reconciled.reviews:
        lines.append("")
        lines.append("综合意见：")
        for info in reconciled.reviews:
            opinion = f"——{info.opinion}" if info.opinion else ""
            lines.append(f"  {info.reviewer}：{info.conclusion_label}{opinion}")
    lines.append("")
    notes = ["现场核查：✔ 已核实，✘ 与申报不符"]
    if names:
        notes.append("无人评分的计分项沿用系统计算得分")
    if any(c.method_used and c.method_used != reconciled.method for c in reconciled.criteria):
        notes.append("评分不足 3 人的项无法去掉最高分和最低分，取平均")
    lines.append("说明：" + "；".join(notes))
    return "\n".join(lines) + "\n"


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` terminal columns (CJK characters count two)."""
    if width(text) <= limit:
        return text
    out = ""
    for char in text:
        if width(out + char) > limit - 1:
            break
        out += char
    return out + "…"
