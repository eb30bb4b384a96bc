"""Ranking applicants into a recommendation list (拟推荐名单) within quotas.

Rules (printed under every list as ``present.row_text.TIE_RULES`` and quoted in docs/batch.md):

1. Only applicants eligible after review (every gate passed, overrides applied) are ranked.
   Ineligible, not-yet-confirmable and broken files go to the annex with the reason.
2. The ranking score is the reconciled score when the applicant was reviewed, otherwise the
   score computed from data (both scaled to the rubric's full marks). Applicants below the
   minimum score go to the annex: ``min_score`` when given, otherwise the rubric's pass grade
   (the lowest grade's threshold).
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
4. Each rubric forms its own list (institutions first, then counties; a national and a
   provincial title are different honours), headed by the rubric's honour. Applicants the
   pre-flight checks (:mod:`shifan.recommend.preflight`) keep out go to that list's annex.
   ``quota`` applies per list, or per
   institution category (``category``) or per prefecture-level city (``region``: the first four
   digits of the region code) within each list. Applicants beyond a quota go to the annex.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from shifan.batch.model import FailedGate, Failure, SummaryRow
from shifan.recommend.preflight import Excluded, Preflight, PreflightProblem, preflight
from shifan.rules.vocab import ApplicantKind, InstitutionCategory, RegionLevel, Verdict

QuotaBy = Literal["category", "region"]
TieRule = Literal["priority", "insufficient", "disabled_share", "name", "id"]
AnnexCause = Literal[
    "not_eligible",
    "below_min_score",
    "over_quota",
    "unreadable",
    "duplicate",
    "duplicate_not_chosen",
    "stale_review",
    "not_reviewed",
]


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
    min_score_from: Literal["rubric", "option"] | None = Field(
        None, description="最低分来源：rubric 评分标准的合格线，option 使用者给定的 --min-score"
    )
    others: list[str] = Field(
        default_factory=list, description="同一申报单位的其他文件（duplicate、duplicate_not_chosen）"
    )
    group: QuotaGroup | None = Field(None, description="名额分组（over_quota）")
    quota: int | None = Field(None, description="该组名额（over_quota）")
    rank: int | None = Field(None, description="排名（over_quota）")
    messages: list[str] = Field(default_factory=list, description="文件错误（unreadable）")


class RecommendationList(BaseModel):
    kind: Literal["institution", "region"]
    title: str = Field(description="名单标题（荣誉名称，取自评分标准名称）")
    rubric_id: str = Field("", description="评分标准编号")
    rubric_title: str = Field("", description="评分标准名称")
    quota: int
    quota_by: QuotaBy | None
    min_score: float | None = Field(description="最低分：--min-score 给定的，否则为评分标准的合格线")
    min_score_from: Literal["rubric", "option"] | None = Field(None, description="最低分来源")
    recommended: list[Ranked]
    annex: list[AnnexEntry]


class Recommendation(BaseModel):
    lists: list[RecommendationList]
    failures: int = Field(0, description="无法处理的文件数（已列入附件）")
    preflight: list[PreflightProblem] = Field(default_factory=list, description="排序前检查发现的问题")
    require_review: bool = Field(False, description="是否只推荐经专家评审的申报单位")

    @property
    def blocking(self) -> bool:
        """Whether a pre-flight problem must be settled before the list can be used."""
        return any(p.blocking for p in self.preflight)


def honour(rubric_title: str, kind: str) -> str:
    """The honour a rubric awards, from its title (``全国医养结合示范机构评分标准`` →
    ``全国医养结合示范机构``); the national honour of ``kind`` when the title says nothing else."""
    title = rubric_title.replace("评分标准", "").strip()
    return title or ApplicantKind(kind).honour


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
        sortable_name(row.name),
        row.id,
    )


def sortable_name(name: str) -> str:
    """The name as compared on a tie: NFC, without invisible format characters (zero-width
    spaces and joiners), so an invisible prefix cannot win a tie."""
    return "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch) != "Cf")


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
    if sortable_name(row.name) != sortable_name(other.name):
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


def _excluded_entry(excluded: Excluded) -> AnnexEntry:
    row = excluded.row
    return AnnexEntry(
        file=row.file, name=row.name, id=row.id, score=row.score, cause=excluded.cause, others=excluded.others
    )


def rank_list(
    kind: Literal["institution", "region"],
    rows: Sequence[SummaryRow],
    failures: Sequence[Failure],
    *,
    quota: int,
    quota_by: QuotaBy | None = None,
    min_score: float | None = None,
    excluded: Sequence[Excluded] = (),
) -> RecommendationList:
    """Rank the rows of one rubric. Without ``min_score`` the rubric's pass grade is the minimum."""
    first = rows[0] if rows else (excluded[0].row if excluded else None)
    rubric_id = first.rubric_id if first else ""
    rubric_title = first.rubric_title if first else ""
    floor = min_score if min_score is not None else (first.pass_score if first else None)
    floor_from: Literal["rubric", "option"] | None = (
        "option" if min_score is not None else ("rubric" if floor is not None else None)
    )
    annex: list[AnnexEntry] = [_excluded_entry(e) for e in excluded]
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
        elif floor is not None and round(row.score, 2) < round(floor, 2):
            annex.append(
                AnnexEntry(
                    file=row.file,
                    name=row.name,
                    id=row.id,
                    score=row.score,
                    cause="below_min_score",
                    min_score=floor,
                    min_score_from=floor_from,
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
        title=honour(rubric_title, kind),
        rubric_id=rubric_id,
        rubric_title=rubric_title,
        quota=quota,
        quota_by=quota_by,
        min_score=floor,
        min_score_from=floor_from,
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
    checked: Preflight | None = None,
) -> Recommendation:
    """One list per rubric (institutions first); failures go to the first list's annex.

    ``checked`` is the result of the pre-flight checks (run here on ``rows`` with the defaults
    when not given): only its rows are ranked, the applicants it kept out go to the annex."""
    checked = checked if checked is not None else preflight(rows)
    everything = [*checked.rows, *(e.row for e in checked.excluded)]
    order = {"institution": 0, "region": 1}
    keys = sorted({(order[r.kind], not r.rubric_id.startswith("national/"), r.kind, r.rubric_id) for r in everything})
    if not keys:
        keys = [(0, False, "institution", "")]
    lists = [
        rank_list(
            kind,
            [r for r in checked.rows if r.rubric_id == rubric_id and r.kind == kind],
            failures if index == 0 else [],
            quota=quota,
            quota_by=quota_by,
            min_score=min_score,
            excluded=[e for e in checked.excluded if e.row.rubric_id == rubric_id and e.row.kind == kind],
        )
        for index, (_, _, kind, rubric_id) in enumerate(keys)
    ]
    return Recommendation(
        lists=lists, failures=len(failures), preflight=checked.problems, require_review=checked.require_review
    )
