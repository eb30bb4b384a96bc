"""Combining several reviewers' sheets with the evaluation into one reconciled result.

Rules (also in docs/review.md):

* **Scores.** For a scored item, the scores of the reviewers who filled ``score`` are combined
  by the rubric's ``review.method``: ``mean``; ``median`` (mean of the two middle scores when
  their number is even); ``trimmed_mean`` 去掉一个最高分和一个最低分后平均 — with fewer than 3
  scores nothing can be dropped and the plain mean is used (the item says so in
  ``method_used``). A blank score is an abstention, not a zero. An item no reviewer scored keeps
  the points computed from the data (``basis: computed``). Not-applicable items are never
  scored. Results are rounded to 2 decimals.
* **Disagreement.** When the highest and lowest score of an item differ by more than the
  rubric parameter named by ``review.max_spread``, the item is flagged.
* **Gate overrides.** A reviewer may overrule a gate decided by data with ``override: {decision,
  reason}`` (reason required). A ``fail`` override by any reviewer makes the gate fail (a veto
  found on site stands). A ``pass`` override takes effect when more than half of the reviewers
  override to ``pass`` and none to ``fail``; otherwise the data's decision stands and the item
  is flagged as a disagreement. Every override, effective or not, is listed.
* **Staleness.** A review is stale when the application file, the rubric or the evaluation
  date changed since it was written (sha256 and as_of recorded in the sheet).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from shifan.errors import ProblemList
from shifan.evaluate.aggregate import round_points, totals
from shifan.evaluate.pipeline import Checked
from shifan.evaluate.result import EvaluationResult
from shifan.review.load import WHAT, LoadedReview, check_reviews
from shifan.review.model import Conclusion, Verification
from shifan.rules.vocab import Status, Verdict

Method = Literal["mean", "median", "trimmed_mean"]
Basis = Literal["reviewers", "computed", "override", "not_applicable"]


class ReviewerEntry(BaseModel):
    """One reviewer's entry on one item."""

    reviewer: str = Field(description="评审专家姓名")
    score: float | None = Field(description="专家评分；未评分时为 null（不是 0 分）")
    remark: str = Field(description="评审意见")
    verification: Verification = Field(description="现场核查结果")
    override: Literal["pass", "fail"] | None = Field(None, description="否决项改判意见；没有时为 null")
    override_reason: str = Field("", description="改判理由")
    changed: str | None = Field(None, description="该评审表上的数据变化提示（尚未复核）")


class OverrideRecord(BaseModel):
    """A reviewer overruling a gate, and whether it took effect."""

    criterion: str = Field(description="指标编号")
    title: str = Field(description="指标名称")
    computed_status: Status = Field(description="系统依据申报数据的判定")
    decision: Literal["pass", "fail"] = Field(description="改判为")
    reviewer: str = Field(description="评审专家姓名")
    reason: str = Field(description="改判理由")
    effective: bool = Field(description="改判是否生效")

    @property
    def changes_nothing(self) -> bool:
        """The override repeats what the data decided (系统“符合”→改判“符合”)."""
        return self.computed_status.value == self.decision


class ReconciledCriterion(BaseModel):
    """One item after reconciliation."""

    id: str = Field(description="指标编号")
    title: str = Field(description="指标名称")
    section: str = Field(description="所属章节编号")
    gate: bool = Field(description="是否否决项")
    max_points: float = Field(description="分值（否决项为 0）")
    computed_status: Status = Field(description="系统依据申报数据的判定")
    computed_points: float = Field(description="系统计算的得分")
    self_score: float | None = Field(description="申报单位的自评分；没有时为 null")
    status: Status = Field(description="合议后状态：否决项含改判；计分项同系统判定")
    points: float = Field(description="合议得分（否决项为 0）")
    basis: Basis = Field(
        description="reviewers 专家评分合议；computed 无人评分，沿用系统计算；override 否决项改判；not_applicable 不适用"
    )
    method_used: Method | None = Field(None, description="实际使用的合并方法（trimmed_mean 不足 3 人时为 mean）")
    spread: float | None = Field(None, description="最高分与最低分之差")
    disagreement: bool = Field(False, description="评分分歧超过阈值，或改判意见不一致")
    contradicted_by: list[str] = Field(default_factory=list, description="现场核查“与申报不符”的评审专家")
    reviews: list[ReviewerEntry] = Field(default_factory=list, description="各专家对本项的评审")


class ReviewInfo(BaseModel):
    """One review sheet used."""

    reviewer: str = Field(description="评审专家姓名")
    organisation: str = Field(description="工作单位")
    title: str = Field("", description="职称或职务")
    level: str = Field("", description="评审层级（county、city、province）；未注明时为空")
    file: str = Field(description="评审意见表文件")
    stale: bool = Field(description="评审意见表是否已过期（填写后申报文件、评分标准或评价基准日有变化）")
    stale_reasons: list[str] = Field(description="过期的原因")
    conclusion: Conclusion = Field(description="综合意见的结论")
    conclusion_label: str = Field(description="综合意见结论的中文名称")
    opinion: str = Field(description="综合意见")
    signed: dt.date | None = Field(description="签字日期；未签字时为 null")


