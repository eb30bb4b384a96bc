"""Ranking applicants into a recommendation list (拟推荐名单) within quotas.

Rules (printed under every list as ``present.row_text.TIE_RULES`` and quoted in docs/batch.md):

1. Only applicants eligible after review (every gate passed, overrides applied) are ranked.
   Ineligible, not-yet-confirmable and broken files go to the annex with the reason.
2. The ranking score is the reconciled score when the applicant was reviewed, otherwise the
   score computed from data (both scaled to the rubric's full marks). With ``min_score``,
   applicants below it go to the annex.
3. Ties on the score (to 2 decimals) are broken, in this order, by
   a. the rubric's priority conditions (优先推荐) compared one by one in rubric order — meeting
      the first one ranks higher; if both or neither meet it, the second, and so on (not the
      number of conditions met);
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

from shifan.batch.model import FailedGate, Failure, SummaryRow
from shifan.rules.vocab import ApplicantKind, InstitutionCategory, RegionLevel, Verdict

QuotaBy = Literal["category", "region"]
TieRule = Literal["priority", "insufficient", "disabled_share", "name", "id"]
AnnexCause = Literal["not_eligible", "below_min_score", "over_quota", "unreadable"]


class TieBreak(BaseModel):
    """Why an applicant ranks before the next one with the same score."""

    rule: TieRule = Field(description="决定先后的排序规则")
    other: str = Field(description="同分的下一名申报单位名称")
    priority: int | None = Field(None, description="满足的优先推荐条件序号（从 1 起），rule 为 priority 时")
    insufficient: int = Field(0, description="本单位证据不足的指标数")


class QuotaGroup(BaseModel):
    """The group a quota applies to."""

    by: QuotaBy | None = Field(description="分组方式：category 按类别，region 按地市，空为不分组")
    key: str = Field(description="类别代码或地市区划代码（前四位加 00）；不分组时为空")


class Ranked(BaseModel):
    """An applicant on the list."""

    position: int = Field(description="名单序号")
    rank: int = Field(description="在本类申报中的总排名（具备资格且达到最低分者）")
    group: QuotaGroup = Field(description="名额分组")
    group_rank: int = Field(description="组内名次")
    row: SummaryRow
    tie_break: TieBreak | None = Field(None, description="与相邻同分者的排序依据")


class AnnexEntry(BaseModel):
    """An applicant not on the list, with the reason as data."""

    file: str
    name: str
    id: str
    score: float | None
    cause: AnnexCause = Field(description="未列入的原因")
    verdict: Verdict | None = Field(None, description="合议后的结论（not_eligible）")
    failed_gates: list[FailedGate] = Field(default_factory=list, description="未通过的否决项（not_eligible）")
    min_score: float | None = Field(None, description="最低分（below_min_score）")
    group: QuotaGroup | None = Field(None, description="名额分组（over_quota）")
    quota: int | None = Field(None, description="该组名额（over_quota）")
    rank: int | None = Field(None, description="排名（over_quota）")
    messages: list[str] = Field(default_factory=list, description="文件错误（unreadable）")


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


def tie_break(row: SummaryRow, other: SummaryRow) -> TieBreak | None:
    """Why ``row`` ranks before ``other`` when both have the same score (None when scores differ)."""
    if round(row.score, 2) != round(other.score, 2):
        return None
    for index, (mine, theirs) in enumerate(zip(row.priorities, other.priorities, strict=False)):
        if mine != theirs:
            return TieBreak(rule="priority", other=other.name, priority=index + 1)
    if row.insufficient != other.insufficient:
        return TieBreak(rule="insufficient", other=other.name, insufficient=row.insufficient)
    if row.disabled_share != other.disabled_share:
        return TieBreak(rule="disabled_share", other=other.name)
    if row.name != other.name:
        return TieBreak(rule="name", other=other.name)
    return TieBreak(rule="id", other=other.name)


def group_of(row: SummaryRow, quota_by: QuotaBy | None) -> tuple[tuple[int, str], QuotaGroup]:
    """The quota group of a row, with its sort key (categories in vocabulary order)."""
    if quota_by == "category":
        order = [c.value for c in InstitutionCategory] + [lvl.value for lvl in RegionLevel]
        index = order.index(row.category) if row.category in order else len(order)
        return (index, row.category), QuotaGroup(by=quota_by, key=row.category)
    if quota_by == "region":
        city = row.region_code[:4] + "00"
        return (0, city), QuotaGroup(by=quota_by, key=city)
    return (0, ""), QuotaGroup(by=None, key="")


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
            annex.append(
                AnnexEntry(
                    file=row.file,
                    name=row.name,
                    id=row.id,
                    score=row.score,
                    cause="not_eligible",
                    verdict=row.verdict,
                    failed_gates=row.failed_gates,
                )
            )
        elif min_score is not None and round(row.score, 2) < round(min_score, 2):
            annex.append(
                AnnexEntry(
                    file=row.file,
                    name=row.name,
                    id=row.id,
                    score=row.score,
                    cause="below_min_score",
                    min_score=min_score,
                )
            )
        else:
            ranked_rows.append(row)
    ranked_rows.sort(key=sort_key)
    taken: dict[tuple[int, str], int] = {}
    chosen: list[tuple[int, SummaryRow, tuple[int, str], QuotaGroup, int, TieBreak | None]] = []
    for rank, row in enumerate(ranked_rows, start=1):
        key, label = group_of(row, quota_by)
        note = tie_break(row, ranked_rows[rank]) if rank < len(ranked_rows) else None
        if taken.get(key, 0) >= quota:
            annex.append(
                AnnexEntry(
                    file=row.file,
                    name=row.name,
                    id=row.id,
                    score=row.score,
                    cause="over_quota",
                    group=label,
                    quota=quota,
                    rank=rank,
                )
            )
            continue
        taken[key] = taken.get(key, 0) + 1
        chosen.append((rank, row, key, label, taken[key], note))
    chosen.sort(key=lambda c: (c[2], c[0]))
    recommended = [
        Ranked(position=i, rank=rank, group=label, group_rank=group_rank, row=row, tie_break=note)
        for i, (rank, row, _, label, group_rank, note) in enumerate(chosen, start=1)
    ]
    for failure in failures:
        annex.append(
            AnnexEntry(
                file=failure.file,
                name="",
                id="",
                score=None,
                cause="unreadable",
                messages=list(failure.messages),
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
