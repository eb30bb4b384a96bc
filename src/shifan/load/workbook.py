"""The application workbook: which sheet and cell holds which field of an application.

Built from the application models themselves (headers from the Chinese field descriptions,
drop-downs from the label catalogue), so a new field needs one line here and nothing else; the
reader (:mod:`shifan.read.xlsxdoc`) and the writer (:mod:`shifan.present.workbook`) share it.
"""

from __future__ import annotations

import datetime as dt
import typing
from enum import StrEnum

from pydantic import BaseModel

from shifan.load.normalise import alternatives
from shifan.read.xlsxlayout import ChecklistSheet, Column, FormSheet, TableSheet, WorkbookLayout
from shifan.read.yamlsyntax import KeyPath
from shifan.rules.application import (
    Activity,
    Agreement,
    ApplicationCommon,
    Attachment,
    Beds,
    CancelledTitle,
    CareFiling,
    Certificate,
    Features,
    Incident,
    InstitutionApplication,
    MedicalLicence,
    MonthOccupancy,
    Qualifications,
    RegionApplication,
    RegionIndicators,
    Residents,
    RosterEntry,
    Satisfaction,
    StaffMember,
)
from shifan.rules.vocab import (
    Ability,
    ApplicantKind,
    Commitment,
    Facility,
    Labelled,
    RegionMeasure,
    Service,
    System,
)


def _short(description: str) -> str:
    """A header from a field description: the part before its first explanation."""
    for mark in ("；", "，", "（"):
        description = description.split(mark)[0]
    return description


def column(model: type[BaseModel], name: str, header: str = "", *, key: KeyPath | None = None) -> Column:
    """The column (or form row) of one model field; kind, drop-down and help come from the model."""
    info = model.model_fields[name]
    options = alternatives(info.annotation)
    description = info.description or name
    kind, width = "text", 16
    choices: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    enums = [o for o in options if isinstance(o, type) and issubclass(o, StrEnum)]
    if enums:
        kind, choices = "choice", tuple(str(getattr(m, "label", m)) for m in enums[0])
        codes = tuple(m.value for m in enums[0])
        width = max(14, min(30, max(len(label) for label in choices) * 2))
    elif dt.date in options:
        kind, width = "date", 13
    elif bool in options:
        kind, choices, width = "bool", ("是", "否"), 10
    elif int in options or float in options:
        kind, width = "number", 12
    elif name == "month":
        kind, width = "month", 11
    elif any(typing.get_origin(o) is typing.Literal for o in options):
        kind = "choice"
    if len(description) > 20:
        width = max(width, 24)
    return Column(header or _short(description), key or (name,), kind, description, choices, width, codes)


def _fields(
    model: type[BaseModel], prefix: KeyPath, *names: str, headers: dict[str, str] | None = None
) -> tuple[Column, ...]:
    headers = headers or {}
    return tuple(column(model, n, headers.get(n, ""), key=(*prefix, n)) for n in names)


def _kind_row(kind: ApplicantKind) -> Column:
    return Column("申报类型", ("kind",), "choice", "申报类型（不要修改）", (kind.label,), 20, (kind.value,))


_COMMON_TAIL = ("rubric", "contact", "filled_by", "phone", "submitted", "notes")
_TAIL_HEADERS = {
    "rubric": "适用的评分标准",
    "contact": "联系人及电话",
    "filled_by": "填报人",
    "phone": "联系电话",
    "submitted": "报送日期",
    "notes": "其他说明",
}
_CANCELLED_HEADERS = {
    "date": "被取消示范称号的日期",
    "reason": "称号被取消的原因",
    "document": "取消称号的文件名称或文号",
}


def _self_scores() -> TableSheet:
    return TableSheet(
        "自评",
        ("self_scores",),
        (
            Column("指标编号", ("id",), "text", "评分标准中的指标编号，如 F3", (), 12),
            Column("自评分", ("self_scores", "*"), "number", "专家评分类指标的自评分", (), 10),
            Column("自评说明", ("self_notes", "*"), "text", "自评说明", (), 60),
        ),
        keyed=True,
    )


def _attachments() -> TableSheet:
    return TableSheet(
        "佐证材料",
        ("attachments",),
        _fields(
            Attachment,
            (),
            "type",
            "path",
            "title",
            headers={"type": "材料类型", "path": "文件路径", "title": "材料说明"},
        ),
    )


def _incidents() -> TableSheet:
    return TableSheet(
        "事件",
        ("incidents",),
        _fields(Incident, (), "date", "category", "severity", "summary", headers={"severity": "等级"}),
    )


def _options(enum: type[Labelled]) -> tuple[tuple[str, str], ...]:
    return tuple((m.value, m.label) for m in enum)


