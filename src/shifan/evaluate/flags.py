"""Plausibility flags (提示) of one application under a rubric: data a reviewer should verify
first. Flags never change a score or a verdict.

The rubric decides which flags apply (``flags`` in the rubric YAML) and where their thresholds
come from (parameters with a source); each ``_flag_*`` function below computes one kind of
:data:`shifan.rules.flags.FLAG_KINDS` and returns a :class:`Flag` or None.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML

from shifan.evaluate.result import Flag, ParameterUse
from shifan.files import templates_dir
from shifan.formatting import format_number
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.flags import FLAG_KINDS, FlagSpec
from shifan.rules.region import REGION_RATIOS, RosterIndicators
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import Ability, Role

AnyApplication = InstitutionApplication | RegionApplication

#: What people write when they do not have a certificate number (无, 待补, xxx, 000000, 123456…).
PLACEHOLDER_NUMBER = re.compile(
    r"^(无|暂无|没有|待补|待补充|待定|待填|待查|未知|不详|略|空|[/\\\-—_.。*？?]+|[xX×]+|n/?a|none|null|tbd|0+|0?123456\d*|(.)\2+)$",
    re.IGNORECASE,
)


class _Thresholds:
    """The threshold parameters of one flag, resolved in the rubric."""

    def __init__(self, rubric: Rubric, spec: FlagSpec) -> None:
        self.rubric = rubric
        self.spec = spec

    def value(self, role: str) -> float:
        return self.rubric.parameters[self.spec.thresholds[role]].value

    def text(self, role: str) -> str:
        return self.rubric.parameters[self.spec.thresholds[role]].formatted()

    def uses(self) -> list[ParameterUse]:
        result = []
        for name in self.spec.thresholds.values():
            param = self.rubric.parameters[name]
            result.append(
                ParameterUse(
                    name=name,
                    title=param.title,
                    value=param.value,
                    unit=param.unit,
                    text=param.formatted(),
                    status=param.status,
                    source=self.rubric.source(param.source),
                )
            )
        return result


Computer = Callable[[AnyApplication, dt.date, _Thresholds, RosterIndicators | None], Flag | None]


def _flag(code: str, message: str, **data: str | float | int | list[str]) -> Flag:
    return Flag(code=code, title=FLAG_KINDS[code].title, message=message, data=data)


def _staff_ratio(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication) or app.residents is None or not app.residents.total:
        return None
    residents, staff = app.residents.total, len(app.staff)
    limit = limits.value("residents_per_staff_max")
    if staff and residents / staff <= limit:
        return None
    per = format_number(round(residents / staff, 1)) if staff else "—"
    return _flag(
        "staff_ratio",
        f"在住老年人 {residents} 人，花名册工作人员 {staff} 人（每人服务 {per} 人），"
        f"超过每名工作人员服务 {limits.text('residents_per_staff_max')} 的提示线：请核实花名册是否完整",
        residents=residents,
        staff=staff,
    )


def _carer_ratio(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication) or app.residents is None:
        return None
    disabled = sum(n for level, n in app.residents.by_ability.items() if level is not Ability.INTACT)
    carers = sum(1 for s in app.staff if s.role in (Role.NURSE, Role.CAREGIVER))
    limit = limits.value("disabled_per_carer_max")
    if not disabled or (carers and disabled / carers <= limit):
        return None
    per = format_number(round(disabled / carers, 1)) if carers else "—"
    return _flag(
        "carer_ratio",
        f"失能老年人 {disabled} 人，注册护士和养老护理员 {carers} 人（每人照护 {per} 人），"
        f"超过每人照护 {limits.text('disabled_per_carer_max')} 的提示线：请核实护理人员配备",
        disabled=disabled,
        carers=carers,
    )


def _window(day: dt.date) -> tuple[str, str]:
    """The first and last month (YYYY-MM) of the 12 months ending with the month of ``day``."""
    first = dt.date(day.year, 1, 1) if day.month == 12 else dt.date(day.year - 1, day.month + 1, 1)
    return first.strftime("%Y-%m"), day.strftime("%Y-%m")


def _occupancy_window(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication) or not app.occupancy:
        return None
    first, last = _window(day)
    outside = [m.month for m in app.occupancy if not first <= m.month <= last]
    if not outside:
        return None
    return _flag(
        "occupancy_window",
        f"入住数据含评价年度（{first} 至 {last}）以外的月份：{'、'.join(outside)}，这些月份不应计入年入住率",
        months=outside,
        window=f"{first}/{last}",
    )


def _assessment_age(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication) or app.residents is None or app.residents.assessed is None:
        return None
    assessed = app.residents.assessed
    if assessed > day:
        return _flag(
            "assessment_age",
            f"能力评估统计日期 {assessed.isoformat()} 晚于评价基准日 {day.isoformat()}",
            assessed=assessed.isoformat(),
        )
    age = (day - assessed).days
    if age <= limits.value("assessment_age_max_days"):
        return None
    return _flag(
        "assessment_age",
        f"能力评估统计日期 {assessed.isoformat()} 距评价基准日 {day.isoformat()} 已 {age} 天，"
        f"超过 {limits.text('assessment_age_max_days')}：入住老年人构成可能已变化",
        assessed=assessed.isoformat(),
        days=age,
    )


def _survey_date(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication) or app.satisfaction is None or app.satisfaction.date <= day:
        return None
    return _flag(
        "survey_date",
        f"满意度调查日期 {app.satisfaction.date.isoformat()} 晚于评价基准日 {day.isoformat()}",
        date=app.satisfaction.date.isoformat(),
    )


def _certificates(app: InstitutionApplication) -> list[tuple[str, str, str]]:
    """(staff name, certificate type label, number) of every certificate."""
    return [(s.name, c.type.label, c.number.strip()) for s in app.staff for c in s.certificates]


def _certificate_placeholder(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication):
        return None
    found = [
        f"{name}的{label}“{number}”" for name, label, number in _certificates(app) if PLACEHOLDER_NUMBER.match(number)
    ]
    if not found:
        return None
    return _flag(
        "certificate_placeholder",
        f"证书编号像是占位内容：{'、'.join(found)}：没有编号的证书不能视为有效证书",
        certificates=found,
    )


def _certificate_repeated(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication):
        return None
    holders: dict[tuple[str, str], list[str]] = {}
    for name, label, number in _certificates(app):
        if not PLACEHOLDER_NUMBER.match(number):
            holders.setdefault((label, number), []).append(name)
    repeated = [
        f"{label}“{number}”（{'、'.join(names)}）" for (label, number), names in holders.items() if len(names) > 1
    ]
    if not repeated:
        return None
    return _flag(
        "certificate_repeated",
        f"同一证书编号出现在多名人员名下：{'；'.join(repeated)}",
        certificates=repeated,
    )


def _staff_repeated(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    if not isinstance(app, InstitutionApplication):
        return None
    names = [name for name, count in Counter(s.name.strip() for s in app.staff).items() if count > 1]
    if not names:
        return None
    return _flag(
        "staff_repeated",
        f"花名册中同名人员出现多次：{'、'.join(names)}：请核实是否重复填报",
        names=names,
    )


@lru_cache(maxsize=2)
def template_values(kind: str) -> dict[str, Any]:
    """The sample values of the ``shifan init`` template for ``kind`` (institution or region)."""
    path = templates_dir() / "init" / f"{kind}.yaml"
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except OSError:
        return {}
    return data if isinstance(data, dict) else {}


def _template_value(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    sample = template_values(app.kind)
    if not sample:
        return None
    same: list[str] = []
    if app.name.strip() == str(sample.get("name", "")).strip():
        same.append(f"单位名称“{app.name}”")
    if app.region_code == str(sample.get("region_code", "")):
        same.append(f"行政区划代码 {app.region_code}")
    if isinstance(app, InstitutionApplication):
        if app.uscc == str(sample.get("uscc", "")):
            same.append(f"统一社会信用代码 {app.uscc}")
        sample_names = {str(s.get("name", "")) for s in sample.get("staff") or [] if isinstance(s, dict)}
        same.extend(f"人员姓名“{s.name}”" for s in app.staff if s.name in sample_names)
        beds, residents = sample.get("beds") or {}, sample.get("residents") or {}
        if (
            app.residents is not None
            and app.beds.approved == beds.get("approved")
            and app.beds.operating == beds.get("operating")
            and app.residents.total == residents.get("total")
            and {k.value: v for k, v in app.residents.by_ability.items()} == residents.get("by_ability")
        ):
            same.append(f"床位数 {app.beds.approved}、在住人数 {app.residents.total} 及能力等级构成")
    if not same:
        return None
    return _flag(
        "template_value",
        f"以下数据与申报模板的示例值相同，可能未替换为本单位真实数据：{'；'.join(same)}",
        values=same,
    )


def _roster_mismatch(
    app: AnyApplication, day: dt.date, limits: _Thresholds, roster: RosterIndicators | None
) -> Flag | None:
    """The roster is part of the county, so it can hold neither more institutions than the county
    states nor more institutions lacking something than the county's own figures leave room for."""
    if not isinstance(app, RegionApplication) or roster is None:
        return None
    problems: list[str] = []
    for ratio in REGION_RATIOS:
        top, bottom = roster.get(ratio.numerator), roster.get(ratio.denominator)
        stated_top = getattr(app.indicators, ratio.numerator)
        stated_bottom = getattr(app.indicators, ratio.denominator)
        if top is None or bottom is None or stated_bottom is None:
            continue
        if bottom > stated_bottom:
            title = RosterIndicators.titles()[ratio.denominator]
            problems.append(f"名册汇总的{title} {bottom}，多于县填报的 {stated_bottom}")
        elif stated_top is not None and bottom - top > stated_bottom - stated_top:
            problems.append(
                f"{ratio.title}：县填报 {stated_top}/{stated_bottom}（其余 {stated_bottom - stated_top}），"
                f"名册中已有 {bottom - top} 个不满足"
            )
    problems = list(dict.fromkeys(problems))
    if not problems:
        return None
    return _flag("roster_mismatch", "县填报的统计指标与辖区名册矛盾：" + "；".join(problems), mismatches=problems)


COMPUTERS: dict[str, Computer] = {
    "staff_ratio": _staff_ratio,
    "carer_ratio": _carer_ratio,
    "occupancy_window": _occupancy_window,
    "assessment_age": _assessment_age,
    "survey_date": _survey_date,
    "certificate_placeholder": _certificate_placeholder,
    "certificate_repeated": _certificate_repeated,
    "staff_repeated": _staff_repeated,
    "template_value": _template_value,
    "roster_mismatch": _roster_mismatch,
}


def compute_flags(app: AnyApplication, rubric: Rubric, day: dt.date, roster: RosterIndicators | None) -> list[Flag]:
    """The flags the rubric applies that fire on ``app``, in the rubric's order."""
    flags = []
    for spec in rubric.flags:
        limits = _Thresholds(rubric, spec)
        flag = COMPUTERS[spec.code](app, day, limits, roster)
        if flag is not None:
            flags.append(flag.model_copy(update={"parameters": limits.uses()}))
    return flags
