"""A county's ratios of stated indicators, and the indicators its roster yields.

:data:`REGION_RATIOS` is the one table of region metrics: the metric computes
``numerator ÷ denominator`` (in %), the application check refuses a numerator larger than its
denominator, and the county roll-up explains the ratios whose two indicators a roster gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class RegionRatio:
    """A region metric: one stated indicator over another (both fields of ``RegionIndicators``)."""

    metric: str
    title: str
    numerator: str
    denominator: str
    #: The ratio in words, for the rubric reference.
    formula: str


REGION_RATIOS: tuple[RegionRatio, ...] = (
    RegionRatio(
        "care_medical_share",
        "能提供医疗卫生服务的养老机构占比",
        "care_providing_medical",
        "care_institutions",
        "能提供医疗卫生服务的养老机构数 ÷ 养老机构总数",
    ),
    RegionRatio(
        "care_signed_share",
        "养老机构与医疗机构签约率",
        "care_signed_medical",
        "care_institutions",
        "与医疗机构签约合作的养老机构数 ÷ 养老机构总数",
    ),
    RegionRatio(
        "region_nursing_bed_share",
        "护理型床位占养老床位比例",
        "nursing_type_beds",
        "care_beds",
        "护理型床位数 ÷ 养老机构床位总数",
    ),
    RegionRatio(
        "geriatrics_share",
        "二级及以上综合性医院设老年医学科比例",
        "with_geriatrics",
        "level2_general_hospitals",
        "设老年医学科的二级及以上综合性医院数 ÷ 二级及以上综合性医院数",
    ),
    RegionRatio(
        "health_management_rate",
        "65岁及以上老年人健康管理率",
        "health_managed_65",
        "population_65",
        "65岁及以上老年人规范健康管理人数 ÷ 65岁及以上常住人口数",
    ),
    RegionRatio(
        "tcm_management_rate",
        "65岁及以上老年人中医药健康管理率",
        "tcm_managed_65",
        "population_65",
        "65岁及以上老年人中医药健康管理人数 ÷ 65岁及以上常住人口数",
    ),
    RegionRatio(
        "family_doctor_rate",
        "重点人群家庭医生签约率",
        "key_population_signed",
        "key_population",
        "已签约家庭医生的重点人群人数 ÷ 家庭医生签约重点人群总数",
    ),
)


class RosterIndicators(BaseModel):
    """The indicators derived from the institutions on a county's roster (see
    :mod:`shifan.evaluate.rollup`); a metric uses one where the county left its own empty, and,
    when the roster is ``complete``, also where the county's own figure contradicts it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Not an indicator: whether every elderly-care institution of the county is on the roster.
    NOT_INDICATORS: ClassVar[tuple[str, ...]] = ("complete",)

    care_institutions: int = Field(description="养老机构总数")
    care_providing_medical: int = Field(description="能提供医疗卫生服务的养老机构数")
    care_signed_medical: int = Field(description="与医疗机构签约的养老机构数")
    care_beds: int = Field(description="养老机构床位总数")
    nursing_type_beds: int = Field(description="护理型床位数")
    complete: bool = Field(
        False,
        description="名册完整：名册中的养老机构数等于县填报的养老机构总数；此时填报数与名册汇总不一致的指标按名册计",
    )

    def get(self, name: str) -> int | None:
        """The derived value of indicator ``name``, or None when a roster cannot give it."""
        if name in self.NOT_INDICATORS:
            return None
        value = getattr(self, name, None)
        return value if isinstance(value, int) else None

    @classmethod
    def titles(cls) -> dict[str, str]:
        """Indicator name → Chinese title, in the roster's order."""
        return {
            name: info.description or name for name, info in cls.model_fields.items() if name not in cls.NOT_INDICATORS
        }
