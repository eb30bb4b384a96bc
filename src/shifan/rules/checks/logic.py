"""Combinators (all, any, not) and reviewer-scored items."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from shifan.formatting import format_number
from shifan.rules.checks.base import Check, Context, Outcome, register
from shifan.rules.vocab import Status

if TYPE_CHECKING:
    CheckSpec = Check


def _joined(outcomes: list[Outcome], attribute: str) -> str:
    return "；".join(text for o in outcomes if (text := getattr(o, attribute)))


@register
class AllCheck(Check):
    """Every nested check must pass. Insufficient data in one is reported as such, never as a pass.

    Passes: ``{kind: all, checks: [{kind: licence, which: medical_licence}, {kind: licence,
    which: elderly_care_filing}]}`` with both held. Fails: the filing is missing.
    """

    kind: Literal["all"]
    checks: list[CheckSpec] = Field(min_length=1, description="全部须符合的子条件")

    title: ClassVar[str] = "同时满足"
    summary: ClassVar[str] = (
        "全部子条件都符合才符合。任一子条件不符合即不符合；有子条件证据不足时结果为证据不足，不会当作符合。"
    )
    passes: ClassVar[str] = "要求同时持有医疗机构执业许可和养老机构备案，两项都具备。"
    fails: ClassVar[str] = "缺少养老机构备案。"

    def evaluate(self, ctx: Context) -> Outcome:
        outcomes = [check.evaluate(ctx) for check in self.checks]
        observed, expected = _joined(outcomes, "observed"), _joined(outcomes, "expected")
        details = [d for o in outcomes for d in o.details]
        failed = [o for o in outcomes if o.status is Status.FAIL]
        if failed:
            return Outcome(Status.FAIL, observed, expected, _joined(failed, "reason"), details=details)
        lacking = [o for o in outcomes if o.status is Status.INSUFFICIENT]
        if lacking:
            return Outcome(Status.INSUFFICIENT, observed, expected, _joined(lacking, "reason"), details=details)
        relevant = [o for o in outcomes if o.status is not Status.NOT_APPLICABLE]
        if not relevant:
            return Outcome(Status.NOT_APPLICABLE, observed, expected, _joined(outcomes, "reason"))
        partial = [o for o in relevant if o.status is Status.PARTIAL]
        if partial:
            fraction = min(o.fraction if o.fraction is not None else 0.0 for o in partial)
            return Outcome(
                Status.PARTIAL, observed, expected, _joined(partial, "reason"), fraction=fraction, details=details
            )
        return Outcome(Status.PASS, observed, expected, _joined(relevant, "reason"))


@register
class AnyCheck(Check):
    """At least one nested check must pass; the best nested result is reported.

    Passes: ``{kind: any, checks: [{kind: flag, path: qualifications.internal_medical_institution},
    {kind: flag, path: qualifications.adjacent_medical_institution}]}`` with an internal clinic.
    Fails: neither an internal clinic nor an adjacent medical institution.
    """

    kind: Literal["any"]
    checks: list[CheckSpec] = Field(min_length=1, description="任一符合即可的子条件")

    title: ClassVar[str] = "任一满足"
    summary: ClassVar[str] = "子条件中至少一个符合即符合，结果取其中最好的一个。"
    passes: ClassVar[str] = "要求内设医疗机构或毗邻医疗机构，申报单位内设医疗机构。"
    fails: ClassVar[str] = "既没有内设医疗机构，也没有毗邻的医疗机构。"

    def evaluate(self, ctx: Context) -> Outcome:
        outcomes = [check.evaluate(ctx) for check in self.checks]
        observed, expected = _joined(outcomes, "observed"), " 或 ".join(o.expected for o in outcomes if o.expected)
        for status in (Status.PASS, Status.PARTIAL):
            best = [o for o in outcomes if o.status is status]
            if best:
                top = max(best, key=lambda o: o.fraction or 0.0)
                ways = [i for i, o in enumerate(outcomes) if o.status is status and o.fraction == top.fraction]
                return Outcome(
                    status, observed, expected, top.reason, fraction=top.fraction, details=top.details, ways=ways
                )
        for status in (Status.INSUFFICIENT, Status.FAIL, Status.NOT_APPLICABLE):
            some = [o for o in outcomes if o.status is status]
            if some:
                details = [d for o in some for d in o.details]
                return Outcome(status, observed, expected, _joined(some, "reason"), details=details)
        return Outcome(Status.ERROR, observed, expected, "无子条件")


@register
class NotCheck(Check):
    """The nested check must fail (pass and fail swap; insufficient data stays insufficient).

    Passes: ``{kind: not, check: {kind: flag, path: features.rural}}`` for an urban institution.
    Fails: the institution is rural.
    """

    kind: Literal["not"]
    check: CheckSpec = Field(description="须不成立的条件")

    title: ClassVar[str] = "不满足"
    summary: ClassVar[str] = "子条件不成立时才符合：符合与不符合对调，证据不足仍为证据不足。"
    passes: ClassVar[str] = "子条件为“位于农村”，申报单位位于城市。"
    fails: ClassVar[str] = "申报单位位于农村。"

    def evaluate(self, ctx: Context) -> Outcome:
        inner = self.check.evaluate(ctx)
        swap = {Status.PASS: Status.FAIL, Status.FAIL: Status.PASS, Status.PARTIAL: Status.FAIL}
        status = swap.get(inner.status, inner.status)
        return Outcome(status, inner.observed, f"不满足：{inner.expected}", inner.reason, details=inner.details)


@register
class SelfScoreCheck(Check):
    """An item scored by reviewers; until reviewed, the applicant's self-score (``self_scores``)
    stands, shown as such. No self-score means 证据不足, never zero.

    Passes: ``{kind: self_score}`` on a 5-point item with ``self_scores: {C5.1: 5}``.
    Partial: a self-score of 3. Fails: 0. Insufficient: no self-score given.
    """

    kind: Literal["self_score"]
    guidance: str = Field("", description="评分要点")

    title: ClassVar[str] = "专家评分"
    summary: ClassVar[str] = (
        "由评审专家打分的指标。专家评分前，以申报单位在 `self_scores` 中填写的自评分暂代，并注明是自评分；未填写自评分为证据不足，不记为零分。"
    )
    passes: ClassVar[str] = "满分 5 分的指标，自评 5 分。自评 3 分为部分符合。"
    fails: ClassVar[str] = "自评 0 分。未填写自评分时为证据不足。"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"专家评分（满分 {format_number(ctx.max_points)} 分）" + (
            f"：{self.guidance}" if self.guidance else ""
        )
        score = ctx.app.self_scores.get(ctx.criterion_id)
        if score is None:
            return Outcome(Status.INSUFFICIENT, "未自评", expected, "未填写自评分，待专家评分")
        observed = f"自评 {format_number(score)} 分"
        reason = f"申报单位自评 {format_number(score)} 分，待专家评审核定"
        if score >= ctx.max_points:
            status = Status.PASS
        elif score > 0:
            status = Status.PARTIAL
        else:
            status = Status.FAIL
        return Outcome(status, observed, expected, reason, value=score, awarded=score)
