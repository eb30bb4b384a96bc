"""What a batch passes around: tasks for workers, one summary row per applicant, failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from shifan.rules.vocab import Verdict


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
    rubric_id: str
    as_of: str
    verdict: Verdict
    eligible: bool
    failed_gates: list[str] = Field(description="否决项不符合或证据不足：编号 名称：理由")
    computed_score: float = Field(description="系统计算得分（折算为满分）")
    score: float = Field(description="排序用得分：有评审时为合议得分，否则为系统计算得分（均已折算）")
    max_score: float
    grade: str
    reviewers: list[str]
    stale: bool
    stale_reasons: list[str]
    disagreements: list[str]
    overrides: list[str]
    contradicted: list[str]
    conclusions: list[str] = Field(description="各专家综合意见：姓名：同意推荐 等")
    insufficient: int = Field(description="证据不足的指标数")
    priorities: list[bool] = Field(description="优先推荐条件是否满足，按评分标准中的顺序")
    priority_titles: list[str] = Field(description="已满足的优先推荐条件名称")
    disabled_share: float | None = Field(None, description="失能（含失智）老年人占比（%），仅机构")
    pdf: bool = False


@dataclass(frozen=True)
class Task:
    """One applicant for a worker."""

    app: str
    rel: str
    reviews: tuple[str, ...]
    criteria: str | None
    as_of: str | None
    out_json: str | None = None
    out_pdf: str | None = None


@dataclass
class Failure:
    """A file that could not be processed, with every message about it."""

    file: str
    kind: Literal["application", "review"]
    messages: list[str]


@dataclass
class ItemResult:
    """What a worker returns for one task."""

    rel: str
    row: SummaryRow | None = None
    failure: Failure | None = None
    deps: dict[str, list[Any] | None] = field(default_factory=dict, repr=False)
    rubric_ref: str = ""
    rubric_local: bool = False
    rubric_sha: str = ""
    outputs: list[str] = field(default_factory=list)
