"""Check kinds on computed metrics: a threshold, or points by bands."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shifan.read.suggest import did_you_mean
from shifan.rules.checks.base import Check, Context, Outcome, ParamHolder, compare, register
from shifan.rules.checks.metrics import METRICS, Measurement, MetricOptions, Missing
from shifan.rules.messages import metric_value, metric_value_with_detail, quoted_requirement, reached, requirement, show
from shifan.rules.vocab import Ability, Status


class MetricMixin(Check):
    """Shared fields of checks that read a computed metric."""

    metric: str = Field(description="计算指标的名称，见评分标准参考的“计算指标”一节")
    levels: list[Ability] | None = Field(None, description="disabled_share：计入失能的能力等级")
    min_sample: str | None = Field(None, description="最小样本量参数名（如满意度问卷数）")

    def problems(self, subject: str) -> list[tuple[tuple[str | int, ...], str, str]]:
        found = METRICS.get(self.metric)
        if found is None:
            return [(("metric",), "未知的指标" + did_you_mean(self.metric, METRICS), self.metric)]
        if found.subject != subject:
            return [(("metric",), f"指标 {self.metric} 只适用于 {found.subject} 类申报", self.metric)]
        return []

    def measure(self, ctx: Context) -> Measurement | Outcome:
        found = METRICS[self.metric]
        result = found.fn(ctx.app, ctx.as_of, MetricOptions(levels=self.levels, roster=ctx.roster))
        if isinstance(result, Missing):
            return Outcome(Status.INSUFFICIENT, "无数据", "", result.reason)
        if self.min_sample is not None:
            needed = ctx.value(self.min_sample)
            if result.sample is None or result.sample < needed:
                return Outcome(
                    Status.INSUFFICIENT,
                    result.detail,
                    f"样本量不少于 {ctx.text(self.min_sample)}",
                    f"{found.title}样本量 {result.sample or 0} 不足 {ctx.text(self.min_sample)}，结果不具代表性",
                    value=result.value,
                )
        return result


@register
class MetricCheck(MetricMixin):
    """A computed metric compared with a threshold parameter.

    Passes: ``{kind: metric, metric: occupancy_rate, op: ">=", value: occupancy_min}`` with 12
    months averaging 70 occupied of 100 operating beds and ``occupancy_min`` = 60%.
    Fails: the same with 50 occupied beds a month (50% < 60%).
    """

    kind: Literal["metric"]
    op: Literal[">=", ">", "<=", "<", "=="] = Field(">=", description="比较方式")
    value: str = Field(description="阈值参数名")

    param_fields: ClassVar[tuple[str, ...]] = ("value", "min_sample")
    title: ClassVar[str] = "指标阈值"
    summary: ClassVar[str] = "把计算指标（见下文“计算指标”）与阈值参数比较，达到要求即符合。"
    passes: ClassVar[str] = "要求年入住率不低于 60%，近 12 个月平均每月 100 张运营床位中入住 70 张（70%）。"
    fails: ClassVar[str] = "同样的条件，每月入住 50 张（50%，低于 60%）。"

    def evaluate(self, ctx: Context) -> Outcome:
        measured = self.measure(ctx)
        if isinstance(measured, Outcome):
            return measured
        found = METRICS[self.metric]
        threshold = ctx.value(self.value)
        observed = metric_value_with_detail(found.title, measured.value, found.unit, measured.detail)
        expected = found.title + requirement(self.op, ctx.text(self.value))
        ok = compare(measured.value, self.op, threshold)
        value = metric_value(found.title, measured.value, found.unit)
        reason = f"{value}，{reached(ok)}{quoted_requirement(self.op, ctx.text(self.value))}的要求"
        return Outcome(Status.PASS if ok else Status.FAIL, observed, expected, reason, value=measured.value)


class Band(ParamHolder):
    """One scoring band: at or above ``at_least`` earns ``points``."""

    at_least: str = Field(description="下限参数名")
    points: float = Field(ge=0, description="得分")

    param_fields: ClassVar[tuple[str, ...]] = ("at_least",)


@register
class BandsCheck(MetricMixin):
    """Points by bands of a computed metric: the first band whose lower bound is reached scores.

    Passes (full points): ``{kind: bands, metric: satisfaction_rate, bands: [{at_least:
    satisfaction_high, points: 4}, {at_least: satisfaction_min, points: 2}]}`` with 97% satisfied
    and ``satisfaction_high`` = 95%. Partial: 92% earns 2 of 4. Fails: 80% earns 0.
    """

    kind: Literal["bands"]
    bands: list[Band] = Field(min_length=1, description="分档，按下限从高到低排列")

    param_fields: ClassVar[tuple[str, ...]] = ("min_sample",)
    title: ClassVar[str] = "分档计分"
    summary: ClassVar[str] = (
        "按计算指标分档计分：各档按下限从高到低比较，第一个达到下限的档得该档分数。达到最高档为符合，较低档为部分符合，低于最低档为不符合（0 分）。"
    )
    passes: ClassVar[str] = "满意度 ≥95% 得 4 分、≥90% 得 2 分，实际 97%，得 4 分。实际 92% 时得 2 分，为部分符合。"
    fails: ClassVar[str] = "满意度 80%，低于最低档，得 0 分。"

    def evaluate(self, ctx: Context) -> Outcome:
        measured = self.measure(ctx)
        if isinstance(measured, Outcome):
            return measured
        found = METRICS[self.metric]
        ordered = sorted(self.bands, key=lambda b: ctx.value(b.at_least), reverse=True)
        expected = "；".join(f"≥{ctx.text(b.at_least)}得{show(b.points, '分')}" for b in ordered)
        observed = metric_value_with_detail(found.title, measured.value, found.unit, measured.detail)
        value = metric_value(found.title, measured.value, found.unit)
        top = max(b.points for b in ordered)
        for band in ordered:
            if compare(measured.value, ">=", ctx.value(band.at_least)):
                status = Status.PASS if band.points >= top else Status.PARTIAL
                reason = f"{value}，达到“≥{ctx.text(band.at_least)}”档，得 {show(band.points, '分')}"
                return Outcome(status, observed, expected, reason, value=measured.value, awarded=band.points)
        lowest = ordered[-1]
        reason = f"{value}，低于最低档“≥{ctx.text(lowest.at_least)}”"
        return Outcome(Status.FAIL, observed, expected, reason, value=measured.value, awarded=0.0)
