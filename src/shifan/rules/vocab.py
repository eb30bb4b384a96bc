"""The catalogue of user-facing Chinese labels: every closed vocabulary, each code with its label.

Codes are what files and JSON contain (stable, ASCII); labels are what people read. Results
(:class:`Status`, :class:`Verdict`), kinds of applicant and the application files' own
vocabularies are all defined here, once; renderers print ``member.label`` and never spell a
label themselves. The lists follow
the wording of the national plan (国卫老龄发〔2022〕14号) and the provincial documents.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Labelled(StrEnum):
    """A StrEnum whose members carry a Chinese label (``member.label``)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """Codes and Chinese labels are both accepted, so editors offer (and accept) both; each
        option is described by its label."""
        schema: dict[str, Any] = handler.resolve_ref_schema(handler(core_schema))
        members = list(cls)
        labels = [m.label for m in members if m.label != m.value]
        schema["enum"] = [m.value for m in members] + labels
        schema["enumDescriptions"] = [m.label for m in members] + [
            f"= {m.value}" for m in members if m.label != m.value
        ]
        schema["description"] = "可填代码或中文名称：" + "、".join(f"{m.label}（{m.value}）" for m in members)
        return schema


class Status(Labelled):
    """Result of one criterion (or one check)."""

    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    PARTIAL = "partial", "部分符合"
    NOT_APPLICABLE = "not_applicable", "不适用"
    INSUFFICIENT = "insufficient_evidence", "证据不足"
    ERROR = "error", "无法评价"


class Verdict(Labelled):
    """Whether an applicant may be recommended, decided by the gates (否决项) alone."""

    ELIGIBLE = "eligible", "具备申报资格"
    INELIGIBLE = "ineligible", "不具备申报资格"
    INCOMPLETE = "incomplete", "暂不能确认申报资格"

    @property
    def reason(self) -> str:
        """The label with its reason in brackets, as the terminal and the annex print it."""
        return f"{self.label}（{_VERDICT_REASONS[self]}）"

    @property
    def explanation(self) -> str:
        """One sentence for the report's verdict box."""
        return _VERDICT_EXPLANATIONS[self]


_VERDICT_REASONS = {
    Verdict.ELIGIBLE: "全部否决项符合",
    Verdict.INELIGIBLE: "有否决项不符合",
    Verdict.INCOMPLETE: "否决项证据不足",
}
_VERDICT_EXPLANATIONS = {
    Verdict.ELIGIBLE: "全部否决项（基本条件）均符合。",
    Verdict.INELIGIBLE: "下列否决项（基本条件）不符合，无论得分多少均不具备申报资格。",
    Verdict.INCOMPLETE: "下列否决项（基本条件）证据不足，补齐数据或佐证材料后方能确认资格。",
}


class ApplicantKind(Labelled):
    """Who applies: one institution or one county (市、区)."""

    INSTITUTION = "institution", "示范机构"
    REGION = "region", "示范县（市、区）"

    @property
    def honour(self) -> str:
        """The honour's full name, used as the heading of a national list."""
        return _KIND_TITLES[self]


_KIND_TITLES = {
    ApplicantKind.INSTITUTION: "全国医养结合示范机构",
    ApplicantKind.REGION: "全国医养结合示范县（市、区）",
}


class InstitutionCategory(Labelled):
    """机构类别: how the institution combines medical and elderly care."""

    NURSING_HOME = "nursing_home", "护理院"
    CARE_WITH_CLINIC = "care_with_clinic", "养老机构内设医疗机构"
    MEDICAL_WITH_CARE = "medical_with_care", "医疗机构开展养老服务"
    TRANSFORMED = "transformed", "基层医疗机构转型康复护理机构"
    COLOCATED = "colocated", "医养毗邻或签约合作机构"
    OTHER = "other", "其他医养结合机构"


class MedicalLevel(Labelled):
    """Level of the medical institution (or internal clinic) the applicant runs."""

    CLINIC_ROOM = "clinic_room", "医务室"
    HEALTH_ROOM = "health_room", "卫生所（室）"
    CLINIC = "clinic", "诊所"
    NURSING_STATION = "nursing_station", "护理站"
    NURSING_HOME = "nursing_home", "护理院"
    COMMUNITY_CENTRE = "community_centre", "社区卫生服务中心（乡镇卫生院）"
    HOSPITAL = "hospital", "医院"


