"""What an applicant submits: one institution's or one county's data, as read from YAML.

Field descriptions are Chinese because they become the JSON Schema that editors show while the
user fills the file (``shifan schema application``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from shifan.rules.base import Line, Name, StrictModel, Text
from shifan.rules.ids import region_code_problem, uscc_problem
from shifan.rules.vocab import (
    Ability,
    ActivityType,
    CertificateType,
    Commitment,
    Facility,
    Frequency,
    IncidentCategory,
    InstitutionCategory,
    MedicalLevel,
    RegionLevel,
    RegionMeasure,
    Role,
    Service,
    Severity,
    System,
)

# Strict: a YAML true/false is not a count (pydantic would otherwise read true as 1).
Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: What people write in a certificate number they do not have: never a valid certificate.
PLACEHOLDERS = frozenset(
    {"无", "暂无", "没有", "待补", "待定", "待填", "未知", "略", "不详", "-", "--", "—", "/", "0", "n/a", "na", "none"}
)


def is_placeholder(text: str) -> bool:
    """Whether ``text`` only stands in for a number (无, 待补, xxx, -, 0 …)."""
    word = text.strip().lower().replace("－", "-").replace("／", "/")
    return word in PLACEHOLDERS or (len(word) >= 3 and set(word) <= {"x", "*", "?", "？", "0", "-"})


class MedicalLicence(StrictModel):
    """医疗机构执业许可证（或备案凭证）."""

    number: Line = Field(min_length=1, description="许可证（备案）编号")
    issued: dt.date = Field(description="取得日期（运营年限以取得资质时间为准）")
    expires: dt.date | None = Field(None, description="有效期至；长期有效可不填")
    level: MedicalLevel = Field(description="医疗机构类别")
    name: Name | None = Field(None, description="医疗机构名称（内设医疗机构可与本单位不同）")


class CareFiling(StrictModel):
    """养老机构备案."""

    number: Line = Field(min_length=1, description="备案回执编号")
    date: dt.date = Field(description="备案日期")


class Qualifications(StrictModel):
    """资质."""

    medical_licence: MedicalLicence | None = Field(None, description="医疗机构执业许可证或备案")
    elderly_care_filing: CareFiling | None = Field(None, description="养老机构备案")
    internal_medical_institution: bool = Field(False, description="是否设有内设医疗机构")
    adjacent_medical_institution: bool = Field(False, description="是否与医疗机构毗邻设置")
    operation_start: dt.date | None = Field(None, description="正式运营日期")
    insurance_designated: dt.date | None = Field(None, description="纳入医保定点的日期")


class Beds(StrictModel):
    """床位."""

    approved: Count = Field(description="核定床位数")
    operating: Count = Field(description="实际运营床位数")
    nursing_type: Count = Field(0, description="护理型床位数")


class MonthOccupancy(StrictModel):
    """某月入住情况."""

    month: str = Field(description="月份，格式 YYYY-MM")
    occupied: float = Field(ge=0, description="当月日均在住床位数（床日数÷天数）")
    operating: Count | None = Field(None, description="当月实际运营床位数；不填则取 beds.operating")

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not MONTH_PATTERN.match(value):
            raise ValueError("月份格式应为 YYYY-MM，例如 2025-07")
        return value


class Residents(StrictModel):
    """入住老年人（按能力等级评估结果，GB/T 42195-2022）."""

    total: Count = Field(description="评估时在住老年人总数")
    by_ability: dict[Ability, Count] = Field(description="各能力等级人数，合计应等于 total")
    dementia_intact: Count = Field(0, description="失智但能力等级评为“能力完好”的人数")
    assessed: dt.date | None = Field(None, description="能力评估统计日期")


class Certificate(StrictModel):
    """证书."""

    type: CertificateType = Field(description="证书类型")
    number: Line = Field(min_length=1, description="证书编号")
    issued: dt.date | None = Field(None, description="发证日期")
    expires: dt.date | None = Field(None, description="有效期至；长期有效可不填")

    @property
    def is_placeholder(self) -> bool:
        """A number such as 无 or 待补: the certificate is not held."""
        return is_placeholder(self.number)


class StaffMember(StrictModel):
    """工作人员."""

    id: Line = Field(min_length=1, description="工号，单位内唯一")
    name: Name = Field(min_length=1, description="姓名")
    role: Role = Field(description="岗位")
    certificates: list[Certificate] = Field(default_factory=list, description="所持证书")
    main_practice_site_here: bool = Field(False, description="本单位是否为其主执业机构（医师）")
    trained: bool = Field(False, description="是否经岗前专业培训并考核合格")
    hired: dt.date | None = Field(None, description="入职日期")

    @property
    def held(self) -> list[Certificate]:
        """The certificates actually held (placeholder numbers such as 无 or 待补 left out)."""
        return [c for c in self.certificates if not c.is_placeholder]


class Incident(StrictModel):
    """事件、事故、案件."""

    date: dt.date = Field(description="发生日期")
    category: IncidentCategory = Field(description="类别")
    severity: Severity = Field(description="等级：一般、较大、重大、特别重大")
    summary: Text = Field(min_length=1, description="简要经过与处理结果")


class CancelledTitle(StrictModel):
    """A 示范 title this applicant held and had cancelled (动态管理：取消称号)."""

    date: dt.date = Field(description="称号被取消的日期（取消文件的印发日期）")
    reason: str = Field(min_length=1, description="取消原因，如 发生造成严重社会影响的负面事件")
    document: str = Field("", description="取消称号的文件名称或文号（可选）")


class Activity(StrictModel):
    """演练、培训、检查记录."""

    date: dt.date = Field(description="日期")
    type: ActivityType = Field(description="类型")
    summary: Text = Field("", description="内容摘要")
    participants: Count | None = Field(None, description="参加人数")


class Agreement(StrictModel):
    """与医疗机构的合作协议（签约）."""

    partner: Name = Field(min_length=1, description="合作医疗机构名称")
    partner_level: MedicalLevel | None = Field(None, description="合作机构类别")
    signed: dt.date = Field(description="签约日期")
    expires: dt.date | None = Field(None, description="协议有效期至")
    visit_frequency: Frequency | None = Field(None, description="合作机构派医务人员上门的频次")
    green_channel: bool = Field(False, description="是否约定就医绿色通道")


class Satisfaction(StrictModel):
    """入住老年人及家属满意度调查."""

    surveyed: Count = Field(description="有效问卷数")
    satisfied: Count = Field(description="满意（含基本满意）问卷数")
    date: dt.date = Field(description="调查日期")
    method: Line = Field("", description="调查方式（第三方、问卷、电话等）")


class Features(StrictModel):
    """优先推荐条件相关的特色."""

    tcm: bool = Field(False, description="具有中医药特色")
    rural: bool = Field(False, description="农村医养结合机构")
    transformed: bool = Field(False, description="基层医疗机构转型开展康复、护理服务")
    radiating: bool = Field(False, description="对周边机构有示范辐射带动作用")
    radiating_note: Text = Field("", description="辐射带动作用的说明")


class Attachment(StrictModel):
    """佐证材料."""

    type: str = Field(
        min_length=1, description="材料类型：评分标准中的代码或中文名称（shifan evidence 可查看每项指标需要的材料）"
    )
    path: str = Field(min_length=1, description="相对于本申报文件所在目录的路径")
    title: Line = Field("", description="材料名称")


class ApplicationCommon(StrictModel):
    """Fields every applicant has."""

    name: Name = Field(min_length=1, description="申报单位名称")
    region_code: str = Field(description="6位行政区划代码（GB/T 2260）")
    assessment_date: dt.date = Field(
        description="评价基准日期，所有“近N年”以此起算（另行指定评价基准日的，以指定的为准）"
    )
    incidents: list[Incident] = Field(default_factory=list, description="近年事件、事故、案件")
    cancelled_title: CancelledTitle | None = Field(
        None, description="曾被取消全国医养结合示范称号的，填写取消日期和原因；未被取消过的不填"
    )
    self_scores: dict[str, float] = Field(
        default_factory=dict, description="自评分：指标编号 → 分数（专家评分类指标必填）"
    )
    self_notes: dict[str, Text] = Field(default_factory=dict, description="自评说明：指标编号 → 文字")
    attachments: list[Attachment] = Field(default_factory=list, description="佐证材料")
    rubric: str | None = Field(None, description="适用的评分标准编号，如 anhui/institution；不填则用全国标准")
    contact: Line = Field("", description="联系人及电话")
    filled_by: Line = Field("", description="填报人（印在自评报告封面）")
    phone: Line = Field("", description="联系电话（印在自评报告封面；不填则用“联系人及电话”一栏）")
    submitted: dt.date | None = Field(None, description="报送日期（印在自评报告封面）")
    notes: Text = Field("", description="其他说明")

    @field_validator("region_code")
    @classmethod
    def _region(cls, value: str) -> str:
        problem = region_code_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class InstitutionApplication(ApplicationCommon):
    """示范机构申报数据."""

    kind: Literal["institution"] = Field(description="申报类型：institution（示范机构）")
    uscc: str = Field(description="统一社会信用代码（18位，含校验码）")
    category: InstitutionCategory = Field(description="机构类别")
    address: Line = Field("", description="地址")
    founded: dt.date | None = Field(None, description="成立日期")
    qualifications: Qualifications = Field(default_factory=Qualifications, description="资质")
    beds: Beds = Field(description="床位")
    occupancy: list[MonthOccupancy] = Field(default_factory=list, description="评价年度逐月入住情况（12个月）")
    residents: Residents | None = Field(None, description="入住老年人能力等级构成")
    staff: list[StaffMember] = Field(default_factory=list, description="工作人员花名册")
    activities: list[Activity] = Field(default_factory=list, description="演练、培训、检查记录")
    agreements: list[Agreement] = Field(default_factory=list, description="与医疗机构的合作协议")
    services: list[Service] = Field(default_factory=list, description="已开展的服务项目")
    systems: list[System] = Field(default_factory=list, description="已建立的管理制度和安全制度")
    facilities: list[Facility] = Field(default_factory=list, description="设施设备与建筑合规情况")
    commitments: list[Commitment] = Field(default_factory=list, description="依法合规承诺")
    satisfaction: Satisfaction | None = Field(None, description="满意度调查")
    features: Features = Field(default_factory=Features, description="特色（优先推荐条件）")

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        problem = uscc_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class RegionIndicators(StrictModel):
    """区域统计指标；未掌握的留空（按证据不足处理），不要填 0."""

    date: dt.date | None = Field(
        None, description="统计截止日期；填写后须在评价基准日前 12 个月内，晚于评价基准日的统计数据不能采用"
    )
    care_institutions: Count | None = Field(None, description="养老机构总数")
    care_providing_medical: Count | None = Field(
        None, description="能以不同形式为入住老年人提供医疗卫生服务的养老机构数"
    )
    care_signed_medical: Count | None = Field(None, description="与医疗机构签约合作的养老机构数")
    care_beds: Count | None = Field(None, description="养老机构床位总数")
    nursing_type_beds: Count | None = Field(None, description="护理型床位数")
    level2_general_hospitals: Count | None = Field(None, description="二级及以上综合性医院数")
    with_geriatrics: Count | None = Field(None, description="其中设老年医学科的数量")
    population_65: Count | None = Field(None, description="65岁及以上常住人口数")
    health_managed_65: Count | None = Field(None, description="65岁及以上老年人规范健康管理人数")
    tcm_managed_65: Count | None = Field(None, description="65岁及以上老年人中医药健康管理人数")
    key_population: Count | None = Field(None, description="家庭医生签约重点人群总数")
    key_population_signed: Count | None = Field(None, description="其中已签约人数")
    home_hospital_beds: Count | None = Field(None, description="家庭病床数")


class RosterEntry(StrictModel):
    """辖区医养结合机构名册中的一项：指向该机构的申报文件."""

    file: str = Field(min_length=1, description="机构申报文件路径（相对本文件）")


class RegionApplication(ApplicationCommon):
    """示范县（市、区）申报数据."""

    kind: Literal["region"] = Field(description="申报类型：region（示范县（市、区））")
    level: RegionLevel = Field(description="行政区划层级")
    province: Line = Field(min_length=1, description="所属省份")
    measures: list[RegionMeasure] = Field(default_factory=list, description="已落实的机制和政策措施")
    indicators: RegionIndicators = Field(default_factory=RegionIndicators, description="统计指标")
    roster: list[RosterEntry] = Field(default_factory=list, description="辖区机构名册")


Application = Annotated[InstitutionApplication | RegionApplication, Field(discriminator="kind")]
