"""The sentences shown for a batch summary row and a recommendation list: failed gates,
overrides, stale reviews, reviewers' conclusions, annex reasons and tie-breaks."""

from __future__ import annotations

from shifan.batch.model import FailedGate, ReviewerConclusion, StaleReview
from shifan.recommend.ranking import AnnexEntry, QuotaGroup, Ranked
from shifan.review.reconcile import OverrideRecord
from shifan.rules.divisions import city_name, division
from shifan.rules.vocab import InstitutionCategory, RegionLevel, Status

#: The ranking order of a recommendation list, as printed under it (rules in recommend.ranking).
#: docs/batch.md, README and the priorities comment of criteria/national/institution.yaml quote
#: these sentences verbatim; tests/test_recommend.py checks that they do.
TIE_RULES = [
    "得分（有专家评审的为合议得分，否则为系统计算得分，均折算为满分，保留两位小数）高者在前",
    "同分时，按评分标准所列优先推荐条件的顺序逐条比较：满足第一条者在前，都满足或都不满足时比较第二条，依此类推（不按满足的条数）",
    "仍相同时，证据不足的指标少者在前",
    "仍相同时，失能（含失智）老年人占比高者在前（未填报者在后）",
    "仍相同时，按名称的 Unicode 码位顺序（非拼音顺序）",
    "仍相同时，按统一社会信用代码或行政区划代码顺序",
]


def gate_text(gate: FailedGate) -> str:
    """``A3 名称：理由``."""
    reason = "经评审专家改判为不符合" if gate.overridden else gate.reason
    return f"{gate.id} {gate.title}：{reason}"


def override_text(override: OverrideRecord) -> str:
    """``C1 符合（张三：理由）``, with ``【未生效】`` when it did not take effect."""
    decision = Status(override.decision).label
    text = f"{override.criterion} {decision}（{override.reviewer}：{override.reason}）"
    return text + ("" if override.effective else "【未生效】")


def stale_text(stale: StaleReview) -> str:
    return f"{stale.reviewer}：{'；'.join(stale.reasons)}"


def conclusion_text(conclusion: ReviewerConclusion) -> str:
    return f"{conclusion.reviewer}：{conclusion.conclusion.label}"


def city_label(code: str) -> str:
    """A prefecture-level city for people, never a bare code: ``黄山市`` (from the division table,
    :mod:`shifan.rules.divisions`), or ``浙江省（地市代码 330100）`` when the table lacks the city."""
    city = code[:4] + "00"
    name = city_name(city)
    if name:
        return name
    found = division(code[:2] + "0000") if len(code) == 6 else None
    return f"{found.province}（地市代码 {city}）" if found else f"地市代码 {city}"


def group_label(group: QuotaGroup | None) -> str:
    """``护理院`` (a category), ``黄山市`` (a city, by name; see :func:`city_label`) or ``全部``."""
    if group is None or group.by is None:
        return "全部"
    if group.by == "region":
        return city_label(group.key)
    labels = {m.value: m.label for m in [*InstitutionCategory, *RegionLevel]}
    return labels.get(group.key) or group.key


def annex_reason(entry: AnnexEntry) -> str:
    """Why an applicant is not on the list."""
    if entry.cause == "not_eligible":
        label = entry.verdict.label if entry.verdict is not None else ""
        gates = "；".join(gate_text(g) for g in entry.failed_gates)
        return label + ("：" + gates if gates else "")
    if entry.cause == "below_min_score":
        source = "评分标准的合格线" if entry.min_score_from == "rubric" else "最低分"
        return f"得分 {entry.score:g} 低于{source} {entry.min_score:g}"
    if entry.cause == "duplicate":
        return f"同一申报单位另有文件（{'、'.join(entry.others)}），未确定以哪一份为准，均未参加排序"
    if entry.cause == "duplicate_not_chosen":
        return f"同一申报单位另有文件，已选用 {'、'.join(entry.others)}，本文件未采用"
    if entry.cause == "stale_review":
        return "评审意见已过期（填写后申报文件或评分标准有变化），须更新并复核后再排序"
    if entry.cause == "not_reviewed":
        return "未经专家评审"
    if entry.cause == "over_quota":
        return f"超出名额（{group_label(entry.group)}名额 {entry.quota} 个），排名第 {entry.rank}"
    return "文件有误，未能评价：" + (entry.messages[0] if entry.messages else "")


def tie_note(entry: Ranked) -> str:
    """Why an applicant ranks before the next one with the same score ("" when it does not tie)."""
    tie = entry.tie_break
    if tie is None:
        return ""
    if tie.rule == "priority":
        return f"与{tie.other}同分，满足优先推荐条件第 {tie.priority} 项而在前"
    if tie.rule == "insufficient":
        return f"与{tie.other}同分，证据不足项较少（{tie.insufficient} 项）而在前"
    if tie.rule == "disabled_share":
        return f"与{tie.other}同分，失能老年人占比较高而在前"
    if tie.rule == "name":
        return f"与{tie.other}同分，按名称码位顺序在前"
    return f"与{tie.other}同分，按编号顺序在前"
