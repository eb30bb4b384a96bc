"""Computed metrics: numbers derived from an application's raw data.

Each metric returns a :class:`Measurement`, or a :class:`Missing` that says which data is absent
(the criterion then reads 证据不足, never pass or fail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.checks.base import has_chinese, percent
from shifan.rules.messages import not_reported
from shifan.rules.region import REGION_RATIOS, RegionRatio, RosterIndicators
from shifan.rules.validity import valid_on
from shifan.rules.vocab import Ability, CertificateType

INTACT = Ability.INTACT


@dataclass(frozen=True)
class Measurement:
    value: float
    detail: str
    sample: int | None = None


@dataclass(frozen=True)
class Missing:
    reason: str


@dataclass(frozen=True)
class MetricOptions:
    """What a check passes to a metric besides the application and the date."""

    levels: list[Ability] | None = None
    roster: RosterIndicators | None = None


Result = Measurement | Missing
MetricFn = Callable[[Any, dt.date, MetricOptions], Result]


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    unit: str
    subject: str
    fn: MetricFn
    doc: str
    #: How the metric is computed, in Chinese, for rubric authors (the generated reference).
    description: str = ""


METRICS: dict[str, Metric] = {}


def metric(name: str, title: str, unit: str, subject: str, *, description: str) -> Callable[[MetricFn], MetricFn]:
    if not has_chinese(description):
        raise RuntimeError(f"metric {name!r} has no Chinese description")

    def decorate(fn: MetricFn) -> MetricFn:
        if name in METRICS:
            raise RuntimeError(f"metric {name!r} registered twice")
        METRICS[name] = Metric(name, title, unit, subject, fn, (fn.__doc__ or "").strip(), description)
        return fn

    return decorate


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _month_name(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def annual_months(as_of: dt.date) -> list[int]:
    """The 12 complete calendar months ending on or before ``as_of`` (month indexes, oldest first):
    on 2025-12-31 January to December 2025; on 2025-12-30 December 2024 to November 2025."""
    last = as_of.year * 12 + as_of.month - 1
    if (as_of + dt.timedelta(days=1)).month == as_of.month:
        last -= 1  # as_of's month is still running
    return [last - offset for offset in range(11, -1, -1)]


def year_before(as_of: dt.date) -> dt.date:
    """The day 12 months before ``as_of`` (29 February → 28 February): annual data must be dated
    after it and on or before ``as_of``."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:
        return as_of.replace(year=as_of.year - 1, day=28)


def dated_within_year(what: str, day: dt.date | None, as_of: dt.date) -> Missing | None:
    """Why data dated ``day`` cannot serve for the year ending ``as_of``, or None when it can."""
    if day is None:
        return None
    if day > as_of:
        return Missing(f"{what}日期 {day} 晚于评价基准日 {as_of}，不能采用")
    start = year_before(as_of)
    if day <= start:
        return Missing(
            f"{what}日期 {day} 早于评价基准日前 12 个月（{start + dt.timedelta(days=1)} 至 {as_of}），须使用近一年的数据"
        )
    return None


