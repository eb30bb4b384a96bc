"""A rubric as written in YAML: criteria grouped in sections, numbers as named parameters.

A rubric either stands alone or ``extends`` another and changes it (overlay): it may set
parameters, replace, add or drop criteria, and add sections. :mod:`shifan.rubric` resolves the
chain into the effective rubric that is evaluated and printed.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from shifan.rules.base import StrictModel
from shifan.rules.checks import CheckSpec
from shifan.rules.flags import FlagSpec
from shifan.rules.params import Parameter, SourceDocument, SourceRef

ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
RUBRIC_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*(/[a-z][a-z0-9_-]*)*$")


class EvidenceWay(StrictModel):
    """The evidence for one way of meeting a criterion: one nested check of its ``any`` check."""

    title: str = Field(min_length=1, description="满足方式的名称，如 内设医疗机构、与医疗机构毗邻")
    evidence: list[str] = Field(min_length=1, description="以这种方式符合时所需的佐证材料类型")


class Criterion(StrictModel):
    """One scored or gating item (指标)."""

    id: str = Field(description="稳定编号，如 A1、C3.2")
    title: str = Field(min_length=1, description="指标名称")
    requirement: str = Field(min_length=1, description="要求原文，可用 {参数名} 引用参数值")
    gate: bool = Field(False, description="是否否决项：不符合即不具备申报资格，不计分")
    must_meet: bool = Field(
        False,
        description="原文为“达到/超过/均须”的硬性标准：仍计分、不否决，但不符合或部分符合时在结论中单独列出",
    )
    points: float = Field(0, ge=0, description="分值（否决项为 0）")
    check: CheckSpec = Field(description="判定方法")
    applies_if: CheckSpec | None = Field(None, description="适用条件：不满足时本项不适用")
    evidence: list[str] = Field(default_factory=list, description="所需佐证材料类型（无论以哪种方式符合都需要）")
    evidence_by_way: list[EvidenceWay] = Field(
        default_factory=list,
        description="按满足方式所需的佐证材料：判定方法为 any 时，与其子条件一一对应、顺序相同；"
        "只要求实际满足的那一种方式的材料（多种方式都满足时，取材料齐全的第一种）",
    )
    source: SourceRef = Field(description="出处")
    guidance: str = Field("", description="评分说明")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("编号只能含字母、数字、点、下划线和连字符，且以字母开头")
        return value


class Section(StrictModel):
    """A group of criteria (一级指标)."""

    id: str = Field(description="编号")
    title: str = Field(min_length=1, description="名称")
    note: str = Field("", description="说明（如分值分配理由）")
    criteria: list[Criterion] = Field(default_factory=list, description="指标")


class Grade(StrictModel):
    """A grade band of the total score."""

    label: str = Field(min_length=1, description="等级名称，如 优秀")
    at_least: str = Field(description="总分下限参数名")


class Priority(StrictModel):
    """A 优先推荐 condition: not scored, used to order the recommendation list."""

    id: str = Field(description="编号")
    title: str = Field(min_length=1, description="名称")
    check: CheckSpec = Field(description="判定方法")
    source: SourceRef = Field(description="出处")


class ReviewSettings(StrictModel):
    """How several reviewers' scores are combined."""

    method: Literal["mean", "median", "trimmed_mean"] = Field(
        "mean", description="mean 平均；median 中位数；trimmed_mean 去掉一个最高分和一个最低分后平均"
    )
    max_spread: str | None = Field(None, description="评分分歧提示阈值参数名（同一指标最高分与最低分之差）")


class CriterionAddition(StrictModel):
    """Criteria an overlay adds to one section of the base."""

    section: str = Field(description="加入的章节编号")
    criteria: list[Criterion] = Field(min_length=1, description="新增指标")


class RubricFile(StrictModel):
    """A rubric file, standalone or an overlay (``extends``)."""

    id: str = Field(description="编号，等于 criteria/ 下的相对路径（不含 .yaml），如 national/institution")
    title: str = Field(min_length=1, description="名称")
    version: str = Field(min_length=1, description="版本")
    subject: Literal["institution", "region"] | None = Field(
        None, description="适用对象：institution 示范机构；region 示范县（市、区）；overlay 可省略"
    )
    extends: str | None = Field(None, description="所基于的 rubric 编号（overlay）")
    description: str = Field("", description="说明，含分值分配理由")
    sources: list[SourceDocument] = Field(default_factory=list, description="来源文件")
    parameters: dict[str, Parameter] = Field(default_factory=dict, description="参数（overlay 中为新增或覆盖）")
    evidence_types: dict[str, str] = Field(default_factory=dict, description="佐证材料类型代码 → 名称")
    sections: list[Section] = Field(default_factory=list, description="章节（overlay 中为新增章节）")
    grades: list[Grade] | None = Field(None, description="等级划分（overlay 中给出则整体替换）")
    priorities: list[Priority] = Field(default_factory=list, description="优先推荐条件（overlay 中同编号替换）")
    review: ReviewSettings | None = Field(None, description="多名评审专家评分的合并方法")
    flags: list[FlagSpec] | None = Field(
        None, description="适用的合理性提示（不影响结论，提醒评审专家核实；overlay 中给出则整体替换）"
    )
    drop: list[str] = Field(default_factory=list, description="overlay：删除的指标编号")
    replace: list[Criterion] = Field(default_factory=list, description="overlay：整体替换的指标（按编号）")
    add: list[CriterionAddition] = Field(default_factory=list, description="overlay：加入已有章节的指标")

    @field_validator("id")
    @classmethod
    def _rubric_id(cls, value: str) -> str:
        if not RUBRIC_ID_PATTERN.match(value):
            raise ValueError("编号应为小写字母、数字、-、_ 组成的路径，如 anhui/institution")
        return value
