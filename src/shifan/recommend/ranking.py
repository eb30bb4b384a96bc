"""Ranking applicants into a recommendation list (拟推荐名单) within quotas.

Rules (also in docs/batch.md):

1. Only applicants eligible after review (every gate passed, overrides applied) are ranked.
   Ineligible, not-yet-confirmable and broken files go to the annex with the reason.
2. The ranking score is the reconciled score when the applicant was reviewed, otherwise the
   score computed from data (both scaled to the rubric's full marks). With ``min_score``,
   applicants below it go to the annex.
3. Ties on the score (to 2 decimals) are broken, in this order, by
   a. the rubric's priority conditions (优先推荐) in rubric order — meeting the first one ranks
      higher; if equal, the second, and so on;
   b. fewer criteria with insufficient evidence (证据不足);
   c. a higher share of disabled (incl. dementia) residents (institutions; unknown ranks last);
   d. the name in Unicode code-point order (NFC) — not pinyin order, which needs a dictionary
      and differs between tools for polyphonic characters; code-point order is the same on
      every computer;
   e. the identifier (统一社会信用代码 / 区划代码), which is unique.
4. Institutions and counties are ranked in separate lists. ``quota`` applies per list, or per
   institution category (``category``) or per prefecture-level city (``region``: the first four
   digits of the region code) within each list. Applicants beyond a quota go to the annex.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from shifan.batch.model import Failure, SummaryRow
from shifan.rules.vocab import ApplicantKind, InstitutionCategory, RegionLevel

QuotaBy = Literal["category", "region"]
TIE_RULES = [
    "得分（有专家评审的为合议得分，否则为系统计算得分，均折算为满分）高者在前",
    "同分时，按评分标准所列优先推荐条件的顺序，满足在先条件者在前",
    "仍相同时，证据不足的指标少者在前",
    "仍相同时，失能（含失智）老年人占比高者在前（未填报者在后）",
    "仍相同时，按名称的 Unicode 码位顺序（非拼音顺序）",
    "仍相同时，按统一社会信用代码或行政区划代码顺序",
]


class Ranked(BaseModel):
    """An applicant on the list."""

    position: int = Field(description="名单序号")
    rank: int = Field(description="在本类申报中的总排名（具备资格且达到最低分者）")
    group: str = Field(description="名额分组")
    group_rank: int = Field(description="组内名次")
    row: SummaryRow
    tie_note: str = Field("", description="与相邻同分者的排序依据")


class AnnexEntry(BaseModel):
    """An applicant not on the list, with the reason."""

    file: str
    name: str
    id: str
    score: float | None
    reason: str


class RecommendationList(BaseModel):
    kind: Literal["institution", "region"]
    title: str
    quota: int
    quota_by: QuotaBy | None
    min_score: float | None
    recommended: list[Ranked]
    annex: list[AnnexEntry]


class Recommendation(BaseModel):
    lists: list[RecommendationList]
    tie_rules: list[str] = Field(default_factory=lambda: list(TIE_RULES))
    failures: int = Field(0, description="无法处理的文件数（已列入附件）")


def _priority_key(row: SummaryRow) -> tuple[bool, ...]:
    return tuple(not met for met in row.priorities)


def sort_key(row: SummaryRow) -> tuple[object, ...]:
    """The full ranking order; smaller sorts first."""
    share = row.disabled_share
    return (
        -round(row.score, 2),
        _priority_key(row),
        row.insufficient,
        share is None,
        -(share or 0.0),
        unicodedata.normalize("NFC", row.name),
        row.id,
    )


def tie_note(row: SummaryRow, other: SummaryRow) -> str:
    """Why ``row`` ranks before ``other`` when both have the same score ("" when scores differ)."""
    if round(row.score, 2) != round(other.score, 2):
        return ""
    for index, (mine, theirs) in enumerate(zip(row.priorities, other.priorities, strict=False)):
        if mine != theirs:
            return f"与{other.name}同分，满足优先推荐条件第 {index + 1} 项而在前"
    if row.insufficient != other.insufficient:
        return f"与{other.name}同分，证据不足项较少（{row.insufficient} 项）而在前"
    if row.disabled_share != other.disabled_share:
        return f"与{other.name}同分，失能老年人占比较高而在前"
    if row.name != other.name:
        return f"与{other.name}同分，按名称码位顺序在前"
    return f"与{other.name}同分，按编号顺序在前"


def group_of(row: SummaryRow, quota_by: QuotaBy | None) -> tuple[tuple[int, str], str]:
    """The quota group of a row: a sort key and a label."""
    if quota_by == "category":
        order = [c.value for c in InstitutionCategory] + [lvl.value for lvl in RegionLevel]
        index = order.index(row.category) if row.category in order else len(order)
        return (index, row.category), row.category_label or row.category
    if quota_by == "region":
        city = row.region_code[:4] + "00"
        return (0, city), f"地市 {city}"
    return (0, ""), "全部"


def rank_list(
    kind: Literal["institution", "region"],
    rows: Sequence[SummaryRow],
    failures: Sequence[Failure],
    *,
    quota: int,
    quota_by: QuotaBy | None = None,
    min_score: float | None = None,
) -> RecommendationList:
    annex: list[AnnexEntry] = []
    ranked_rows: list[SummaryRow] = []
    for row in rows:
        if not row.eligible:
            reason = row.verdict.label + ("：" + "；".join(row.failed_gates) if row.failed_gates else "")
            annex.append(AnnexEntry(file=row.file, name=row.name, id=row.id, score=row.score, reason=reason))
        elif min_score is not None and round(row.score, 2) < round(min_score, 2):
            reason = f"得分 {row.score:g} 低于最低分 {min_score:g}"
            annex.append(AnnexEntry(file=row.file, name=row.name, id=row.id, score=row.score, reason=reason))
        else:
            ranked_rows.append(row)
    ranked_rows.sort(key=sort_key)
    taken: dict[tuple[int, str], int] = {}
    chosen: list[tuple[int, SummaryRow, tuple[int, str], str, int, str]] = []
    for rank, row in enumerate(ranked_rows, start=1):
        key, label = group_of(row, quota_by)
        note = tie_note(row, ranked_rows[rank]) if rank < len(ranked_rows) else ""
        if taken.get(key, 0) >= quota:
            reason = f"超出名额（{label}名额 {quota} 个），排名第 {rank}"
            annex.append(AnnexEntry(file=row.file, name=row.name, id=row.id, score=row.score, reason=reason))
            continue
        taken[key] = taken.get(key, 0) + 1
        chosen.append((rank, row, key, label, taken[key], note))
    chosen.sort(key=lambda c: (c[2], c[0]))
    recommended = [
        Ranked(position=i, rank=rank, group=label, group_rank=group_rank, row=row, tie_note=note)
        for i, (rank, row, _, label, group_rank, note) in enumerate(chosen, start=1)
    ]
    for failure in failures:
        annex.append(
            AnnexEntry(
                file=failure.file,
                name="",
                id="",
                score=None,
                reason="文件有误，未能评价：" + (failure.messages[0] if failure.messages else ""),
            )
        )
    annex.sort(key=lambda a: a.file)
    return RecommendationList(
        kind=kind,
        title=ApplicantKind(kind).honour,
        quota=quota,
        quota_by=quota_by,
        min_score=min_score,
        recommended=recommended,
        annex=annex,
    )


def build_recommendation(
    rows: Sequence[SummaryRow],
    failures: Sequence[Failure],
    *,
    quota: int,
    quota_by: QuotaBy | None = None,
    min_score: float | None = None,
) -> Recommendation:
    """One list per kind of applicant present (institutions first); failures go to the first list's annex."""
    kinds: list[Literal["institution", "region"]] = [
        k for k in ("institution", "region") if any(r.kind == k for r in rows)
    ]
    if not kinds:
        kinds = ["institution"]
    lists = [
        rank_list(
            kind,
            [r for r in rows if r.kind == kind],
            failures if index == 0 else [],
            quota=quota,
            quota_by=quota_by,
            min_score=min_score,
        )
        for index, kind in enumerate(kinds)
    ]
    return Recommendation(lists=lists, failures=len(failures))
