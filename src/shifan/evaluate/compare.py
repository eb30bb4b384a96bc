"""Re-scoring one application under two rubrics and listing what changes item by item.

``compare_application(path, criteria=A, compare=B)`` evaluates the application under its primary
rubric (``A``: as ``shifan check`` would, self-scores validated) and under ``B`` (self-scores that
name criteria ``B`` lacks are ignored and listed; scores above a criterion's points are capped by
the evaluation). Items are matched by criterion id; one present under a single rubric shows as
added or removed. :func:`shifan.present.compare_text.render_comparison`
prints the result in Chinese.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from shifan.evaluate import EvaluationResult, evaluate
from shifan.evaluate.pipeline import check_loaded, rubric_for
from shifan.evaluate.rollup import Rollup
from shifan.load.application import LoadedApplication, load_application
from shifan.rules.rubric import Rubric
from shifan.rules.vocab import Status


class ItemChange(BaseModel):
    """One criterion under both rubrics (``None`` where the rubric lacks it)."""

    id: str
    title: str
    presence: Literal["both", "added", "removed"] = Field(
        description="both 两个标准都有；added 仅对比标准有；removed 仅主标准有"
    )
    gate: bool = Field(description="在任一标准中为否决项")
    status_before: Status | None
    status_after: Status | None
    points_before: float | None
    points_after: float | None
    max_before: float | None
    max_after: float | None
    reason_before: str = ""
    reason_after: str = ""

    @property
    def changed(self) -> bool:
        return (
            self.presence != "both"
            or self.status_before != self.status_after
            or self.points_before != self.points_after
            or self.max_before != self.max_after
        )

    @property
    def delta(self) -> float:
        return (self.points_after or 0.0) - (self.points_before or 0.0)


class Comparison(BaseModel):
    """An application scored under a primary rubric and a rubric to compare with."""

    application: str = Field(description="申报文件路径")
    primary: EvaluationResult
    other: EvaluationResult
    items: list[ItemChange] = Field(description="全部指标，按主标准顺序，仅对比标准有的指标在后")
    ignored_self_scores: list[str] = Field(
        default_factory=list, description="对比标准中没有对应指标、因而未使用的自评分指标编号"
    )

    @property
    def changed_items(self) -> list[ItemChange]:
        return [item for item in self.items if item.changed]

    @property
    def verdict_changed(self) -> bool:
        return self.primary.verdict != self.other.verdict

    @property
    def score_delta(self) -> float:
        return self.other.normalized_score - self.primary.normalized_score


def compare_application(
    path: Path, *, criteria: str | Path | None, compare: str | Path, as_of: dt.date | None = None
) -> Comparison:
    """Evaluate ``path`` under its primary rubric and under ``compare``."""
    loaded = load_application(path)
    checked = check_loaded(loaded, rubric_for(loaded, criteria), as_of)
    other_rubric = rubric_for(loaded, compare)
    other = evaluate_under(loaded, other_rubric, as_of, checked.rollup)
    known = {c.id for _, c in other_rubric.criteria()}
    return Comparison(
        application=str(path),
        primary=checked.result,
        other=other,
        items=match_items(checked.result, other),
        ignored_self_scores=sorted(k for k in loaded.app.self_scores if k not in known),
    )


def evaluate_under(
    loaded: LoadedApplication, rubric: Rubric, as_of: dt.date | None = None, rollup: Rollup | None = None
) -> EvaluationResult:
    """Evaluate an application under any rubric of its kind without validating its self-scores
    against that rubric (they were written for another one)."""
    roster = rollup.roster() if rollup is not None else None
    return evaluate(loaded.app, rubric, as_of, application_sha256=loaded.sha256, roster=roster)


def match_items(primary: EvaluationResult, other: EvaluationResult) -> list[ItemChange]:
    """Pair the criteria of two results by id, primary order first."""
    before = {c.id: c for c in primary.criteria}
    after = {c.id: c for c in other.criteria}
    items = []
    for criterion_id in dict.fromkeys([*before, *after]):
        old, new = before.get(criterion_id), after.get(criterion_id)
        presence: Literal["both", "added", "removed"] = "both" if old and new else "added" if new else "removed"
        shown = new or old
        assert shown is not None
        items.append(
            ItemChange(
                id=criterion_id,
                title=shown.title,
                presence=presence,
                gate=bool((old and old.gate) or (new and new.gate)),
                status_before=old.status if old else None,
                status_after=new.status if new else None,
                points_before=old.points if old else None,
                points_after=new.points if new else None,
                max_before=old.max_points if old else None,
                max_after=new.max_points if new else None,
                reason_before=old.reason if old else "",
                reason_after=new.reason if new else "",
            )
        )
    return items
