"""Check kinds on dates: elapsed time between two dates, licences valid on the evaluation date,
the no-reapplication period after a cancelled title."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shifan.rules.application import InstitutionApplication, is_placeholder
from shifan.rules.checks.base import Check, Context, Outcome, compare, register
from shifan.rules.messages import complies, not_reported, quoted_requirement, requirement
from shifan.rules.vocab import MedicalLevel, Status

#: Dates an application declares (or derives, like the qualification date).
DeclaredDate = Literal[
    "qualification",
    "medical_licence",
    "elderly_care_filing",
    "founded",
    "operation_start",
    "insurance_designated",
]
#: Those dates and the evaluation date itself.
DateSource = Literal[DeclaredDate, "as_of"]

DATE_LABELS = {
    "qualification": "取得医养结合资质（医疗资质与养老备案均具备）",
    "medical_licence": "取得医疗机构执业许可（备案）",
    "elderly_care_filing": "养老机构备案",
    "founded": "成立",
    "operation_start": "正式运营",
    "insurance_designated": "纳入医保定点",
    "as_of": "评价基准日",
}


def date_of(app: InstitutionApplication, source: str, as_of: dt.date) -> dt.date | None:
    q = app.qualifications
    licence = q.medical_licence.issued if q.medical_licence else None
    filing = q.elderly_care_filing.date if q.elderly_care_filing else None
    if source == "qualification":
        return max(licence, filing) if licence and filing else None
    return {
        "medical_licence": licence,
        "elderly_care_filing": filing,
        "founded": app.founded,
        "operation_start": q.operation_start,
        "insurance_designated": q.insurance_designated,
        "as_of": as_of,
    }[source]


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (an anniversary on a shorter month counts at its end)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day and not _last_day(end):
        months -= 1
    return months


def _last_day(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).month != day.month


@register
class ElapsedCheck(Check):
    """Whole years (or months, when the parameter's unit is 个月) between two dates.

    Passes: ``{kind: elapsed, since: qualification, at_least: operating_years_min}`` with
    licence and filing both obtained 2021-03-01, ``as_of`` 2025-12-31 and 3 years required
    (4 whole years). Fails: qualification obtained 2024-01-01 (1 whole year).
    """

    kind: Literal["elapsed"]
    since: DateSource = Field(description="起算日期")
    until: DateSource = Field("as_of", description="截止日期，缺省为评价基准日")
    op: Literal[">=", "<="] = Field(">=", description="比较方式")
    at_least: str = Field(description="时长参数名（单位 年 或 个月）")

    param_fields: ClassVar[tuple[str, ...]] = ("at_least",)
    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "时长"
    summary: ClassVar[str] = "两个日期之间的整年数（时长参数的单位为“个月”时为整月数）与规定时长比较。"
    passes: ClassVar[str] = "要求取得医养结合资质满 3 年：2021-03-01 取得，评价基准日 2025-12-31，满 4 年。"
    fails: ClassVar[str] = "2024-01-01 才取得资质，满 1 年。"

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        start = date_of(app, self.since, ctx.as_of)
        end = date_of(app, self.until, ctx.as_of)
        label = f"自{DATE_LABELS[self.since]}至{DATE_LABELS[self.until]}"
        expected = label + requirement(self.op, ctx.text(self.at_least))
        missing = [DATE_LABELS[s] for s, d in ((self.since, start), (self.until, end)) if d is None]
        if start is None or end is None:
            return Outcome(Status.INSUFFICIENT, "无日期", expected, not_reported(f"{'、'.join(missing)}日期"))
        months = months_between(start, end)
        in_months = ctx.unit(self.at_least) in ("个月", "月")
        amount = months if in_months else months // 12
        unit = "个月" if in_months else "年"
        observed = f"{start} 至 {end}，满 {amount} {unit}"
        ok = compare(amount, self.op, ctx.value(self.at_least))
        reason = f"{label}满 {amount} {unit}，{complies(ok)}{quoted_requirement(self.op, ctx.text(self.at_least))}"
        return Outcome(Status.PASS if ok else Status.FAIL, observed, expected, reason, value=amount)


@register
class LicenceCheck(Check):
    """A licence or filing is held and valid on ``as_of`` (issued on or before it, not expired).

    Passes: ``{kind: licence, which: medical_licence}`` with a licence issued 2020-05-01 and
    expiring 2030-04-30. Fails: no licence, or one that expired 2025-01-31 for ``as_of``
    2025-12-31. ``levels`` restricts the acceptable kinds of medical institution.
    """

    kind: Literal["licence"]
    which: Literal["medical_licence", "elderly_care_filing"] = Field(description="哪一项资质")
    levels: list[MedicalLevel] | None = Field(None, description="医疗机构类别限于（可选）")

    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "资质有效"
    summary: ClassVar[str] = (
        "在评价基准日持有有效的资质（医疗机构执业许可或养老机构备案）：已取得且未到期。可用 `levels` 限定医疗机构类别。"
    )
    passes: ClassVar[str] = "医疗机构执业许可证 2020-05-01 发证、2030-04-30 到期。"
    fails: ClassVar[str] = "没有许可证，或许可证已于 2025-01-31 到期（评价基准日 2025-12-31）。"

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        q = app.qualifications
        if self.which == "elderly_care_filing":
            expected = "已依法进行养老机构备案"
            filing = q.elderly_care_filing
            if filing is None or filing.date > ctx.as_of:
                return Outcome(Status.FAIL, "未备案", expected, "未进行养老机构备案")
            if is_placeholder(filing.number):
                return Outcome(Status.INSUFFICIENT, f"备案号“{filing.number}”", expected, "养老机构备案编号尚未填写")
            return Outcome(Status.PASS, f"备案号 {filing.number}（{filing.date}）", expected, "已进行养老机构备案")
        expected = "持有有效的医疗机构执业许可（备案）"
        if self.levels:
            expected += "，类别为" + "或".join(level.label for level in self.levels)
        licence = q.medical_licence
        if licence is None or licence.issued > ctx.as_of:
            return Outcome(Status.FAIL, "无医疗机构执业许可", expected, "不具备医疗卫生机构资质")
        if is_placeholder(licence.number):
            return Outcome(
                Status.INSUFFICIENT, f"许可证编号“{licence.number}”", expected, "医疗机构执业许可证编号尚未填写"
            )
        observed = f"{licence.level.label}，许可证 {licence.number}，{licence.issued} 取得" + (
            f"，有效期至 {licence.expires}" if licence.expires else ""
        )
        if licence.expires is not None and licence.expires < ctx.as_of:
            return Outcome(Status.FAIL, observed, expected, f"医疗机构执业许可已于 {licence.expires} 过期")
        if self.levels and licence.level not in self.levels:
            return Outcome(Status.FAIL, observed, expected, f"医疗机构类别为{licence.level.label}，不符合要求")
        return Outcome(Status.PASS, observed, expected, "具备有效的医疗卫生机构资质")


def years_after(day: dt.date, years: int) -> dt.date:
    """The ``years``-th anniversary of ``day`` (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@register
class TitleCancelledCheck(Check):
    """No 示范 title of the applicant was cancelled within the last N years before ``as_of``.

    Passes: ``{kind: title_cancelled, years: reapplication_ban_years}`` with no ``cancelled_title``
    (never cancelled), or a title cancelled 2021-06-30 with ``as_of`` 2025-12-31 and 3 years (the
    period ended on 2024-06-30). Fails: a title cancelled 2024-10-15 (may apply again from
    2027-10-15). The period ends on the N-th anniversary of the cancellation: from that day the
    applicant may apply again. A cancellation dated after ``as_of`` is not counted.
    """

    kind: Literal["title_cancelled"]
    years: str = Field(description="不得再次申报的年数参数名")

    param_fields: ClassVar[tuple[str, ...]] = ("years",)
    title: ClassVar[str] = "取消称号后不得申报"
    summary: ClassVar[str] = (
        "申报单位被取消示范称号的，自取消之日起规定年数内不得再次申报；期满之日（取消日期的第 N 个周年日）起可以申报。"
        "未被取消过称号的符合；取消日期晚于评价基准日的不计。"
    )
    passes: ClassVar[str] = (
        "未被取消过称号；或 2021-06-30 被取消、规定 3 年、评价基准日 2025-12-31（2024-06-30 期满）。"
    )
    fails: ClassVar[str] = "2024-10-15 被取消称号，2027-10-15 起才能再次申报。"

    def evaluate(self, ctx: Context) -> Outcome:
        cancelled = ctx.app.cancelled_title
        years = int(ctx.value(self.years))
        expected = f"被取消示范称号的，{ctx.text(self.years)}内不得再次申报"
        if cancelled is None or cancelled.date > ctx.as_of:
            return Outcome(Status.PASS, "未被取消过示范称号", expected, "未被取消过示范称号")
        ends = years_after(cancelled.date, years)
        document = f"（{cancelled.document}）" if cancelled.document else ""
        observed = f"{cancelled.date} 被取消示范称号{document}：{cancelled.reason}"
        if ctx.as_of >= ends:
            return Outcome(
                Status.PASS, observed, expected, f"{cancelled.date} 被取消称号，至 {ends} 已满{ctx.text(self.years)}"
            )
        return Outcome(
            Status.FAIL,
            observed,
            expected,
            f"{cancelled.date} 被取消示范称号（{cancelled.reason}），{ctx.text(self.years)}内不得再次申报，{ends} 起方可申报",
        )
