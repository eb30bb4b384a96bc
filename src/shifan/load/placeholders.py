"""Values that only stand in for data: the template's samples left unchanged, 无/待补 for a number.

They are not errors (the file is readable and the rest can be scored) but the applicant must
know: each becomes one warning line in ``shifan check``.
"""

from __future__ import annotations

from collections.abc import Iterator

from shifan.rules.application import InstitutionApplication, RegionApplication, is_placeholder

#: The sample values the templates ship with, by dotted key.
SAMPLE_VALUES = {
    "name": ("请填写单位全称", "请填写县（市、区）名称"),
    "uscc": ("91350100M000100Y43",),
    "staff.name": ("请填写姓名",),
}


def placeholder_warnings(app: InstitutionApplication | RegionApplication) -> Iterator[str]:
    """One line per value that still is a template sample or stands in for a missing number."""
    if app.name in SAMPLE_VALUES["name"]:
        yield f"单位名称仍是模板示例“{app.name}”，请改为实际名称"
    if not isinstance(app, InstitutionApplication):
        return
    if app.uscc in SAMPLE_VALUES["uscc"]:
        yield f"统一社会信用代码仍是模板示例“{app.uscc}”，请改为本单位代码"
    for member in app.staff:
        if member.name in SAMPLE_VALUES["staff.name"]:
            yield f"工号 {member.id} 的姓名仍是模板示例“{member.name}”"
        for cert in member.certificates:
            if cert.is_placeholder:
                yield f"{member.name}的{cert.type.label}编号为“{cert.number}”，按未持有该证书处理"
    yield from _percent_like(app)
    licence = app.qualifications.medical_licence
    if licence is not None and is_placeholder(licence.number):
        yield f"医疗机构执业许可证编号为“{licence.number}”，按证据不足处理"
    filing = app.qualifications.elderly_care_filing
    if filing is not None and is_placeholder(filing.number):
        yield f"养老机构备案编号为“{filing.number}”，按证据不足处理"


def _percent_like(app: InstitutionApplication) -> Iterator[str]:
    """Monthly occupied beds that look like occupancy rates: every month at most 100 while the
    institution runs at least 100 beds (and not all full)."""
    months = app.occupancy
    operating = app.beds.operating
    if len(months) < 3 or operating <= 100:
        return
    if all(m.occupied <= 100 for m in months) and all((m.operating or operating) > 100 for m in months):
        yield (
            f"逐月在住床位数均不超过 100，而运营床位为 {operating} 张：此项应填当月日均在住床位数，"
            "不是入住率（%）；如确为床位数请忽略本提示"
        )
