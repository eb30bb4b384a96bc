"""A review sheet (评审意见表) as read from YAML: one reviewer's scores and opinions on one application.

Some fields are written by the tool (``application``, ``rubric``, ``as_of``, each item's
``computed`` and ``self_score``, ``changed``) and refreshed by ``shifan review update``; the
others belong to the reviewer and are never touched by the tool.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, field_validator

from shifan.read.text import visible
from shifan.rules.base import Line, Name, StrictModel, Text
from shifan.rules.vocab import Status


class Verification(StrEnum):
    """Result of on-site verification (现场核查) of one item."""

    CONFIRMED = "confirmed"
    NOT_CHECKED = "not_checked"
    CONTRADICTS = "contradicts"

    @property
    def label(self) -> str:
        return VERIFICATION_LABELS[self]


VERIFICATION_LABELS = {
    Verification.CONFIRMED: "已核实",
    Verification.NOT_CHECKED: "未核查",
    Verification.CONTRADICTS: "与申报不符",
}


class Conclusion(StrEnum):
    """A reviewer's final opinion on the application."""

    RECOMMEND = "recommend"
    NOT_RECOMMEND = "not_recommend"
    PENDING = "pending"

    @property
    def label(self) -> str:
        return CONCLUSION_LABELS[self]


CONCLUSION_LABELS = {
    Conclusion.RECOMMEND: "同意推荐",
    Conclusion.NOT_RECOMMEND: "不同意推荐",
    Conclusion.PENDING: "待定",
}


class ReviewLevel(StrEnum):
    """Which round of review a sheet belongs to; the 公示 notice names the rounds that happened."""

    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"

    @property
    def label(self) -> str:
        return REVIEW_LEVEL_LABELS[self]


REVIEW_LEVEL_LABELS = {
    ReviewLevel.COUNTY: "县级初审",
    ReviewLevel.CITY: "市级审核",
    ReviewLevel.PROVINCE: "省级评审",
}


class ApplicationRef(StrictModel):
    """Which application this review is about (written by the tool)."""

    path: str = Field(min_length=1, description="申报文件路径（相对本评审文件）")
    sha256: str = Field(min_length=64, max_length=64, description="评审时申报文件的 SHA-256，用于判断评审是否过期")
    name: Name = Field("", description="申报单位名称（仅供阅读）")
    id: Line = Field("", description="统一社会信用代码或行政区划代码（仅供阅读）")


class RubricRef(StrictModel):
    """Which rubric the review was made under (written by the tool)."""

    id: str = Field(min_length=1, description="评分标准编号")
    sha256: str = Field(min_length=64, max_length=64, description="评分标准内容的 SHA-256")
    version: str = Field("", description="评分标准版本（仅供阅读）")


class Reviewer(StrictModel):
    """The reviewer."""

    name: Name = Field(min_length=1, description="评审专家姓名（必填）")
    organisation: Line = Field("", description="工作单位")
    title: Line = Field("", description="职称或职务")
    signed: dt.date | None = Field(None, description="签字日期")
    level: ReviewLevel | None = Field(
        None, description="评审层级：county 县级初审、city 市级审核、province 省级评审；公示文本据此写明评审经过"
    )


class Computed(StrictModel):
    """What the tool computed from the data when the sheet was written or last updated."""

    status: Status = Field(
        description="系统判定：pass 符合、fail 不符合、partial 部分符合、not_applicable 不适用、insufficient_evidence 证据不足、error 无法评价"
    )
    points: float = Field(0, ge=0, description="系统计算得分")
    observed: str = Field("", description="系统看到的数据")


class Override(StrictModel):
    """A reviewer overruling a gate the data decided (否决项改判)."""

    decision: Literal["pass", "fail"] = Field(description="改判为 pass（符合）或 fail（不符合）")
    reason: Text = Field(min_length=1, description="改判理由（必填，写明依据）")

    @field_validator("reason")
    @classmethod
    def _visible_reason(cls, value: str) -> str:
        if not visible(value):
            raise ValueError("改判理由没有可见的文字")
        return value


class ReviewItem(StrictModel):
    """One criterion of the sheet."""

    computed: Computed | None = Field(None, description="系统计算结果（工具填写，勿改）")
    self_score: float | None = Field(None, description="申报单位自评分（工具填写）")
    score: float | None = Field(
        None, ge=0, strict=True, description="专家评分，0 至该项分值；留空表示未评分（否决项不评分）"
    )
    remark: Text | None = Field("", description="评审意见")
    verification: Verification = Field(
        Verification.NOT_CHECKED, description="现场核查：confirmed 已核实、not_checked 未核查、contradicts 与申报不符"
    )
    override: Override | None = Field(None, description="否决项改判（仅否决项）：decision 与 reason 均必填")
    changed: str | None = Field(None, description="申报数据变化提示（工具填写；复核后可删除）")


class FinalOpinion(StrictModel):
    """The reviewer's overall opinion."""

    conclusion: Conclusion = Field(
        Conclusion.PENDING, description="recommend 同意推荐、not_recommend 不同意推荐、pending 待定"
    )
    text: Text | None = Field("", description="综合评审意见")


class ReviewFile(StrictModel):
    """A review sheet (评审意见表)."""

    kind: Literal["review"] = Field(description="文件类型：review（评审意见表）")
    application: ApplicationRef = Field(description="所评审的申报文件")
    rubric: RubricRef = Field(description="所依据的评分标准")
    as_of: dt.date = Field(description="评价基准日")
    reviewer: Reviewer = Field(description="评审专家")
    items: dict[str, ReviewItem] = Field(default_factory=dict, description="逐项评审：指标编号 → 评分、意见、现场核查")
    final_opinion: FinalOpinion = Field(default_factory=FinalOpinion, description="综合意见")
    retired: dict[str, Any] = Field(
        default_factory=dict, description="评分标准中已删除的指标的原评审内容（工具移入，仅供留档）"
    )