class ReconciledResult(BaseModel):
    """The evaluation plus every reviewer's input, reconciled: what reports and lists print.

    ``evaluation`` is the unchanged data-only result; the top-level verdict and scores are the
    reconciled ones. With no reviews, they equal the evaluation's.
    """

    evaluation: EvaluationResult = Field(description="只依据申报数据的评价结果，字段同上文 `shifan check` 的输出")
    method: Method = Field(
        description="合议方法：mean 平均；median 中位数；trimmed_mean 去掉一个最高分和一个最低分后平均"
    )
    max_spread: float | None = Field(description="评分分歧阈值（分）；评分标准未设定时为空")
    reviews: list[ReviewInfo] = Field(description="使用的评审意见表")
    criteria: list[ReconciledCriterion] = Field(description="合议后的逐项结果，每项的字段见下表")
    overrides: list[OverrideRecord] = Field(description="全部改判意见（无论是否生效）")
    eligible: bool = Field(description="合议后全部否决项符合（或不适用）时为 true")
    verdict: Verdict = Field(description="合议后的结论")
    failed_gates: list[str] = Field(description="合议后不符合或证据不足的否决项编号")
    score: float = Field(description="合议得分")
    max_score: float = Field(description="适用指标的满分合计（不适用项不计）")
    normalized_score: float = Field(description="合议得分折算为评分标准满分，用于排序")
    grade: str = Field(description="合议后的等级（仅具备资格时给出，否则为空）")
    reviewed: bool = Field(description="是否有专家评审意见")
    stale: bool = Field(description="有评审意见表在申报文件、评分标准或评价基准日变化之前填写")
    disagreements: list[str] = Field(description="评分分歧或改判不一致的指标编号")
    contradicted: list[str] = Field(description="有专家现场核查“与申报不符”的指标编号")
    changed_unreviewed: list[str] = Field(description="评审表标记了数据变化、尚待复核的指标编号")


@dataclass(frozen=True)
class Decision:
    """What the panel decided on one item: the fields of :class:`ReconciledCriterion` that
    reconciliation sets."""

    status: Status
    points: float
    basis: Basis
    method_used: Method | None = None
    spread: float | None = None
    disagreement: bool = False


def combine(scores: Sequence[float], method: Method) -> tuple[float, Method]:
    """Combine reviewers' scores; returns the value and the method actually applied.

    ``trimmed_mean`` with fewer than 3 scores falls back to the plain mean.
    """
    if not scores:
        raise ValueError("no scores to combine")
    values = sorted(scores)
    if method == "median":
        return round_points(statistics.median(values)), "median"
    if method == "trimmed_mean" and len(values) >= 3:
        return round_points(statistics.fmean(values[1:-1])), "trimmed_mean"
    return round_points(statistics.fmean(values)), "mean"


def stale_reasons(loaded: LoadedReview, checked: Checked) -> list[str]:
    """Why a review no longer matches the application, rubric or date being evaluated."""
    review = loaded.review
    reasons = []
    if review.application.sha256 != checked.loaded.sha256:
        reasons.append("申报文件在评审后已修改")
    if review.rubric.sha256 != checked.rubric.sha256:
        reasons.append("评分标准在评审后已修改")
    if review.as_of != checked.result.as_of:
        reasons.append(f"评价基准日不同（评审时 {review.as_of}，现为 {checked.result.as_of}）")
    return reasons


def _check_targets(checked: Checked, reviews: Sequence[LoadedReview]) -> None:
    app_path = checked.loaded.path.resolve()
    problems = ProblemList(WHAT)
    for loaded in reviews:
        same_file = loaded.target == app_path or loaded.target.resolve() == app_path
        if not same_file and loaded.review.application.sha256 != checked.loaded.sha256:
            problems.append(
                loaded.document.problem(
                    ("application", "path"),
                    "评审意见表不是针对该申报文件的（路径和内容都不同）",
                    found=loaded.review.application.path,
                    expected=checked.loaded.document.display,
                )
            )
    problems.raise_if_any()


