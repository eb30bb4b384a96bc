"""The result of evaluating one application against one rubric (also the JSON output)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from shifan.rules.params import ParamStatus
from shifan.rules.vocab import Status, Verdict


class ParameterUse(BaseModel):
    name: str
    title: str
    value: float
    unit: str
    text: str = Field(description="带单位的数值，如 60%")
    status: ParamStatus
    source: str


class EvidenceUse(BaseModel):
    type: str
    title: str
    files: list[str]


class CriterionResult(BaseModel):
    id: str
    title: str
    section: str
    requirement: str = Field(description="要求，参数已代入")
    gate: bool
    status: Status
    points: float
    max_points: float
    observed: str
    expected: str
    reason: str = Field(description="一句话中文说明")
    details: list[str] = Field(default_factory=list, description="逐项明细，如不合格人员")
    value: float | None = None
    self_score: float | None = None
    evidence: list[EvidenceUse] = Field(default_factory=list)
    missing_evidence: list[str] = Field(default_factory=list, description="缺少的佐证材料名称")
    source: str
    parameters: list[ParameterUse] = Field(default_factory=list)
    uses_defaults: bool = Field(False, description="是否使用了待核对的默认值")

    @property
    def gain(self) -> float:
        """Points this item would add if fixed."""
        if self.status is Status.NOT_APPLICABLE:
            return 0.0
        return max(0.0, self.max_points - self.points)


class SectionResult(BaseModel):
    id: str
    title: str
    score: float
    max_score: float


class PriorityResult(BaseModel):
    id: str
    title: str
    met: bool
    reason: str


class Applicant(BaseModel):
    id: str = Field(description="统一社会信用代码（机构）或行政区划代码（县）")
    name: str
    kind: Literal["institution", "region"]
    region_code: str
    category: str = Field("", description="机构类别代码")
    category_label: str = ""


class RubricInfo(BaseModel):
    id: str
    title: str
    version: str
    sha256: str
    chain: list[str]


class EvaluationResult(BaseModel):
    applicant: Applicant
    rubric: RubricInfo
    as_of: dt.date
    application_sha256: str = ""
    eligible: bool = Field(description="全部否决项符合（或不适用）")
    verdict: Verdict = Field(description="eligible 具备资格；ineligible 有否决项不符合；incomplete 否决项证据不足")
    failed_gates: list[str]
    score: float
    max_score: float = Field(description="适用指标的满分合计（不适用项不计）")
    normalized_score: float = Field(description="折算为 rubric 满分的得分，用于排序")
    rubric_max_score: float
    grade: str
    sections: list[SectionResult]
    criteria: list[CriterionResult]
    priorities: list[PriorityResult]
    defaults_used: list[ParameterUse] = Field(description="本次评价用到的默认值参数（须核对官方原文）")
    unmet_standards: list[str] = Field(
        default_factory=list,
        description="未达到的硬性标准条款（must_meet 指标中不符合或部分符合的编号）：得分和等级不代表已达到这些标准",
    )

    def counts(self) -> dict[str, int]:
        result = {status.value: 0 for status in Status}
        for criterion in self.criteria:
            result[criterion.status.value] += 1
        return result
