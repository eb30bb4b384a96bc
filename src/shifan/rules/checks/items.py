"""Check kinds on declared items (services, systems, measures), yes/no facts and agreements."""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from shifan.read.suggest import did_you_mean
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.checks.base import Check, Context, Outcome, register
from shifan.rules.messages import lacking
from shifan.rules.validity import valid_on
from shifan.rules.vocab import (
    Commitment,
    Facility,
    Frequency,
    InstitutionCategory,
    MedicalLevel,
    RegionMeasure,
    Service,
    Status,
    System,
)

ITEM_FIELDS: dict[str, tuple[str, type[StrEnum], str]] = {
    "services": ("institution", Service, "服务项目"),
    "systems": ("institution", System, "管理制度"),
    "facilities": ("institution", Facility, "设施设备与建筑"),
    "commitments": ("institution", Commitment, "合规承诺"),
    "measures": ("region", RegionMeasure, "机制和政策措施"),
}


@register
class ItemsCheck(Check):
    """Required items are among those the applicant declares (services, systems, facilities,
    commitments, or a county's measures). ``scoring: proportional`` gives partial points.

    Passes: ``{kind: items, field: services, required: [hospice, green_channel]}`` when both are
    listed under ``services``. Partial (proportional): only ``hospice`` listed, 1 of 2.
    Fails: neither listed.
    """

    kind: Literal["items"]
    field: Literal["services", "systems", "facilities", "commitments", "measures"] = Field(
        description="申报文件中的列表字段"
    )
    required: list[str] = Field(min_length=1, description="须具备的项目代码")
    scoring: Literal["all", "proportional"] = Field("all", description="all：缺一项即不符合；proportional：按比例得分")

    title: ClassVar[str] = "项目齐全"
    summary: ClassVar[str] = (
        "申报单位列出的项目（服务项目、管理制度、设施设备与建筑、合规承诺，或县级申报的机制和政策措施）包含全部要求的项目。`scoring: proportional` 时按具备的比例得分。"
    )
    passes: ClassVar[str] = "要求安宁疗护和就医绿色通道两项服务，`services` 中都已列出。"
    fails: ClassVar[str] = "两项都没有列出。按比例计分时只列出一项为部分符合（1/2）。"

    def problems(self, subject: str) -> list[tuple[tuple[str | int, ...], str, str]]:
        owner, vocab, label = ITEM_FIELDS[self.field]
        if owner != subject:
            return [(("field",), f"字段 {self.field} 只适用于 {owner} 类申报", self.field)]
        codes = [m.value for m in vocab]
        return [
            (("required", i), f"不是{label}的代码" + did_you_mean(code, codes), code)
            for i, code in enumerate(self.required)
            if code not in codes
        ]

    def evaluate(self, ctx: Context) -> Outcome:
        _, vocab, label = ITEM_FIELDS[self.field]
        declared = set(getattr(ctx.app, self.field))
        required = [vocab(code) for code in self.required]
        present = [item for item in required if item in declared]
        absent = [item for item in required if item not in declared]
        expected = "具备：" + "、".join(_label(i) for i in required)
        observed = f"具备 {len(present)}/{len(required)} 项"
        if not absent:
            return Outcome(Status.PASS, observed, expected, f"{label}齐全（{len(required)} 项）")
        missing = "、".join(_label(i) for i in absent)
        details = [lacking(f"：{_label(i)}") for i in absent]
        if present and self.scoring == "proportional":
            return Outcome(
                Status.PARTIAL,
                observed,
                expected,
                lacking(missing),
                fraction=len(present) / len(required),
                details=details,
            )
        return Outcome(Status.FAIL, observed, expected, lacking(missing), details=details)


def _label(item: Any) -> str:
    return str(getattr(item, "label", item))


@functools.cache
def bool_fields(model: type[BaseModel], prefix: str = "") -> dict[str, str]:
    """Dotted paths of every yes/no field of a model (not inside lists), with descriptions."""
    found: dict[str, str] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if annotation is bool:
            found[prefix + name] = info.description or name
        candidates = getattr(annotation, "__args__", (annotation,))
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found.update(bool_fields(candidate, prefix + name + "."))
    return found


SUBJECT_MODELS: dict[str, type[BaseModel]] = {"institution": InstitutionApplication, "region": RegionApplication}


