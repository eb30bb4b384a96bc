"""Check kinds tied to the calendar: targets that step up by year, dates an applicant declares.

Provincial plans set targets per year ("2023年不低于52%、2025年不低于55%"). A rubric keeps every
step as its own quoted parameter and :class:`ScheduledMetricCheck` applies the one in force on
the evaluation date, so one rubric serves every assessment year and ``--as-of`` stays meaningful.
A target "到2024年底" is a deadline: it is in force from 31 December of that year, not from
1 January (``in_force: year_end``).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shifan.rules.checks.base import Check, Context, Outcome, ParamHolder, compare, register
from shifan.rules.checks.measure import MetricMixin
from shifan.rules.checks.metrics import METRICS
from shifan.rules.checks.timing import DATE_LABELS, DeclaredDate, date_of
from shifan.rules.messages import (
    metric_value,
    metric_value_with_detail,
    not_reported,
    quoted_requirement,
    reached,
    requirement,
)
from shifan.rules.vocab import Status


class Step(ParamHolder):
    """One step of a schedule: from the calendar year ``from_year`` on, the target is ``value``."""

    from_year: str = Field(description="起始年度参数名（单位 年，如 2025）")
    value: str = Field(description="该年度起适用的阈值参数名")

    param_fields: ClassVar[tuple[str, ...]] = ("from_year", "value")


InForce = Literal["year_start", "year_end"]


def step_in_force_from(year: int, in_force: InForce) -> dt.date:
    """The first day a step's target applies: 1 January of its year (an annual target,
    "2025年不低于55%") or 31 December (a deadline, "到2025年底达100%")."""
    return dt.date(year, 12, 31) if in_force == "year_end" else dt.date(year, 1, 1)


def step_label(year: str, in_force: InForce) -> str:
    """How a step's start reads in the output: "2025年起" or "2025年底起"."""
    return f"{year}底起" if in_force == "year_end" else f"{year}起"