class Role(Labelled):
    """岗位."""

    MANAGER = "manager", "管理人员"
    PHYSICIAN = "physician", "执业医师"
    ASSISTANT_PHYSICIAN = "assistant_physician", "执业助理医师"
    NURSE = "nurse", "注册护士"
    PHARMACIST = "pharmacist", "药师"
    REHAB_THERAPIST = "rehab_therapist", "康复治疗师"
    MEDICAL_TECHNICIAN = "medical_technician", "医技人员"
    DIETITIAN = "dietitian", "营养师"
    PSYCH_COUNSELOR = "psych_counselor", "心理咨询师"
    SOCIAL_WORKER = "social_worker", "社会工作者"
    CAREGIVER = "caregiver", "养老护理员"
    COOK = "cook", "厨师及食品从业人员"
    LOGISTICS = "logistics", "后勤人员"
    OTHER = "other", "其他人员"


class CertificateType(Labelled):
    """证书类型."""

    PHYSICIAN_PRACTICE = "physician_practice", "医师执业证书"
    PHYSICIAN_QUALIFICATION = "physician_qualification", "医师资格证书"
    NURSE_PRACTICE = "nurse_practice", "护士执业证书"
    PHARMACIST = "pharmacist", "药师资格证书"
    REHAB_THERAPIST = "rehab_therapist", "康复治疗技术资格证书"
    MEDICAL_TECHNICIAN = "medical_technician", "医技专业技术资格证书"
    CAREGIVER_SKILL = "caregiver_skill", "养老护理员职业技能等级证书"
    SOCIAL_WORKER = "social_worker", "社会工作者职业资格证书"
    DIETITIAN = "dietitian", "营养师证书"
    PSYCH_COUNSELOR = "psych_counselor", "心理咨询师证书"
    HEALTH_CERTIFICATE = "health_certificate", "健康证明（食品从业）"
    SPECIAL_OPERATION = "special_operation", "特种作业操作证"
    TRAINING = "training", "岗前培训考核合格证明"
    OTHER = "other", "其他证书"


class IncidentCategory(Labelled):
    """事件类别."""

    MEDICAL_QUALITY_SAFETY = "medical_quality_safety", "医疗质量安全事件"
    ELDER_RELATED = "elder_related", "涉老负面事件"
    MEDICAL_ACCIDENT = "medical_accident", "医疗事故"
    ILLEGAL_CASE = "illegal_case", "违法案件"
    WORK_SAFETY = "work_safety", "安全生产事故"
    FIRE = "fire", "火灾事故"
    ELDER_RIGHTS = "elder_rights", "侵害老年人权益事件"
    OTHER = "other", "其他事件"


class Severity(Labelled):
    """事件等级, ordered from least to most severe (GB 6441 / 生产安全事故报告和调查处理条例)."""

    GENERAL = "general", "一般"
    LARGER = "larger", "较大"
    MAJOR = "major", "重大"
    EXTRAORDINARY = "extraordinary", "特别重大"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class ActivityType(Labelled):
    """演练、培训、检查记录的类型."""

    FIRE_DRILL = "fire_drill", "消防演练"
    EMERGENCY_DRILL = "emergency_drill", "应急预案演练"
    SAFETY_TRAINING = "safety_training", "安全教育培训"
    FIRE_INSPECTION = "fire_inspection", "防火检查"
    JOINT_INSPECTION = "joint_inspection", "安全生产和消防联合检查"
    STAFF_TRAINING = "staff_training", "业务培训"
    QUALITY_INSPECTION = "quality_inspection", "医养结合服务质量检查"
    MEDICAL_VISIT = "medical_visit", "签约医疗机构上门服务"
    HEALTH_CHECK = "health_check", "老年人健康体检"