INSTITUTION = WorkbookLayout(
    "示范机构申报工作簿",
    "人员",
    (
        FormSheet(
            "基本信息",
            (
                _kind_row(ApplicantKind.INSTITUTION),
                *_fields(InstitutionApplication, (), "name", "uscc", "region_code", "category", "address", "founded"),
                column(ApplicationCommon, "assessment_date", "评价基准日期"),
                *_fields(ApplicationCommon, (), *_COMMON_TAIL, headers=_TAIL_HEADERS),
                *_fields(
                    CancelledTitle, ("cancelled_title",), "date", "reason", "document", headers=_CANCELLED_HEADERS
                ),
            ),
        ),
        FormSheet(
            "资质",
            (
                *_fields(
                    MedicalLicence,
                    ("qualifications", "medical_licence"),
                    "number",
                    "issued",
                    "expires",
                    "level",
                    "name",
                    headers={
                        "number": "医疗机构执业许可证（备案）编号",
                        "issued": "许可证取得日期",
                        "expires": "许可证有效期至",
                        "level": "医疗机构类别",
                        "name": "医疗机构名称",
                    },
                ),
                *_fields(
                    CareFiling,
                    ("qualifications", "elderly_care_filing"),
                    "number",
                    "date",
                    headers={"number": "养老机构备案回执编号", "date": "养老机构备案日期"},
                ),
                *_fields(
                    Qualifications,
                    ("qualifications",),
                    "internal_medical_institution",
                    "adjacent_medical_institution",
                    "operation_start",
                    "insurance_designated",
                ),
            ),
        ),
        FormSheet(
            "床位与入住老人",
            (
                *_fields(Beds, ("beds",), "approved", "operating", "nursing_type"),
                *_fields(Residents, ("residents",), "total", headers={"total": "在住老年人总数"}),
                *(
                    Column(
                        f"{a.label}人数",
                        ("residents", "by_ability", a.value),
                        "number",
                        f"能力等级为“{a.label}”的人数",
                        (),
                        12,
                    )
                    for a in Ability
                ),
                *_fields(
                    Residents,
                    ("residents",),
                    "dementia_intact",
                    "assessed",
                    headers={"dementia_intact": "失智但评为能力完好的人数", "assessed": "能力评估统计日期"},
                ),
            ),
        ),
        TableSheet(
            "逐月入住",
            ("occupancy",),
            _fields(
                MonthOccupancy,
                (),
                "month",
                "occupied",
                "operating",
                headers={"month": "月份", "operating": "当月运营床位数"},
            ),
        ),
        TableSheet(
            "人员",
            ("staff",),
            _fields(
                StaffMember,
                (),
                "id",
                "name",
                "role",
                "main_practice_site_here",
                "trained",
                "hired",
                headers={
                    "id": "工号",
                    "main_practice_site_here": "本单位为主执业机构",
                    "trained": "经岗前培训考核合格",
                },
            ),
        ),
        TableSheet(
            "证书",
            ("staff",),
            (
                Column("工号", ("staff_id",), "text", "持证人的工号，须与“人员”表一致", (), 10),
                *_fields(Certificate, (), "type", "number", "issued", "expires", headers={"expires": "有效期至"}),
            ),
            link=(("staff",), "id", "certificates"),
        ),
        _incidents(),
        TableSheet("演练培训检查", ("activities",), _fields(Activity, (), "date", "type", "summary", "participants")),
        TableSheet(
            "合作协议",
            ("agreements",),
            _fields(
                Agreement,
                (),
                "partner",
                "partner_level",
                "signed",
                "expires",
                "visit_frequency",
                "green_channel",
                headers={"expires": "协议有效期至", "visit_frequency": "上门服务频次"},
            ),
        ),
        ChecklistSheet(
            "服务与制度",
            (
                ("服务项目", ("services",), _options(Service)),
                ("管理制度", ("systems",), _options(System)),
                ("设施设备", ("facilities",), _options(Facility)),
                ("依法合规承诺", ("commitments",), _options(Commitment)),
            ),
        ),
        FormSheet(
            "满意度与特色",
            (
                *_fields(
                    Satisfaction,
                    ("satisfaction",),
                    "surveyed",
                    "satisfied",
                    "date",
                    "method",
                    headers={
                        "surveyed": "满意度调查有效问卷数",
                        "satisfied": "满意问卷数（含基本满意）",
                        "date": "满意度调查日期",
                        "method": "调查方式",
                    },
                ),
                *_fields(Features, ("features",), "tcm", "rural", "transformed", "radiating", "radiating_note"),
            ),
        ),
        _self_scores(),
        _attachments(),
    ),
)

REGION = WorkbookLayout(
    "示范县（市、区）申报工作簿",
    "统计指标",
    (
        FormSheet(
            "基本信息",
            (
                _kind_row(ApplicantKind.REGION),
                *_fields(RegionApplication, (), "name", "region_code", "level", "province"),
                column(ApplicationCommon, "assessment_date", "评价基准日期"),
                *_fields(ApplicationCommon, (), *_COMMON_TAIL, headers=_TAIL_HEADERS),
                *_fields(
                    CancelledTitle, ("cancelled_title",), "date", "reason", "document", headers=_CANCELLED_HEADERS
                ),
            ),
        ),
        FormSheet("统计指标", _fields(RegionIndicators, ("indicators",), *RegionIndicators.model_fields)),
        ChecklistSheet("机制与措施", (("机制与政策措施", ("measures",), _options(RegionMeasure)),)),
        _incidents(),
        TableSheet("辖区机构名册", ("roster",), _fields(RosterEntry, (), "file", headers={"file": "机构申报文件路径"})),
        _self_scores(),
        _attachments(),
    ),
)

LAYOUTS = (INSTITUTION, REGION)
LAYOUT_BY_KIND = {ApplicantKind.INSTITUTION.value: INSTITUTION, ApplicantKind.REGION.value: REGION}