@metric(
    "occupancy_rate",
    "年入住率",
    "%",
    "institution",
    description="评价基准日当日或以前最后 12 个完整的自然月（基准日为月末时含当月）：各月入住床位数之和 ÷ 各月运营床位数之和；缺任何一个月即为证据不足。某月填报了运营床位数时以该数为准，否则用 `beds.operating`。",
)
def occupancy_rate(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Occupied bed-months ÷ operating bed-months over the 12 complete calendar months ending on or
    before ``as_of`` (see :func:`annual_months`); months after it are ignored, a missing month makes
    the rate unknown. Monthly ``operating`` overrides ``beds.operating``."""
    if not app.occupancy:
        return Missing(not_reported("逐月入住数据"))
    window = annual_months(as_of)
    by_index = {_month_index(m.month): m for m in app.occupancy}
    absent = [i for i in window if i not in by_index]
    if absent:
        names = "、".join(_month_name(i) for i in absent[:4]) + ("…" if len(absent) > 4 else "")
        span = f"{_month_name(window[0])}至{_month_name(window[-1])}"
        return Missing(f"评价年度（{span}）逐月入住数据不全，缺 {len(absent)} 个月（{names}）")
    occupied = sum(by_index[i].occupied for i in window)
    operating = sum(by_index[i].operating or app.beds.operating for i in window)
    if operating <= 0:
        return Missing("实际运营床位数为 0，无法计算入住率")
    span = f"{_month_name(window[0])}至{_month_name(window[-1])}"
    value = percent(occupied, operating)
    return Measurement(value, f"{span} 月均在住 {occupied / 12:.1f} 床 / 运营 {operating / 12:.0f} 床")


@metric(
    "disabled_share",
    "失能（含失智）老年人占比",
    "%",
    "institution",
    description="检查的 `levels` 所列能力等级（缺省为能力完好以外的全部等级）的在住老年人，加上评估为能力完好的失智老年人，÷ 全部在住老年人。",
)
def disabled_share(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Residents in the ability levels the check lists (default: every level but 能力完好), plus
    dementia residents assessed as 能力完好, ÷ all residents."""
    residents = app.residents
    if residents is None or residents.total == 0:
        return Missing(not_reported("入住老年人能力等级构成"))
    stale = dated_within_year("能力评估统计", residents.assessed, as_of)
    if stale is not None:
        return stale
    levels = options.levels or [a for a in Ability if a is not INTACT]
    count = sum(residents.by_ability.get(level, 0) for level in levels)
    if INTACT not in levels:
        count += residents.dementia_intact
    value = percent(count, residents.total)
    return Measurement(value, f"失能（含失智）{count} 人 / 在住 {residents.total} 人", residents.total)


@metric(
    "nursing_bed_share",
    "护理型床位占比",
    "%",
    "institution",
    description="护理型床位数 ÷ 核定床位数。",
)
def nursing_bed_share(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Nursing-type beds ÷ approved beds."""
    if app.beds.approved == 0:
        return Missing("核定床位数为 0")
    value = percent(app.beds.nursing_type, app.beds.approved)
    return Measurement(value, f"护理型床位 {app.beds.nursing_type} 张 / 核定 {app.beds.approved} 张")


@metric(
    "satisfaction_rate",
    "满意度",
    "%",
    "institution",
    description="评价基准日前 12 个月内（含基准日）的满意度调查：满意问卷数 ÷ 调查问卷数；样本量为调查问卷数。调查日期晚于基准日或早于 12 个月的不能采用。",
)
def satisfaction_rate(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Satisfied ÷ surveyed questionnaires of a survey dated within the 12 months up to ``as_of``
    (a survey after ``as_of`` is not yet known; one older than a year is out of date)."""
    survey = app.satisfaction
    if survey is None:
        return Missing(not_reported("满意度调查"))
    if survey.date > as_of:
        return Missing(f"满意度调查日期 {survey.date} 晚于评价基准日 {as_of}，调查结果尚不能采用")
    stale = dated_within_year("满意度调查", survey.date, as_of)
    if stale is not None:
        return stale
    if survey.surveyed == 0:
        return Missing("满意度调查有效问卷数为 0")
    value = percent(survey.satisfied, survey.surveyed)
    return Measurement(
        value, f"满意 {survey.satisfied} 份 / 有效问卷 {survey.surveyed} 份（{survey.date}）", survey.surveyed
    )


@metric(
    "operating_beds",
    "实际运营床位数",
    "张",
    "institution",
    description="申报文件填报的实际运营床位数。",
)
def operating_beds(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Operating beds as declared."""
    return Measurement(app.beds.operating, f"实际运营床位 {app.beds.operating} 张")


@metric(
    "approved_beds",
    "核定床位数",
    "张",
    "institution",
    description="申报文件填报的核定床位数。",
)
def approved_beds(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Approved beds as declared."""
    return Measurement(app.beds.approved, f"核定床位 {app.beds.approved} 张")


@metric(
    "valid_agreements",
    "有效医疗合作协议数",
    "份",
    "institution",
    description="评价基准日已签订且未到期的医疗合作协议份数。",
)
def valid_agreements(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Agreements with medical institutions signed on or before ``as_of`` and not expired."""
    valid = [a for a in app.agreements if valid_on(as_of, a.signed, a.expires)]
    return Measurement(len(valid), f"有效协议 {len(valid)} 份" + (f"（{valid[0].partner}等）" if valid else ""))


@metric(
    "physician_count",
    "执业医师人数",
    "人",
    "institution",
    description="持有在评价基准日有效的医师执业证书的工作人员人数。",
)
def physician_count(app: InstitutionApplication, as_of: dt.date, options: MetricOptions) -> Result:
    """Physicians holding a practice certificate valid on ``as_of``."""
    count = sum(
        1
        for s in app.staff
        if any(c.type is CertificateType.PHYSICIAN_PRACTICE and valid_on(as_of, None, c.expires) for c in s.held)
    )
    return Measurement(count, f"持有效医师执业证书 {count} 人")


def _region_ratio(
    app: RegionApplication, as_of: dt.date, ratio: RegionRatio, roster: RosterIndicators | None
) -> Result:
    """A ratio of two stated indicators; an indicator the county left empty falls back to the
    value derived from its roster (see :mod:`shifan.evaluate.rollup`). When the roster is
    complete (it holds every elderly-care institution of the county), a stated indicator that
    differs from the roster's figure is replaced by it, and the detail says so. Statistics dated
    outside the 12 months up to ``as_of`` cannot serve."""
    stale = dated_within_year("统计截止", app.indicators.date, as_of)
    if stale is not None:
        return stale
    numerator, denominator = ratio.numerator, ratio.denominator
    stated = {name: getattr(app.indicators, name) for name in (numerator, denominator)}
    derived = {name: roster.get(name) if roster is not None else None for name in stated}
    from_roster = [name for name, v in stated.items() if v is None and derived[name] is not None]
    complete = roster is not None and roster.complete
    contradicted = [name for name, v in stated.items() if complete and v is not None and derived[name] not in (None, v)]
    values = {name: derived[name] if v is None or name in contradicted else v for name, v in stated.items()}
    top, bottom = values[numerator], values[denominator]
    if top is None or bottom is None:
        absent = [name for name, v in values.items() if v is None]
        return Missing(not_reported(f"统计指标 indicators.{'、indicators.'.join(absent)}"))
    if bottom == 0:
        return Missing(f"indicators.{denominator} 为 0，无法计算{ratio.title}")
    titles = RosterIndicators.titles()
    notes = [f"{'、'.join(titles.get(name, name) for name in from_roster)}由名册汇总"] if from_roster else []
    notes += [
        f"{titles.get(name, name)}申报数 {stated[name]} 与名册汇总 {derived[name]} 不一致，按名册计"
        for name in contradicted
    ]
    note = f"，{'；'.join(notes)}" if notes else ""
    return Measurement(percent(top, bottom), f"{top} / {bottom}{note}", bottom)


def _region_metric(ratio: RegionRatio) -> None:
    def fn(app: RegionApplication, as_of: dt.date, options: MetricOptions) -> Result:
        return _region_ratio(app, as_of, ratio, options.roster)

    fn.__doc__ = f"indicators.{ratio.numerator} ÷ indicators.{ratio.denominator}."
    description = (
        f"{ratio.formula}（申报文件 `indicators.{ratio.numerator}` ÷ `indicators.{ratio.denominator}`）；"
        "未填报的统计指标由辖区机构名册汇总；名册完整（名册中的养老机构数等于填报的养老机构总数）时，"
        "填报数与名册汇总不一致的按名册计。"
    )
    metric(ratio.metric, ratio.title, "%", "region", description=description)(fn)


for _entry in REGION_RATIOS:
    _region_metric(_entry)
