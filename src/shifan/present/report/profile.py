"""The applicant as the report's cover and its 基本情况 section show it, from the application data."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from shifan.evaluate.result import EvaluationResult
from shifan.formatting import chinese_date
from shifan.rules.application import Application, InstitutionApplication, RegionApplication


def _date(day: dt.date | None) -> str:
    return chinese_date(day) if day is not None else ""


def cover_rows(result: EvaluationResult, app: Application | None) -> list[tuple[str, str]]:
    applicant = result.applicant
    rows = [
        ("申报单位", applicant.name),
        ("统一社会信用代码" if applicant.kind == "institution" else "行政区划代码", applicant.id),
    ]
    if applicant.category_label:
        rows.append(("机构类别" if applicant.kind == "institution" else "行政区划层级", applicant.category_label))
    filled_by = app.filled_by if app is not None else ""
    submitted = app.submitted if app is not None else None
    rows.append(("填报人", filled_by))
    if app is not None and not app.phone and app.contact:
        rows.append(("联系人及电话", app.contact))
    else:
        rows.append(("联系电话", app.phone if app is not None else ""))
    rows.append(("报送日期", _date(submitted)))
    return rows


def institution_profile(app: InstitutionApplication) -> list[tuple[str, str]]:
    """机构基本情况: address, beds, residents by ability, staff by role, licences."""
    rows = [("地址", app.address or "未填报")]
    if app.founded is not None:
        rows.append(("成立日期", chinese_date(app.founded)))
    beds = app.beds
    rows.append(
        ("床位", f"核定 {beds.approved} 张，实际运营 {beds.operating} 张，其中护理型床位 {beds.nursing_type} 张")
    )
    if app.residents is not None:
        parts = [f"{ability.label} {count} 人" for ability, count in app.residents.by_ability.items() if count]
        when = f"（{chinese_date(app.residents.assessed)}统计）" if app.residents.assessed else ""
        rows.append(("入住老年人", f"共 {app.residents.total} 人{when}：" + "，".join(parts)))
    else:
        rows.append(("入住老年人", "未填报"))
    roles = Counter(member.role for member in app.staff)
    staff = "，".join(f"{role.label} {n} 人" for role, n in roles.items())
    rows.append(("工作人员", f"共 {len(app.staff)} 人：{staff}" if app.staff else "未填报"))
    q = app.qualifications
    licences = []
    if q.medical_licence is not None:
        lic = q.medical_licence
        until = f"，有效期至 {chinese_date(lic.expires)}" if lic.expires else ""
        licences.append(
            f"医疗机构执业许可证（备案）{lic.number}（{lic.level.label}，{chinese_date(lic.issued)}取得{until}）"
        )
    if q.elderly_care_filing is not None:
        filing = q.elderly_care_filing
        licences.append(f"养老机构备案 {filing.number}（{chinese_date(filing.date)}）")
    if q.insurance_designated is not None:
        licences.append(f"{chinese_date(q.insurance_designated)}纳入医保定点")
    rows.append(("资质", "；".join(licences) or "未填报"))
    if app.agreements:
        rows.append(("合作医疗机构", "、".join(a.partner for a in app.agreements)))
    return rows


def region_profile(app: RegionApplication) -> list[tuple[str, str]]:
    """县（市、区）基本情况: province, level, roster and the statistics given."""
    rows = [
        ("所属省份", app.province),
        ("行政区划层级", app.level.label),
        ("辖区医养结合机构", f"{len(app.roster)} 家（名册）" if app.roster else "未提供名册"),
    ]
    for name, info in type(app.indicators).model_fields.items():
        value = getattr(app.indicators, name)
        if value is not None:
            rows.append((info.description or name, str(value)))
    if app.measures:
        rows.append(("已落实的机制和政策措施", "；".join(m.label for m in app.measures)))
    return rows


def profile_rows(app: Application | None) -> list[tuple[str, str]]:
    if isinstance(app, InstitutionApplication):
        return institution_profile(app)
    if isinstance(app, RegionApplication):
        return region_profile(app)
    return []
