"""Writing a review sheet as an Excel workbook (``review init -o 评审.xlsx``) and refreshing it
(``review update``): the reviewer's entries are kept, the tool's columns recomputed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shifan.errors import UsageError
from shifan.evaluate.pipeline import Checked, check_loaded, rubric_for
from shifan.evaluate.result import CriterionResult
from shifan.formatting import format_number
from shifan.load.application import load_application
from shifan.present.workbook import write_workbook
from shifan.review.load import load_review
from shifan.review.reconcile import stale_reasons
from shifan.review.sheet import UpdateReport, describe_change, relative_path
from shifan.review.workbook import REVIEW_LAYOUT


def _item(criterion: CriterionResult, old: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "_title": f"{criterion.title}：{criterion.requirement}",
        "_points": "否决项" if criterion.gate else format_number(criterion.max_points),
        "computed": {
            "status": criterion.status.value,
            "points": criterion.points,
            "observed": criterion.observed or criterion.reason,
        },
        "self_score": None if criterion.gate else criterion.self_score,
        "verification": "not_checked",
    }
    for key in ("score", "verification", "remark", "override", "changed"):
        if old is not None and old.get(key) not in (None, ""):
            item[key] = old[key]
    return item


def _data(
    checked: Checked, review_path: Path, reviewer: dict[str, Any], items: dict[str, Any], final: dict[str, Any]
) -> dict[str, Any]:
    result, loaded = checked.result, checked.loaded
    return {
        "kind": "review",
        "application": {
            "path": relative_path(loaded.path, review_path),
            "sha256": loaded.sha256,
            "name": result.applicant.name,
            "id": result.applicant.id,
        },
        "rubric": {"id": checked.rubric.id, "sha256": checked.rubric.sha256, "version": checked.rubric.version},
        "as_of": result.as_of,
        "reviewer": reviewer,
        "items": items,
        "final_opinion": final,
    }


def write_review_workbook(
    checked: Checked, out: Path, *, reviewer: str, organisation: str = "", title: str = "", force: bool = False
) -> None:
    """A new review workbook for ``checked``; an existing file is never overwritten unless ``force``."""
    if not reviewer.strip():
        raise UsageError("评审专家姓名不能为空（--reviewer）")
    if out.exists() and not force:
        raise UsageError(
            f"{out} 已存在。要按修改后的申报文件刷新，请用 shifan review update {out}；确需覆盖请加 --force"
        )
    person = {"name": reviewer.strip(), "organisation": organisation, "title": title}
    items = {c.id: _item(c) for c in checked.result.criteria}
    write_workbook(out, REVIEW_LAYOUT, _data(checked, out, person, items, {"conclusion": "pending"}))


def update_review_workbook(
    review_path: Path, application: Path | None = None, *, criteria: str | None = None, as_of: Any = None
) -> UpdateReport:
    """Recompute the tool's columns of a review workbook; the reviewer's entries stay."""
    loaded_review = load_review(review_path)
    loaded = load_application(application if application is not None else loaded_review.target)
    rubric_id = criteria or (
        None if loaded.app.rubric == loaded_review.review.rubric.id else loaded_review.review.rubric.id
    )
    checked = check_loaded(loaded, rubric_for(loaded, rubric_id), as_of)
    report = UpdateReport(path=review_path, was_stale=stale_reasons(loaded_review, checked))
    old_items = loaded_review.review.model_dump(mode="json", exclude_none=True)["items"]
    items: dict[str, Any] = {}
    for criterion in checked.result.criteria:
        old = old_items.get(criterion.id)
        item = _item(criterion, old)
        if old is None:
            report.added.append(criterion.id)
        else:
            change = describe_change(old.get("computed"), criterion, old.get("self_score"))
            if change:
                item["changed"] = change
                report.changed.append((criterion.id, change))
        items[criterion.id] = item
    report.retired = [key for key in old_items if key not in items]
    review = loaded_review.review
    person = review.reviewer.model_dump(mode="python")
    final = review.final_opinion.model_dump(mode="json")
    write_workbook(review_path, REVIEW_LAYOUT, _data(checked, review_path, person, items, final))
    return report
