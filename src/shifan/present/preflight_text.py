"""The sentences of the pre-flight checks of a recommendation (:mod:`shifan.recommend.preflight`)."""

from __future__ import annotations

from collections.abc import Sequence

from shifan.recommend.preflight import PreflightProblem

PREFER_LABELS = {"reviewed": "选用有专家评审的文件", "newest": "选用最近修改的文件"}


def problem_text(problem: PreflightProblem) -> str:
    """One pre-flight problem as a sentence, with what to do about it."""
    files = "、".join(problem.files)
    who = f"{problem.name}（{problem.id}）"
    if problem.code == "duplicate":
        tried = ""
        if problem.prefer is not None:
            tried = f"按 --prefer {problem.prefer}（{PREFER_LABELS[problem.prefer]}）无法确定唯一一份；"
        return (
            f"同一申报单位{who}出现在 {len(problem.files)} 个文件中：{files}。{tried}"
            "这些文件均未参加排序：请删除多余的副本，或用 --prefer reviewed（选用有专家评审的）"
            "或 --prefer newest（选用最近修改的）指定以哪一份为准"
        )
    if problem.code == "duplicate_resolved":
        others = "、".join(f for f in problem.files if f != problem.chosen)
        prefer = PREFER_LABELS[problem.prefer] if problem.prefer else ""
        return f"同一申报单位{who}出现在多个文件中，按 --prefer {problem.prefer}（{prefer}）选用 {problem.chosen}，未采用：{others}"
    if problem.code == "stale_review":
        return (
            f"{who}的评审意见表已过期（填写后申报文件或评分标准有变化），未参加排序：{files}。"
            "请运行 shifan review update 更新评审意见表并请专家复核"
        )
    if problem.code == "not_reviewed":
        return (
            f"已有申报单位经专家评审，因此未经专家评审的 {problem.count} 个具备资格的申报单位未参加排序：{files}。"
            "如确需一并排序，请使用 --no-require-review"
        )
    if problem.code == "mixed_review":
        return (
            f"{'、'.join(problem.rubrics)}名单中，经专家评审的（合议得分）与未经评审的 {problem.count} 个申报单位"
            f"（系统计算得分）按 --no-require-review 一并排序：{files}"
        )
    return (
        f"申报单位依据 {len(problem.rubrics)} 套不同的评分标准评价：{'、'.join(problem.rubrics)}。"
        "各评分标准分别形成名单（不同层级的称号不能合并排序）；如应按同一标准评价，请使用 --criteria 指定"
    )


def preflight_lines(problems: Sequence[PreflightProblem]) -> list[str]:
    """The pre-flight section: problems to settle first, then notes."""
    if not problems:
        return ["排序前检查：未发现问题。"]
    lines = []
    blocking = [p for p in problems if p.blocking]
    notes = [p for p in problems if not p.blocking]
    if blocking:
        lines.append(f"排序前检查：有 {len(blocking)} 个问题须先处理（处理前名单不能使用）：")
        lines.extend(f"  ✘ {problem_text(p)}" for p in blocking)
    if notes:
        lines.append("排序前检查的说明：")
        lines.extend(f"  · {problem_text(p)}" for p in notes)
    return lines
