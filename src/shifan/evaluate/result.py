"""The result of evaluating one application against one rubric (also the JSON output)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from shifan.rules.params import ParamStatus
from shifan.rules.vocab import Status, Verdict

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def trusted(cls: type[M], **values: Any) -> M:
    """An instance of ``cls`` from values of the declared types that the engine built itself.

    Every field must be given. Nothing is validated again: this costs a quarter of validation
    and a tenth of pydantic's ``model_construct`` (which fills defaults and resolves aliases),
    and the result is the same instance (tests compare both ways of building). Values read
    from files are validated where they are read, never here.
    """
    if len(values) != len(cls.model_fields):
        raise TypeError(f"{cls.__name__}: every field must be given, missing {set(cls.model_fields) - set(values)}")
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


class ParameterBrief(BaseModel):
    """A parameter as printed: title, value with its unit, quoted or a default, and its source."""

    name: str = Field(description="参数名")
    title: str = Field(description="参数含义")
    text: str = Field(description="带单位的数值，如 60%")
    status: ParamStatus = Field(
        description="quoted 原文明确给出；interpretation 原文数字用于原文未直接规定的对象（解释性适用）；default 原文缺失，为默认值，须核对官方原文"
    )
    source: str = Field(description="出处（文件、文号、条款）")


class ParameterUse(ParameterBrief):
    """A parameter a criterion uses, also with its bare value and unit."""

    value: float = Field(description="数值（不含单位）")
    unit: str = Field(description="单位")


class EvidenceUse(BaseModel):
    type: str = Field(description="佐证材料类型代码")
    title: str = Field(description="佐证材料名称")
    files: list[str] = Field(description="申报文件中列出的该类材料文件")


class CriterionResult(BaseModel):
    id: str = Field(description="指标编号")
    title: str = Field(description="指标名称")
    section: str = Field(description="所属章节编号")
    requirement: str = Field(description="要求，参数已代入")
    gate: bool = Field(description="是否否决项")
    status: Status = Field(description="判定结果；证据不足指数据或佐证材料缺失，既不算符合也不算不符合")
    points: float = Field(description="得分（否决项为 0）")
    max_points: float = Field(description="分值（否决项为 0）")
    observed: str = Field(description="实际情况")
    expected: str = Field(description="要求")
    reason: str = Field(description="一句话中文说明")
    details: list[str] = Field(default_factory=list, description="逐项明细，如不合格人员")
    value: float | None = Field(None, description="计算得到的数值（如入住率百分数）；没有时为 null")
    self_score: float | None = Field(None, description="申报单位的自评分；没有时为 null")
    evidence: list[EvidenceUse] = Field(default_factory=list, description="所需佐证材料")
    missing_evidence: list[str] = Field(default_factory=list, description="缺少的佐证材料名称")
    source: str = Field(description="出处（文件、文号、条款）")
    parameters: list[ParameterUse] = Field(default_factory=list, description="用到的参数")
    uses_defaults: bool = Field(False, description="是否使用了待核对的默认值")

    @property
    def gain(self) -> float:
        """Points this item would add if fixed."""
        if self.status is Status.NOT_APPLICABLE:
            return 0.0
        return max(0.0, self.max_points - self.points)


class SectionResult(BaseModel):
    id: str = Field(description="章节编号")
    title: str = Field(description="章节名称")
    score: float = Field(description="本章得分")
    max_score: float = Field(description="本章适用指标的满分合计")


class PriorityResult(BaseModel):
    id: str = Field(description="条件编号")
    title: str = Field(description="条件")
    met: bool = Field(description="是否满足")
    reason: str = Field(description="一句话中文说明")


class Flag(BaseModel):
    """A plausibility flag (提示): data a reviewer should verify first. Not a verdict; it changes
    neither the score nor eligibility."""

    code: str = Field(description="提示编号（稳定，见评分标准 flags）")
    title: str = Field(description="提示名称")
    message: str = Field(description="一句话中文说明")
    data: dict[str, str | float | int | list[str]] = Field(
        default_factory=dict, description="所依据的数据，如人数、月份、证书编号"
    )
    parameters: list[ParameterUse] = Field(default_factory=list, description="用到的阈值参数")


class Applicant(BaseModel):
    id: str = Field(description="统一社会信用代码（机构）或行政区划代码（县）")
    name: str = Field(description="申报单位名称")
    kind: Literal["institution", "region"] = Field(description="申报类型")
    region_code: str = Field(description="行政区划代码")
    category: str = Field("", description="机构类别代码（县级申报为空）")
    category_label: str = Field("", description="机构类别的中文名称")


class RubricInfo(BaseModel):
    """Which effective rubric a result was computed under."""

    id: str = Field(description="评分标准编号")
    title: str = Field(description="评分标准名称")
    version: str = Field(description="版本")
    sha256: str = Field(description="生效评分标准（overlay 合并后）规范化 JSON 的 SHA-256，可据此核对打印件")
    chain: list[str] = Field(description="继承链，从基础标准到本标准")


class EvaluationResult(BaseModel):
    applicant: Applicant = Field(description="申报单位")
    rubric: RubricInfo = Field(description="生效的评分标准")
    as_of: dt.date = Field(description="评价基准日")
    application_sha256: str = Field("", description="申报文件内容的 SHA-256")
    eligible: bool = Field(description="全部否决项符合（或不适用）时为 true")
    verdict: Verdict = Field(
        description="结论，只由否决项决定：有否决项不符合为 ineligible，有否决项证据不足为 incomplete"
    )
    failed_gates: list[str] = Field(description="不符合或证据不足的否决项编号")
    score: float = Field(description="得分（有否决项不符合时照常计算，不隐藏）")
    max_score: float = Field(description="适用指标的满分合计（不适用项不计）")
    normalized_score: float = Field(description="得分 ÷ 适用满分 × 评分标准满分，用于排序")
    rubric_max_score: float = Field(description="评分标准满分")
    grade: str = Field(description="等级（仅具备资格时给出，否则为空）")
    sections: list[SectionResult] = Field(description="各章得分")
    criteria: list[CriterionResult] = Field(description="逐项结果，每项的字段见下表")
    priorities: list[PriorityResult] = Field(description="优先推荐条件（不计分）")
    defaults_used: list[ParameterUse] = Field(
        description="本次用到的须核对参数：默认值、解释性适用参数，以及给出等级时的等级分数线"
    )
    unmet_standards: list[str] = Field(
        default_factory=list,
        description="未达到的硬性标准条款（评分标准中“达到/超过/均须”类指标不符合或部分符合的编号）；仍计分、不否决，得分和等级不代表已达到这些标准",
    )
    flags: list[Flag] = Field(
        default_factory=list, description="合理性提示：请评审专家优先核实的数据（不影响得分和结论）"
    )

    def counts(self) -> dict[str, int]:
        result = {status.value: 0 for status in Status}
        for criterion in self.criteria:
            result[criterion.status.value] += 1
        return result