@register
class FlagCheck(Check):
    """A yes/no fact of the application has the required value.

    Passes: ``{kind: flag, path: qualifications.internal_medical_institution}`` when the
    application says ``internal_medical_institution: true``. Fails: it is false or absent.
    """

    kind: Literal["flag"]
    path: str = Field(description="申报文件中是/否字段的路径，如 features.tcm")
    equals: bool = Field(True, description="要求的取值")

    title: ClassVar[str] = "是否条件"
    summary: ClassVar[str] = "申报文件中的某个是/否字段取所要求的值。"
    passes: ClassVar[str] = "要求内设医疗机构，申报文件写明 `internal_medical_institution: true`。"
    fails: ClassVar[str] = "该字段为 `false` 或未填写。"

    def problems(self, subject: str) -> list[tuple[tuple[str | int, ...], str, str]]:
        fields = bool_fields(SUBJECT_MODELS[subject])
        if self.path not in fields:
            return [(("path",), "不是申报文件中的是/否字段" + did_you_mean(self.path, fields), self.path)]
        return []

    def evaluate(self, ctx: Context) -> Outcome:
        value: Any = ctx.app
        for part in self.path.split("."):
            value = getattr(value, part, None)
        description = bool_fields(type(ctx.app)).get(self.path, self.path)
        shown = "是" if value else "否"
        expected = f"{description}：{'是' if self.equals else '否'}"
        ok = bool(value) == self.equals
        reason = f"{description}：{shown}"
        return Outcome(Status.PASS if ok else Status.FAIL, shown, expected, reason)


@register
class AgreementCheck(Check):
    """A cooperation agreement with a medical institution is in force on ``as_of``, optionally with
    visits at least as often as ``visits`` and a green channel.

    Passes: ``{kind: agreement, visits: weekly}`` with an agreement signed 2024-01-01, no expiry,
    ``visit_frequency: weekly``. Fails: the only agreement expired, or visits are monthly.
    ``partners`` counts only agreements with those kinds of medical institution (e.g. a
    community health centre).
    """

    kind: Literal["agreement"]
    visits: Frequency | None = Field(None, description="合作机构上门频次至少为")
    green_channel: bool = Field(False, description="须约定就医绿色通道")
    partners: list[MedicalLevel] | None = Field(None, description="只计与这些类别医疗机构的协议（可选）")

    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "签约合作"
    summary: ClassVar[str] = (
        "评价基准日与医疗机构有有效的合作协议（已签订且未到期）；可另外要求合作机构上门服务的频次不低于规定值、约定就医绿色通道。"
    )
    passes: ClassVar[str] = "要求每周上门，协议 2024-01-01 签订、无到期日、约定每周上门。"
    fails: ClassVar[str] = "唯一的协议已到期，或协议约定每月上门。"

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        kinds = "或".join(level.label for level in self.partners) if self.partners else "医疗机构"
        expected = f"与{kinds}签订有效合作协议"
        if self.visits is not None:
            expected += f"，{self.visits.label}派医务人员上门服务"
        if self.green_channel:
            expected += "，约定就医绿色通道"
        agreements = [a for a in app.agreements if not self.partners or a.partner_level in self.partners]
        valid = [a for a in agreements if valid_on(ctx.as_of, a.signed, a.expires)]
        if not valid:
            expired = [a for a in agreements if a.expires is not None and a.expires < ctx.as_of]
            reason = (
                f"与{expired[0].partner}的协议已于 {expired[0].expires} 到期"
                if expired
                else f"无与{kinds}的有效合作协议"
                if self.partners
                else "无有效的医疗合作协议"
            )
            return Outcome(Status.FAIL, "无有效协议", expected, reason)
        good = [
            a
            for a in valid
            if (self.visits is None or (a.visit_frequency is not None and a.visit_frequency.rank <= self.visits.rank))
            and (not self.green_channel or a.green_channel)
        ]
        observed = "；".join(
            f"{a.partner}（{a.signed} 签订" + (f"，{a.visit_frequency.label}上门" if a.visit_frequency else "") + "）"
            for a in valid
        )
        if good:
            return Outcome(Status.PASS, observed, expected, f"与{good[0].partner}的协议符合要求")
        return Outcome(Status.FAIL, observed, expected, "有效协议未约定所要求的上门频次或绿色通道")


@register
class CategoryCheck(Check):
    """The institution's category (机构类别) is one of those listed.

    Passes: ``{kind: category, in: [nursing_home]}`` for a 护理院. Fails: for an elderly-care
    institution with an internal clinic (``care_with_clinic``).
    """

    kind: Literal["category"]
    in_: list[InstitutionCategory] = Field(min_length=1, alias="in", description="允许的机构类别")

    subjects: ClassVar[tuple[str, ...]] = ("institution",)
    title: ClassVar[str] = "机构类别"
    summary: ClassVar[str] = "机构类别是所列类别之一。"
    passes: ClassVar[str] = "要求为护理院，申报单位是护理院。"
    fails: ClassVar[str] = "申报单位是养老机构内设医疗机构。"

    def evaluate(self, ctx: Context) -> Outcome:
        app = ctx.institution()
        category = app.category
        expected = "机构类别为" + "或".join(c.label for c in self.in_)
        ok = category in self.in_
        return Outcome(Status.PASS if ok else Status.FAIL, category.label, expected, f"机构类别为{category.label}")