@register
class ScheduledMetricCheck(MetricMixin):
    """A computed metric compared with the target in force on ``as_of``: the step with the
    latest start not after ``as_of``. A step starts on 1 January of ``from_year``, or on
    31 December of it with ``in_force: year_end`` (a "到X年底" deadline).

    Passes: ``{kind: scheduled_metric, metric: nursing_bed_share, op: ">=", schedule:
    [{from_year: year_2023, value: share_2023}, {from_year: year_2025, value: share_2025}]}`` with
    2023 → 52%, 2025 → 55%, ``as_of`` 2025-12-31 and 56% nursing-type beds. Fails: 53% on
    2025-12-31 (55% is in force), although 53% passes on 2024-12-31 (52% still in force).
    Not applicable: ``as_of`` in 2022, before the first target year. With ``in_force: year_end``
    and steps 2024 → 95%, 2025 → 100%: on 2025-03-31 the 95% target applies (in force since
    2024-12-31), on 2024-06-30 none does yet.
    """

    kind: Literal["scheduled_metric"]
    op: Literal[">=", ">", "<=", "<", "=="] = Field(">=", description="比较方式")
    schedule: list[Step] = Field(min_length=1, description="分年度目标：自某年度起适用的阈值")
    in_force: InForce = Field(
        "year_start",
        description="目标生效时点：year_start 自起始年度1月1日起（年度目标）；year_end 自该年度12月31日起（“到X年底”）",
    )

    param_fields: ClassVar[tuple[str, ...]] = ("min_sample",)
    title: ClassVar[str] = "分年度目标"
    summary: ClassVar[str] = (
        "分年度目标：计算指标与评价基准日所在年度适用的阈值比较，适用的是起始年度不晚于该年度的最后一档。评价年度早于第一档的起始年度时不适用。"
    )
    passes: ClassVar[str] = "护理型床位占比目标为 2023 年起 52%、2025 年起 55%，评价基准日 2025-12-31，实际 56%。"
    fails: ClassVar[str] = (
        "实际 53%，评价基准日 2025-12-31（适用 55%）。同样的 53% 在评价基准日 2024-12-31 时符合（仍适用 52%）。"
    )

    def evaluate(self, ctx: Context) -> Outcome:
        steps = sorted(self.schedule, key=lambda s: ctx.value(s.from_year))
        in_force = [s for s in steps if step_in_force_from(int(ctx.value(s.from_year)), self.in_force) <= ctx.as_of]
        plan = [
            f"{step_label(ctx.text(s.from_year), self.in_force)}{requirement(self.op, ctx.text(s.value))}"
            for s in steps
        ]
        found = METRICS[self.metric]
        if not in_force:
            first = step_label(ctx.text(steps[0].from_year), self.in_force).removesuffix("起")
            if self.in_force == "year_end":
                observed = f"评价基准日 {ctx.as_of}"
                reason = f"评价基准日 {ctx.as_of} 早于首个目标期限 {first}，尚无适用的{found.title}目标"
            else:
                observed = f"评价年度 {ctx.as_of.year}年"
                reason = f"评价年度 {ctx.as_of.year}年早于首个目标年度 {first}，尚无适用的{found.title}目标"
            return Outcome(Status.NOT_APPLICABLE, observed, "；".join(plan), reason, details=plan)
        step = in_force[-1]
        start = step_label(ctx.text(step.from_year), self.in_force)
        expected = f"{found.title}{requirement(self.op, ctx.text(step.value))}（{start}适用）"
        details = [f"{line}{'（本次适用）' if s is step else ''}" for s, line in zip(steps, plan, strict=True)]
        measured = self.measure(ctx)
        if isinstance(measured, Outcome):
            measured.expected = measured.expected or expected
            return measured
        observed = metric_value_with_detail(found.title, measured.value, found.unit, measured.detail)
        ok = compare(measured.value, self.op, ctx.value(step.value))
        if self.in_force == "year_end":
            applies = f"评价基准日 {ctx.as_of} 适用的（{start}）"
        else:
            applies = f"{ctx.as_of.year}年适用的"
        reason = (
            f"{metric_value(found.title, measured.value, found.unit)}，{reached(ok)}{applies}"
            f"{quoted_requirement(self.op, ctx.text(step.value))}目标"
        )
        status = Status.PASS if ok else Status.FAIL
        return Outcome(status, observed, expected, reason, value=measured.value, details=details)


@register
class DateGivenCheck(Check):
    """The application declares a date, on or before ``as_of``. Mostly used as ``applies_if``, so
    that a rule about that date applies only to applicants that have it.

    Passes: ``{kind: date_given, which: insurance_designated}`` with ``insurance_designated:
    2019-01-15``. Fails: the field is absent (not designated), or the date lies after ``as_of``;
    as an ``applies_if`` the criterion then reads 不适用.
    """

    kind: Literal["date_given"]
    which: DeclaredDate = Field(description="哪一个日期")

    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "日期已填报"
    summary: ClassVar[str] = (
        "申报文件填报了某个日期，且不晚于评价基准日。多用在 `applies_if` 中，使与该日期有关的指标只对具备该日期的申报单位适用。"
    )
    passes: ClassVar[str] = "检查纳入医保定点日期，申报文件填报了 2019-01-15。"
    fails: ClassVar[str] = (
        "未填报该日期（未纳入医保定点），或日期晚于评价基准日；用在 `applies_if` 中时，该指标为不适用。"
    )

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        label = DATE_LABELS[self.which]
        day = date_of(app, self.which, ctx.as_of)
        expected = f"已{label}"
        if day is None:
            return Outcome(Status.FAIL, not_reported(f"{label}日期"), expected, f"未{label}")
        if day > ctx.as_of:
            return Outcome(Status.FAIL, str(day), expected, f"{label}日期 {day} 晚于评价基准日 {ctx.as_of}")
        return Outcome(Status.PASS, str(day), expected, f"{day} {label}")