class Ability(Labelled):
    """老年人能力等级 (GB/T 42195-2022 老年人能力评估规范)."""

    INTACT = "intact", "能力完好"
    MILD = "mild", "轻度失能"
    MODERATE = "moderate", "中度失能"
    SEVERE = "severe", "重度失能"
    TOTAL = "total", "完全失能"


class Service(Labelled):
    """服务项目."""

    HEALTH_ASSESSMENT = "health_assessment", "老年人健康和需求综合评估"
    SERVICE_PLAN = "service_plan", "个人服务计划"
    HEALTH_RECORDS = "health_records", "电子健康档案"
    DIAGNOSIS_TREATMENT = "diagnosis_treatment", "疾病诊治"
    REHAB_NURSING = "rehab_nursing", "康复护理"
    HOSPICE = "hospice", "安宁疗护"
    PSYCH_SUPPORT = "psych_support", "心理精神支持"
    NUTRITION = "nutrition", "营养膳食"
    RECREATION = "recreation", "文化娱乐"
    DAILY_CARE = "daily_care", "生活照料"
    HEALTH_EDUCATION = "health_education", "健康教育"
    TCM_CONSTITUTION = "tcm_constitution", "中医体质辨识"
    TCM_TECHNIQUES = "tcm_techniques", "中医药适宜技术"
    REFERRAL = "referral", "转介与衔接"
    GREEN_CHANNEL = "green_channel", "就医绿色通道"
    HEALTH_MONITORING = "health_monitoring", "健康监测和聚集性疫情监测"
    CHRONIC_DISEASE = "chronic_disease", "慢性病管理"


class System(Labelled):
    """管理制度与安全制度."""

    QUALITY_SAFETY = "quality_safety", "质量安全管理制度"
    POST_RESPONSIBILITY = "post_responsibility", "岗位责任制度"
    SERVICE_MANAGEMENT = "service_management", "服务管理制度"
    MEDICAL_RECORDS = "medical_records", "病案管理制度"
    PHARMACY = "pharmacy", "药事管理制度"
    NURSING = "nursing", "护理管理制度"
    INFECTION_CONTROL = "infection_control", "院内感染管理制度"
    FINANCE = "finance", "财务管理制度"
    LOGISTICS = "logistics", "安全生产及后勤管理制度"
    DISEASE_REPORTING = "disease_reporting", "传染病监测及报告制度"
    COMPLAINTS = "complaints", "投诉反馈机制"
    DISCLOSURE = "disclosure", "服务项目、内容和收费标准公开制度"
    PRIVACY = "privacy", "老年人隐私保护制度"
    INFORMATION_SYSTEM = "information_system", "信息化管理系统"
    STAFF_TRAINING = "staff_training", "人员培训制度"
    TECH_ARCHIVES = "tech_archives", "专业技术人员技术档案"
    EQUAL_TREATMENT = "equal_treatment", "医务人员职称评定和继续教育同等待遇"
    MANAGER_EXPERIENCE = "manager_experience", "管理人员具备相关管理经验"
    WORK_SAFETY_RESPONSIBILITY = "work_safety_responsibility", "安全生产责任制"
    FIRE_SAFETY_RESPONSIBILITY = "fire_safety_responsibility", "消防安全责任制"
    FIRE_RULES = "fire_rules", "消防安全管理制度和操作规程"
    EVACUATION_PLAN = "evacuation_plan", "灭火和应急疏散预案"
    FIRE_INSPECTION_RULES = "fire_inspection_rules", "防火检查制度"
    SAFETY_TRAINING_RULES = "safety_training_rules", "安全生产教育培训制度"
    EMERGENCY_MANAGEMENT = "emergency_management", "应急管理制度"


class Facility(Labelled):
    """设施设备与建筑合规."""

    MEDICAL_EQUIPMENT = "medical_equipment", "医疗设备按标准配置"
    CARE_EQUIPMENT = "care_equipment", "养老设施设备按标准配置"
    EQUIPMENT_MAINTENANCE = "equipment_maintenance", "设施设备定期维护"
    MEDICAL_BUILDING_CODE = "medical_building_code", "符合医疗机构建筑设计规范"
    CARE_FACILITY_CODE = "care_facility_code", "符合《老年人照料设施建筑设计标准》"
    FIRE_CODE = "fire_code", "符合《建筑设计防火规范》"
    ACCESSIBILITY_CODE = "accessibility_code", "符合《无障碍设计规范》"