def reconcile(checked: Checked, reviews: Sequence[LoadedReview]) -> ReconciledResult:
    """Reconcile an evaluated application with its reviewers' sheets (possibly none).

    Raises :class:`InputError` when a sheet is for another application, names criteria the
    rubric lacks, scores out of range, or two sheets have the same reviewer.
    """
    rubric, result = checked.rubric, checked.result
    _check_targets(checked, reviews)
    check_reviews(list(reviews), rubric)
    method: Method = rubric.review.method
    spread_param = rubric.review.max_spread
    max_spread = rubric.parameters[spread_param].value if spread_param else None
    infos = [_info(loaded, checked) for loaded in reviews]
    criteria: list[ReconciledCriterion] = []
    overrides: list[OverrideRecord] = []
    for item in result.criteria:
        entries = []
        for loaded in reviews:
            own = loaded.review.items.get(item.id)
            if own is None:
                continue
            entries.append(
                ReviewerEntry(
                    reviewer=loaded.review.reviewer.name,
                    score=own.score,
                    remark=own.remark or "",
                    verification=own.verification,
                    override=own.override.decision if own.override else None,
                    override_reason=own.override.reason if own.override else "",
                    changed=own.changed,
                )
            )
        if item.gate:
            decision, records = gate_decision(item.id, item.title, item.status, entries, len(reviews))
            overrides.extend(records)
        else:
            decision = scored_decision(item.status, item.points, entries, method, max_spread)
        criteria.append(
            ReconciledCriterion(
                id=item.id,
                title=item.title,
                section=item.section,
                gate=item.gate,
                max_points=item.max_points,
                computed_status=item.status,
                computed_points=item.points,
                self_score=item.self_score,
                contradicted_by=[e.reviewer for e in entries if e.verification is Verification.CONTRADICTS],
                reviews=entries,
                status=decision.status,
                points=decision.points,
                basis=decision.basis,
                method_used=decision.method_used,
                spread=decision.spread,
                disagreement=decision.disagreement,
            )
        )
    total = totals(criteria, result.max_score, rubric)
    return ReconciledResult(
        evaluation=result,
        method=method,
        max_spread=max_spread,
        reviews=infos,
        criteria=criteria,
        overrides=overrides,
        eligible=total.eligible,
        verdict=total.verdict,
        failed_gates=total.failed_gates,
        score=total.score,
        max_score=total.max_score,
        normalized_score=total.normalized_score,
        grade=total.grade,
        reviewed=bool(reviews),
        stale=any(i.stale for i in infos),
        disagreements=[c.id for c in criteria if c.disagreement],
        contradicted=[c.id for c in criteria if c.contradicted_by],
        changed_unreviewed=[c.id for c in criteria if any(e.changed for e in c.reviews)],
    )


def _info(loaded: LoadedReview, checked: Checked) -> ReviewInfo:
    review = loaded.review
    reasons = stale_reasons(loaded, checked)
    return ReviewInfo(
        reviewer=review.reviewer.name,
        organisation=review.reviewer.organisation,
        title=review.reviewer.title,
        level=review.reviewer.level.value if review.reviewer.level else "",
        file=loaded.display,
        stale=bool(reasons),
        stale_reasons=reasons,
        conclusion=review.final_opinion.conclusion,
        conclusion_label=review.final_opinion.conclusion.label,
        opinion=review.final_opinion.text or "",
        signed=review.reviewer.signed,
    )


def scored_decision(
    status: Status, points: float, entries: list[ReviewerEntry], method: Method, max_spread: float | None
) -> Decision:
    """A scored item: the reviewers' scores combined, or the computed points when none scored."""
    if status is Status.NOT_APPLICABLE:
        return Decision(status, 0.0, "not_applicable")
    scores = [e.score for e in entries if e.score is not None]
    if not scores:
        return Decision(status, points, "computed")
    value, used = combine(scores, method)
    spread = round_points(max(scores) - min(scores))
    disagreement = max_spread is not None and round(spread, 4) > round(max_spread, 4)
    return Decision(status, value, "reviewers", method_used=used, spread=spread, disagreement=disagreement)


def gate_decision(
    cid: str, title: str, status: Status, entries: list[ReviewerEntry], panel: int
) -> tuple[Decision, list[OverrideRecord]]:
    """A gate: the data's status, or the reviewers' override; also every override, effective or not."""
    fails = [e for e in entries if e.override == "fail"]
    passes = [e for e in entries if e.override == "pass"]
    new_status = status
    if fails:
        new_status = Status.FAIL
    elif passes and len(passes) * 2 > panel:
        new_status = Status.PASS
    effective = new_status is not status
    records = []
    for entry in entries:
        if entry.override is None:
            continue
        records.append(
            OverrideRecord(
                criterion=cid,
                title=title,
                computed_status=status,
                decision=entry.override,
                reviewer=entry.reviewer,
                reason=entry.override_reason,
                effective=effective and entry.override == new_status.value,
            )
        )
    minority_pass = bool(passes) and new_status is not Status.PASS and not fails
    disagreement = bool(fails and passes) or minority_pass
    return Decision(new_status, 0.0, "override" if effective else "computed", disagreement=disagreement), records
