"""Check kinds on the staff roster: certificates held, minimum staff of a role."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from shifan.rules.application import Certificate, StaffMember
from shifan.rules.checks.base import Check, Context, Outcome, compare, register
from shifan.rules.messages import not_reported, reached
from shifan.rules.validity import valid_on
from shifan.rules.vocab import CertificateType, Role, Status


def valid_certificate(member: StaffMember, types: list[CertificateType], as_of: dt.date) -> Certificate | None:
    for cert in member.held:
        if cert.type in types and valid_on(as_of, cert.issued, cert.expires):
            return cert
    return None


def _why_not(member: StaffMember, types: list[CertificateType], as_of: dt.date) -> str:
    held = [c for c in member.held if c.type in types]
    if not held:
        return "无" + "或".join(t.label for t in types)
    expired = [c for c in held if c.expires is not None and c.expires < as_of]
    if expired:
        return f"{expired[0].type.label}（{expired[0].number}）已于 {expired[0].expires} 过期"
    return f"{held[0].type.label}在 {as_of} 尚未生效"


@register
class CertificatesCheck(Check):
    """Every staff member holds the certificate their role requires, valid on ``as_of``; staff in
    roles without a legal certificate must hold one or have passed pre-post training.

    Passes: ``{kind: certificates, required: {nurse: [nurse_practice]}}`` with every nurse holding
    a nurse practice certificate valid on ``as_of`` and every caregiver ``trained: true``.
    Fails: 李某（注册护士）whose certificate expired a month before ``as_of`` — the failing names
    are listed.
    """

    kind: Literal["certificates"]
    required: dict[Role, list[CertificateType]] = Field(description="岗位 → 可接受的证书（任一有效即可）")
    others: Literal["trained_or_certified", "ignore"] = Field(
        "trained_or_certified", description="其他岗位：须持证或经培训考核合格；ignore 为不检查"
    )

    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "持证上岗"
    summary: ClassVar[str] = (
        "每名工作人员都持有其岗位所要求的、在评价基准日有效的证书；没有法定证书的岗位，须持有证书或经岗前培训考核合格。不符合时列出人员姓名。"
    )
    passes: ClassVar[str] = "护士都持有在评价基准日有效的护士执业证书，护理员都已培训考核合格。"
    fails: ClassVar[str] = "李某（注册护士）的执业证书在评价基准日前一个月到期。"

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        staff = app.staff
        expected = "所有人员按规定持证上岗，或经专业培训考核合格后上岗"
        if not staff:
            return Outcome(Status.INSUFFICIENT, not_reported("人员花名册"), expected, not_reported("工作人员花名册"))
        failing = []
        for member in staff:
            types = self.required.get(member.role)
            if types:
                if valid_certificate(member, types, ctx.as_of) is None:
                    failing.append(f"{member.name}（{member.role.label}）：{_why_not(member, types, ctx.as_of)}")
            elif self.others == "trained_or_certified":
                certified = any(valid_on(ctx.as_of, None, c.expires) for c in member.held)
                if not (member.trained or certified):
                    failing.append(f"{member.name}（{member.role.label}）：无证书且未经培训考核")
        observed = f"在岗 {len(staff)} 人，{len(staff) - len(failing)} 人符合"
        if not failing:
            return Outcome(Status.PASS, observed, expected, f"{len(staff)} 名工作人员均符合持证或培训上岗要求")
        names = "、".join(item.split("（")[0] for item in failing[:5])
        more = f"等 {len(failing)} 人" if len(failing) > 5 else ""
        reason = f"{names}{more}未按规定持证或培训上岗"
        return Outcome(Status.FAIL, observed, expected, reason, value=len(failing), details=failing)


@register
class MinStaffCheck(Check):
    """At least N staff of the given roles, optionally holding a valid certificate and having this
    institution as their main practice site.

    Passes: ``{kind: min_staff, roles: [physician], certificates: [physician_practice],
    main_practice_site_here: true, at_least: clinic_physicians_min}`` with one physician whose
    main practice site is here. Fails: the only physician practises mainly at a hospital.
    """

    kind: Literal["min_staff"]
    roles: list[Role] = Field(min_length=1, description="岗位（任一）")
    certificates: list[CertificateType] | None = Field(None, description="须持有的有效证书（任一）")
    main_practice_site_here: bool | None = Field(None, description="须以本单位为主执业机构")
    at_least: str = Field(description="最少人数参数名")

    param_fields: ClassVar[tuple[str, ...]] = ("at_least",)
    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "人员配备"
    summary: ClassVar[str] = "所列岗位的人数不少于规定人数；可另外要求持有有效证书、以本单位为主要执业机构。"
    passes: ClassVar[str] = "要求至少 1 名以本单位为主要执业机构的执业医师，实有 1 名。"
    fails: ClassVar[str] = "唯一的医师主要在医院执业。"

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        roles = "或".join(r.label for r in self.roles)
        condition = ""
        if self.main_practice_site_here:
            condition += "以本单位为主执业点的"
        if self.certificates:
            condition += "持有效" + "或".join(c.label for c in self.certificates) + "的"
        expected = f"至少 {ctx.text(self.at_least)} {condition}{roles}"
        if not app.staff:
            return Outcome(Status.INSUFFICIENT, not_reported("人员花名册"), expected, not_reported("工作人员花名册"))
        counted = [
            m
            for m in app.staff
            if m.role in self.roles
            and (not self.main_practice_site_here or m.main_practice_site_here)
            and (not self.certificates or valid_certificate(m, self.certificates, ctx.as_of) is not None)
        ]
        of_role = sum(1 for m in app.staff if m.role in self.roles)
        observed = f"{condition}{roles} {len(counted)} 人（该岗位共 {of_role} 人）"
        ok = compare(len(counted), ">=", ctx.value(self.at_least))
        reason = f"配备{condition}{roles} {len(counted)} 人，{reached(ok)}至少 {ctx.text(self.at_least)} 的要求"
        return Outcome(Status.PASS if ok else Status.FAIL, observed, expected, reason, value=len(counted))
