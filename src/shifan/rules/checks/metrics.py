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


Result = Measurement | Missing
MetricFn = Callable[[Any, dt.date, dict[str, Any]], Result]


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    unit: str
    subject: str
    fn: MetricFn
    doc: str


METRICS: dict[str, Metric] = {}


def metric(name: str, title: str, unit: str, subject: str) -> Callable[[MetricFn], MetricFn]:
    def decorate(fn: MetricFn) -> MetricFn:
        if name in METRICS:
            raise RuntimeError(f"metric {name!r} registered twice")
        METRICS[name] = Metric(name, title, unit, subject, fn, (fn.__doc__ or "").strip())
        return fn

    return decorate


def _ratio(numerator: float, denominator: float) -> float:
    return 100.0 * numerator / denominator


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


@metric("occupancy_rate", "年入住率", "%", "institution")
def occupancy_rate(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Occupied bed-months ÷ operating bed-months over the 12 months ending with ``as_of``'s month
    (or the last complete month before it). Monthly ``operating`` overrides ``beds.operating``."""
    last = as_of.year * 12 + as_of.month - 1
    months = {m.month: m for m in app.occupancy if _month_index(m.month) <= last}
    if not months:
        return Missing("未填报逐月入住数据（occupancy）")
    latest = max(_month_index(m) for m in months)
    window = [latest - offset for offset in range(12)]
    by_index = {_month_index(k): v for k, v in months.items()}
    absent = [i for i in window if i not in by_index]
    if absent:
        names = "、".join(f"{i // 12}-{i % 12 + 1:02d}" for i in sorted(absent)[:4])
        return Missing(f"评价年度逐月入住数据不全，缺 {len(absent)} 个月（{names}…）")
    occupied = sum(by_index[i].occupied for i in window)
    operating = sum(by_index[i].operating or app.beds.operating for i in window)
    if operating <= 0:
        return Missing("实际运营床位数为 0，无法计算入住率")
    start, end = min(window), max(window)
    span = f"{start // 12}-{start % 12 + 1:02d}至{end // 12}-{end % 12 + 1:02d}"
    value = _ratio(occupied, operating)
    return Measurement(value, f"{span} 月均在住 {occupied / 12:.1f} 床 / 运营 {operating / 12:.0f} 床")


@metric("disabled_share", "失能（含失智）老年人占比", "%", "institution")
def disabled_share(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Residents in the ability levels the check lists (default: every level but 能力完好), plus
    dementia residents assessed as 能力完好, ÷ all residents."""
    residents = app.residents
    if residents is None or residents.total == 0:
        return Missing("未填报入住老年人能力等级构成（residents）")
    levels = options.get("levels") or [a for a in Ability if a is not INTACT]
    count = sum(residents.by_ability.get(level, 0) for level in levels)
    if INTACT not in levels:
        count += residents.dementia_intact
    value = _ratio(count, residents.total)
    return Measurement(value, f"失能（含失智）{count} 人 / 在住 {residents.total} 人", residents.total)


@metric("nursing_bed_share", "护理型床位占比", "%", "institution")
def nursing_bed_share(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Nursing-type beds ÷ approved beds."""
    if app.beds.approved == 0:
        return Missing("核定床位数为 0")
    value = _ratio(app.beds.nursing_type, app.beds.approved)
    return Measurement(value, f"护理型床位 {app.beds.nursing_type} 张 / 核定 {app.beds.approved} 张")


@metric("satisfaction_rate", "满意度", "%", "institution")
def satisfaction_rate(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Satisfied ÷ surveyed questionnaires of the latest survey not after ``as_of``."""
    survey = app.satisfaction
    if survey is None or survey.date > as_of:
        return Missing("未填报满意度调查（satisfaction）")
    if survey.surveyed == 0:
        return Missing("满意度调查有效问卷数为 0")
    value = _ratio(survey.satisfied, survey.surveyed)
    return Measurement(
        value, f"满意 {survey.satisfied} 份 / 有效问卷 {survey.surveyed} 份（{survey.date}）", survey.surveyed
    )


@metric("operating_beds", "实际运营床位数", "张", "institution")
def operating_beds(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Operating beds as declared."""
    return Measurement(app.beds.operating, f"实际运营床位 {app.beds.operating} 张")


@metric("approved_beds", "核定床位数", "张", "institution")
def approved_beds(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Approved beds as declared."""
    return Measurement(app.beds.approved, f"核定床位 {app.beds.approved} 张")


@metric("valid_agreements", "有效医疗合作协议数", "份", "institution")
def valid_agreements(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Agreements with medical institutions signed on or before ``as_of`` and not expired."""
    valid = [a for a in app.agreements if a.signed <= as_of and (a.expires is None or a.expires >= as_of)]
    return Measurement(len(valid), f"有效协议 {len(valid)} 份" + (f"（{valid[0].partner}等）" if valid else ""))


@metric("physician_count", "执业医师人数", "人", "institution")
def physician_count(app: InstitutionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
    """Physicians holding a practice certificate valid on ``as_of``."""
    count = sum(
        1
        for s in app.staff
        if any(
            c.type is CertificateType.PHYSICIAN_PRACTICE and (c.expires is None or c.expires >= as_of) for c in s.held
        )
    )
    return Measurement(count, f"持有效医师执业证书 {count} 人")


def _region_ratio(
    app: RegionApplication, numerator: str, denominator: str, label: str, options: dict[str, Any] | None = None
) -> Result:
    """A ratio of two stated indicators; an indicator the county left empty falls back to the
    value derived from its roster (``options["roster_indicators"]``, see :mod:`shifan.evaluate.rollup`)."""
    indicators = app.indicators
    derived = (options or {}).get("roster_indicators") or {}
    top = getattr(indicators, numerator)
    bottom = getattr(indicators, denominator)
    from_roster = [name for name, v in ((numerator, top), (denominator, bottom)) if v is None and name in derived]
    top = derived.get(numerator) if top is None else top
    bottom = derived.get(denominator) if bottom is None else bottom
    if top is None or bottom is None:
        absent = [name for name, v in ((numerator, top), (denominator, bottom)) if v is None]
        return Missing(f"未填报统计指标 indicators.{'、indicators.'.join(absent)}")
    if bottom == 0:
        return Missing(f"indicators.{denominator} 为 0，无法计算{label}")
    note = f"（{'、'.join(from_roster)} 由名册汇总）" if from_roster else ""
    return Measurement(_ratio(top, bottom), f"{top} / {bottom}{note}", bottom)


def _region_metric(name: str, title: str, numerator: str, denominator: str) -> None:
    def fn(app: RegionApplication, as_of: dt.date, options: dict[str, Any]) -> Result:
        return _region_ratio(app, numerator, denominator, title, options)

    fn.__doc__ = f"indicators.{numerator} ÷ indicators.{denominator}."
    metric(name, title, "%", "region")(fn)


for _name, _title, _num, _den in (
    ("care_medical_share", "能提供医疗卫生服务的养老机构占比", "care_providing_medical", "care_institutions"),
    ("care_signed_share", "养老机构与医疗机构签约率", "care_signed_medical", "care_institutions"),
    ("region_nursing_bed_share", "护理型床位占养老床位比例", "nursing_type_beds", "care_beds"),
    ("geriatrics_share", "二级及以上综合性医院设老年医学科比例", "with_geriatrics", "level2_general_hospitals"),
    ("health_management_rate", "65岁及以上老年人健康管理率", "health_managed_65", "population_65"),
    ("tcm_management_rate", "65岁及以上老年人中医药健康管理率", "tcm_managed_65", "population_65"),
    ("family_doctor_rate", "重点人群家庭医生签约率", "key_population_signed", "key_population"),
):
    _region_metric(_name, _title, _num, _den)
