"""What a batch passes around: tasks for workers, one summary row per applicant, failures, and
the writers that turn an evaluated applicant into files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from shifan.batch.items import ApplicantWriter, DepRecord, Failure, ItemResult, ReviewPeek, Task
from shifan.evaluate.pipeline import Checked
from shifan.evaluate.result import Flag
from shifan.review.model import Conclusion
from shifan.review.reconcile import OverrideRecord, ReconciledResult
from shifan.rules.vocab import Status, Verdict


class FailedGate(BaseModel):
    """A gate (否决项) that keeps the applicant from being eligible after review."""

    id: str
    title: str
    status: Status = Field(description="系统核验结果")
    reason: str = Field(description="系统核验的理由")
    overridden: bool = Field(False, description="经评审专家改判为不符合")


class StaleReview(BaseModel):
    """A review written before the application or the rubric last changed."""

    reviewer: str
    reasons: list[str]


class ReviewerConclusion(BaseModel):
    """A reviewer's final opinion (综合意见)."""

    reviewer: str
    conclusion: Conclusion


class SummaryRow(BaseModel):
    """One applicant in the summary table (and everything a recommendation list ranks by)."""

    file: str = Field(description="申报文件（相对批处理目录）")
    output: str = Field("", description="输出文件名（不含扩展名）")
    name: str
    id: str
    kind: Literal["institution", "region"]
    category: str
    category_label: str
    region_code: str
    region_name: str = Field("", description="行政区划名称（省、市、县），由区划代码查表得出")
    rubric_id: str
    rubric_title: str = Field("", description="评分标准名称（名单标题）")
    pass_score: float | None = Field(None, description="评分标准的合格线（最低等级分数线）；没有等级时为空")
    as_of: str
    verdict: Verdict
    eligible: bool
    failed_gates: list[FailedGate] = Field(description="否决项不符合或证据不足")
    computed_score: float = Field(description="系统计算得分（折算为满分）")
    score: float = Field(description="排序用得分：有评审时为合议得分，否则为系统计算得分（均已折算）")
    max_score: float
    grade: str
    reviewers: list[str]
    review_levels: list[str] = Field(
        default_factory=list, description="评审意见表注明的评审层级（county、city、province）"
    )
    stale: bool
    stale_reviews: list[StaleReview] = Field(description="已过期的评审意见表及原因")
    disagreements: list[str]
    overrides: list[OverrideRecord]
    contradicted: list[str]
    conclusions: list[ReviewerConclusion] = Field(description="各专家综合意见")
    insufficient: int = Field(description="证据不足的指标数")
    priorities: list[bool] = Field(description="优先推荐条件是否满足，按评分标准中的顺序")
    priority_titles: list[str] = Field(description="已满足的优先推荐条件名称")
    disabled_share: float | None = Field(None, description="失能（含失智）老年人占比（%），仅机构")
    flags: list[Flag] = Field(default_factory=list, description="合理性提示（不影响得分和结论）")
    formats: list[str] = Field(default_factory=list, description="已写出的逐个申报单位输出格式，如 json、pdf")


class ManifestEntry(BaseModel):
    """What one applicant's outputs were made from, and its summary row or failure: an entry of
    the batch manifest (see :mod:`shifan.batch.manifest`)."""

    app_sha: str
    reviews: list[tuple[str, str]] = Field(description="评审意见表：相对路径和 sha256")
    deps: dict[str, DepRecord] = Field(description="读取的其他文件")
    rubric: tuple[str, str] = Field(description="评分标准：引用、sha256")
    outputs: list[str]
    sizes: list[int] = Field(default_factory=list, description="各输出文件写出时的字节数")
    row: SummaryRow | None
    failure: list[str] | None


@dataclass(frozen=True)
class Evaluated:
    """One applicant evaluated and reconciled with its reviews: what a writer turns into a file."""

    file: str
    checked: Checked
    reconciled: ReconciledResult


__all__ = [
    "ApplicantWriter",
    "DepRecord",
    "Evaluated",
    "FailedGate",
    "Failure",
    "ItemResult",
    "ManifestEntry",
    "ReviewPeek",
    "ReviewerConclusion",
    "StaleReview",
    "SummaryRow",
    "Task",
]