class Commitment(Labelled):
    """依法合规承诺 (declared by the applicant, verified by reviewers)."""

    LAW_COMPLIANCE = "law_compliance", "遵守法律法规和政策规定"
    POLICY_IMPLEMENTATION = "policy_implementation", "落实国家医养结合政策文件"
    DATA_ACCURATE = "data_accurate", "申报数据真实准确"


class Frequency(Labelled):
    """频次."""

    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    BIWEEKLY = "biweekly", "每两周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    ON_CALL = "on_call", "按需"

    @property
    def rank(self) -> int:
        """Smaller is more frequent."""
        return list(Frequency).index(self)


class RegionLevel(Labelled):
    """行政区划层级."""

    COUNTY = "county", "县"
    COUNTY_CITY = "county_city", "县级市"
    DISTRICT = "district", "市辖区"


class RegionMeasure(Labelled):
    """示范县（市、区）的工作机制与政策措施."""

    IN_DEVELOPMENT_PLAN = "in_development_plan", "医养结合纳入经济社会发展规划"
    IN_SECTOR_PLANS = "in_sector_plans", "纳入深化医改和养老服务体系规划"
    WORKING_MECHANISM = "working_mechanism", "建立医养结合工作机制、部门分工明确"
    WORK_PLAN = "work_plan", "制定并公布本级推进医养结合工作方案"
    LAND_POLICY = "land_policy", "用地保障政策"
    FISCAL_TAX = "fiscal_tax", "财税优惠政策"
    INVESTMENT = "investment", "投融资支持政策"
    PRICING = "pricing", "价格政策"
    MEDICAL_INSURANCE = "medical_insurance", "医保支持政策"
    LOTTERY_FUNDS = "lottery_funds", "福彩公益金支持医养结合"
    TRAINING = "training", "人才培养培训政策"
    INFORMATION = "information", "信息化支持"
    GREEN_CHANNEL = "green_channel", "医疗机构普遍为老年人提供挂号就医绿色通道"
    HOME_COMMUNITY = "home_community", "居家社区医养结合服务"
    FAMILY_DOCTOR = "family_doctor", "家庭医生签约服务"
    HOME_BEDS = "home_beds", "家庭病床服务"
    RURAL = "rural", "农村医养结合服务"
    COLOCATION = "colocation", "基层医疗卫生和养老服务设施统筹规划、毗邻建设"
    INFO_SHARING = "info_sharing", "医养信息共享"
    QUALITY_INSPECTION = "quality_inspection", "定期开展医养结合机构服务质量检查"
    RANDOM_INSPECTION = "random_inspection", "纳入“双随机、一公开”监管"
    SAFETY_DEPLOYMENT = "safety_deployment", "纳入安全生产和消防安全工作部署"
    JOINT_SAFETY_INSPECTION = "joint_safety_inspection", "每年开展医养结合机构安全生产和消防安全联合检查"
    BED_CONVERSION = "bed_conversion", "建立机构养老床位与医疗床位按需规范转换机制"
    HOME_VISIT_FEE = "home_visit_fee", "执行公立医疗卫生机构“上门服务费”收费标准"
    STAFF_ROTATION = "staff_rotation", "建立医养结合机构医务人员进修轮训机制"
    PERFORMANCE_INCENTIVE = "performance_incentive", "公立医疗卫生机构内部绩效分配向医养结合服务倾斜"
    PRACTICE_VOLUNTEER = "practice_volunteer", "鼓励医务人员到医养结合机构执业、开展志愿服务"
    MEDICAL_ALLIANCE = "medical_alliance", "医养结合机构纳入紧密型医联体统一管理"
    HIGHER_RECOGNITION = "higher_recognition", "得到上级部门认可"
    ELDER_APPROVAL = "elder_approval", "当地老年人普遍认可"
    MEDIA_EVALUATION = "media_evaluation", "媒体评价良好"
