"""Check kinds on dated records: no serious incidents in a window, activities in every period."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shifan.rules.checks.base import Check, Context, Outcome, register
from shifan.rules.vocab import ActivityType, IncidentCategory, Severity, Status


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def window_start(ctx: Context, param: str) -> dt.date:
    """The day after which records count, for a window parameter in 年 or 个月."""
    amount = int(ctx.value(param))
    if ctx.unit(param) in ("个月", "月"):
        return months_before(ctx.as_of, amount)
    return years_before(ctx.as_of, amount)


@register
class NoEventsCheck(Check):
    """No incident of the given categories at or above a severity within a window before ``as_of``.

    Passes: ``{kind: no_events, categories: [work_safety, fire], min_severity: larger, within:
    safety_window_years}`` with only a 一般 fire in the last 3 years. Fails: a 较大 fire 14 months
    before ``as_of``. Incidents after ``as_of`` are not yet known and are ignored.
    """

    kind: Literal["no_events"]
    categories: list[IncidentCategory] = Field(min_length=1, description="事件类别")
    min_severity: Severity = Field(description="计入的最低等级")
    within: str = Field(description="回溯期参数名（单位 年 或 个月）")

    param_fields: ClassVar[tuple[str, ...]] = ("within",)
    title: ClassVar[str] = "期内无事件"
    summary: ClassVar[str] = (
        "评价基准日之前的回溯期内，没有发生所列类别中达到或超过所列等级的事件。评价基准日之后的事件尚不知晓，不计入。"
    )
    passes: ClassVar[str] = "回溯期 3 年，计入较大及以上的安全生产和消防事件，期内只有一起一般火灾。"
    fails: ClassVar[str] = "评价基准日前 14 个月发生一起较大火灾。"

    def evaluate(self, ctx: Context) -> Outcome:
        start = window_start(ctx, self.within)
        names = "、".join(c.label for c in self.categories)
        grade = self.min_severity.label + ("" if self.min_severity is Severity.EXTRAORDINARY else "及以上")
        expected = f"近{ctx.text(self.within)}内无{grade}{names}"
        hits = [
            incident
            for incident in ctx.app.incidents
            if start < incident.date <= ctx.as_of
            and incident.category in self.categories
            and incident.severity.rank >= self.min_severity.rank
        ]
        period = f"{start + dt.timedelta(days=1)} 至 {ctx.as_of}"
        if not hits:
            return Outcome(
                Status.PASS,
                f"{period} 无此类事件",
                expected,
                f"近{ctx.text(self.within)}内（{period}）未发生{grade}{names}",
            )
        details = [
            f"{i.date} {i.severity.label}{i.category.label}：{i.summary}" for i in sorted(hits, key=lambda i: i.date)
        ]
        first = hits[0]
        reason = (
            f"{first.date} 发生{first.severity.label}{first.category.label}，在近{ctx.text(self.within)}内（{period}）"
        )
        if len(hits) > 1:
            reason += f"（共 {len(hits)} 起）"
        return Outcome(Status.FAIL, f"{period} 共 {len(hits)} 起", expected, reason, value=len(hits), details=details)


PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年"}


def period_name(start: dt.date, per: str) -> str:
    if per == "year":
        return f"{start.year}年"
    if per == "half_year":
        return f"{start.year}年{'上' if start.month <= 6 else '下'}半年"
    if per == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def last_complete_periods(as_of: dt.date, per: str, count: int) -> list[tuple[dt.date, dt.date]]:
    """The ``count`` calendar periods (month, quarter, half-year, year) that ended on or before
    ``as_of``, oldest first. A period still running on ``as_of`` is never one of them: on
    2025-11-30 the last complete half-year is 2025年上半年, on 2025-12-31 it is 2025年下半年."""
    size = PERIOD_MONTHS[per]
    # index (months since year 0) of the first month of the period containing as_of
    current = (as_of.year * 12 + as_of.month - 1) // size * size
    next_start_year, next_start_month = divmod(current + size, 12)
    if dt.date(next_start_year, next_start_month + 1, 1) - dt.timedelta(days=1) <= as_of:
        current += size  # as_of is the last day of its period: that period is complete
    periods = []
    for index in range(current - count * size, current, size):
        year, month = divmod(index, 12)
        end_year, end_month = divmod(index + size, 12)
        periods.append((dt.date(year, month + 1, 1), dt.date(end_year, end_month + 1, 1) - dt.timedelta(days=1)))
    return periods


def window_months(ctx: Context, param: str) -> int:
    """A look-back window parameter (单位 年 or 个月) in months."""
    amount = int(ctx.value(param))
    return amount if ctx.unit(param) in ("个月", "月") else amount * 12


@register
class PeriodicCheck(Check):
    """At least k activities of the given types in each of the last complete calendar periods
    before ``as_of`` that a look-back window holds (12 months → the last 2 half-years, 4 quarters
    or 1 year; a period still running on ``as_of`` is not counted).

    Passes: ``{kind: periodic, activities: [fire_drill], per: half_year, at_least: drills_per_half,
    window: drill_window_months}`` with a fire drill in March and in September and ``as_of``
    2025-12-31. Fails: no drill between July and December (2025年下半年：0次). On 2025-11-30 the
    periods are 2024年下半年 and 2025年上半年. Periods that began before the institution's
    qualification date, or before ``not_before`` (the issue date of the document that sets the
    frequency), are not required. Several ``activities`` are counted together (any of
    them); to require each kind, combine one check per kind with ``all``.

    ``credit`` is the rubric's choice for a window where some periods fall short: with
    ``all_or_nothing`` (the default, the reading of "每…至少") any short period fails the
    criterion; with ``per_period`` the criterion is partial and earns the share of periods met
    (one of two half-years met → half the points).
    """

    kind: Literal["periodic"]
    activities: list[ActivityType] = Field(min_length=1, description="活动类型（任一计数）")
    per: Literal["month", "quarter", "half_year", "year"] = Field(description="周期")
    at_least: str = Field(description="每周期最少次数参数名")
    window: str = Field(description="回溯期参数名（单位 年 或 个月）")
    not_before: dt.date | None = Field(
        None, description="不考核开始于此日期之前的周期（如要求出处文件的印发日期），可选"
    )
    credit: Literal["all_or_nothing", "per_period"] = Field(
        "all_or_nothing",
        description="部分周期未达标时如何计分：`all_or_nothing` 为任一周期未达标即不符合（默认，对应原文“每…至少”）；"
        "`per_period` 为按达标周期所占比例给分（部分符合），须在评分说明中写明理由",
    )

    param_fields: ClassVar[tuple[str, ...]] = ("at_least", "window")
    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "定期开展"
    summary: ClassVar[str] = (
        "回溯期内的每个自然周期（每月、每季度、每半年或每年）都开展了不少于规定次数的所列活动（任一类型都计数）。申报单位取得医养结合资质之前的周期不作要求。"
        "默认任一周期未达标即不符合；评分标准写明按周期计分（`credit: per_period`）时，部分周期达标为部分符合，按达标周期所占比例给分。"
    )
    passes: ClassVar[str] = "要求每半年至少 1 次消防演练，回溯期 12 个月、截至 2025-12-31，3 月和 9 月各演练一次。"
    fails: ClassVar[str] = "7 月至 12 月没有演练（2025年下半年：0次）；按周期计分时为部分符合，得一半分值。"

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        count = max(1, window_months(ctx, self.window) // PERIOD_MONTHS[self.per])
        q = app.qualifications
        began = [
            d
            for d in (
                q.medical_licence and q.medical_licence.issued,
                q.elderly_care_filing and q.elderly_care_filing.date,
            )
            if d
        ]
        first = max([*began, *([self.not_before] if self.not_before else [])], default=None)
        names = "或".join(a.label for a in self.activities)
        need = int(ctx.value(self.at_least))
        expected = f"近{ctx.text(self.window)}内{PERIOD_LABELS[self.per]}至少开展{names} {need} 次"
        periods = [
            (start, end)
            for start, end in last_complete_periods(ctx.as_of, self.per, count)
            if first is None or start >= first
        ]
        if not periods:
            return Outcome(
                Status.NOT_APPLICABLE,
                "回溯期内无完整周期",
                expected,
                "评价基准日前没有取得资质（及要求生效）后的完整考核周期",
            )
        counts = []
        for start, end in periods:
            n = sum(1 for a in app.activities if a.type in self.activities and start <= a.date <= end)
            counts.append((period_name(start, self.per), n))
        short = [(name, n) for name, n in counts if n < need]
        observed = f"{names}：" + "；".join(f"{name} {n} 次" for name, n in counts)
        span = counts[0][0] if len(counts) == 1 else f"{counts[0][0]}至{counts[-1][0]}"
        if not short:
            return Outcome(Status.PASS, observed, expected, f"{names}：{span}共 {len(periods)} 个周期均达到 {need} 次")
        details = [f"{names}，{name}：{n} 次" for name, n in short]
        reason = f"{names}：{'、'.join(name for name, _ in short)}未达到 {need} 次"
        fraction = (len(periods) - len(short)) / len(periods)
        if self.credit == "all_or_nothing":
            return Outcome(Status.FAIL, observed, expected, reason, details=details)
        status = Status.PARTIAL if fraction > 0 else Status.FAIL
        return Outcome(status, observed, expected, reason, fraction=fraction, details=details)
