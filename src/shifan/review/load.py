"""Reading review sheets: schema first, then the checks that need the rubric.

Like applications, every problem of a file is reported at once, each at its line and key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shifan.errors import InputError, Problem
from shifan.files import sha256_bytes
from shifan.load.normalise import normalise
from shifan.read.documents import load_input
from shifan.read.problems import problems_from_validation
from shifan.read.xlsxdoc import WorkbookDocument
from shifan.read.yamldoc import Document, did_you_mean
from shifan.review.model import ReviewFile
from shifan.review.workbook import REVIEW_LAYOUT
from shifan.rules.rubric import Rubric

WHAT = "评审意见表"


@dataclass(frozen=True)
class LoadedReview:
    """A schema-valid review sheet with the file it came from."""

    review: ReviewFile
    document: Document
    sha256: str

    @property
    def path(self) -> Path:
        return self.document.path

    @property
    def display(self) -> str:
        return self.document.display

    @property
    def target(self) -> Path:
        """The application file the review names, as an absolute normalised path."""
        return resolve_target(self.document.path, self.review.application.path)


def resolve_target(review_path: Path, named: str) -> Path:
    """Where ``named`` (relative to the review file, or absolute) points, without following links."""
    base = Path(os.path.abspath(review_path)).parent
    return Path(os.path.normpath(base / named))


def load_review(path: Path, rubric: Rubric | None = None) -> LoadedReview:
    """Read one review sheet (YAML or workbook) and validate its schema.

    A reviewer's natural input is read as meant: 已核实, 同意推荐, 通过 (for an override),
    ``8分``, ``2026/1/10``. With ``rubric``, scores out of range are reported together with the
    schema's problems instead of after they are fixed.
    """
    document = load_input(Path(path), [REVIEW_LAYOUT], what=WHAT)
    problems: list[Problem] = list(document.problems) if isinstance(document, WorkbookDocument) else []
    if not isinstance(document.data, dict):
        raise InputError(
            [document.problem((), "顶层应为键值映射（键: 值）", found=type(document.data).__name__)], what=WHAT
        )
    if document.data.get("kind") != "review":
        found = document.data.get("kind")
        problems.append(
            document.problem(
                ("kind",),
                "不是评审意见表",
                found="（无）" if found is None else f"“{found}”",
                expected="review",
            )
        )
        raise InputError(problems, what=WHAT)
    read = normalise(document.data, ReviewFile)
    problems.extend(
        document.problem(key, message, found=found, expected=expected)
        for key, message, found, expected in read.findings
    )
    flagged = {p.key for p in problems}
    try:
        review = ReviewFile.model_validate(read.data)
    except ValidationError as error:
        problems.extend(p for p in problems_from_validation(error, document, ReviewFile) if p.key not in flagged)
        if rubric is not None:
            flagged = {p.key for p in problems}
            problems.extend(p for p in _score_problems(read.data, document, rubric) if p.key not in flagged)
        raise InputError(problems, what=WHAT) from None
    if problems:
        raise InputError(problems, what=WHAT)
    raw = document.raw if isinstance(document, WorkbookDocument) else document.text.encode("utf-8")
    return LoadedReview(review, document, sha256_bytes(raw))


def _score_problems(data: Any, document: Document, rubric: Rubric) -> list[Problem]:
    """Scores out of range in a sheet that does not validate yet (read from its raw data)."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, dict):
        return []
    criteria = {c.id: c for _, c in rubric.criteria()}
    problems = []
    for key, item in items.items():
        criterion = criteria.get(str(key))
        score = item.get("score") if isinstance(item, dict) else None
        if criterion is None or isinstance(score, bool) or not isinstance(score, (int, float)):
            continue
        if criterion.gate or not 0 <= score <= criterion.points:
            expected = "留空（否决项不评分）" if criterion.gate else f"0 至 {criterion.points:g}"
            message = "否决项不评分" if criterion.gate else "评分超出该项分值"
            problems.append(
                document.problem(("items", str(key), "score"), message, found=f"{score:g}", expected=expected)
            )
    return problems


def review_problems(loaded: LoadedReview, rubric: Rubric) -> list[Problem]:
    """What is wrong with a review under ``rubric``: unknown items, scores out of range,
    scores on gates, overrides on scored items, another rubric."""
    review, doc = loaded.review, loaded.document
    problems: list[Problem] = []
    if review.rubric.id != rubric.id:
        problems.append(
            doc.problem(
                ("rubric", "id"),
                "评审意见表所依据的评分标准与本次评价使用的不同（可用 shifan review update --criteria 更新）",
                found=review.rubric.id,
                expected=rubric.id,
            )
        )
        return problems
    criteria = {c.id: c for _, c in rubric.criteria()}
    for key, item in review.items.items():
        criterion = criteria.get(key)
        if criterion is None:
            problems.append(
                doc.problem(("items", key), "评分标准中没有这个指标" + did_you_mean(key, criteria), found=key)
            )
            continue
        if criterion.gate and item.score is not None:
            problems.append(
                doc.problem(
                    ("items", key, "score"),
                    "否决项不评分；如认为系统判定有误，请填写 override（改判）并写明理由",
                    found=f"{item.score:g}",
                    expected="留空",
                )
            )
        elif item.score is not None and item.score > criterion.points:
            problems.append(
                doc.problem(
                    ("items", key, "score"),
                    "评分超出该项分值",
                    found=f"{item.score:g}",
                    expected=f"0 至 {criterion.points:g}",
                )
            )
        if item.override is not None and not criterion.gate:
            problems.append(
                doc.problem(
                    ("items", key, "override"),
                    "只有否决项可以改判；计分项请直接填写 score",
                    found="override",
                    expected="删除 override",
                )
            )
    return problems


def check_reviews(reviews: list[LoadedReview], rubric: Rubric) -> None:
    """Raise one :class:`InputError` with every problem of every review (incl. duplicate reviewers)."""
    problems: list[Problem] = []
    seen: dict[str, LoadedReview] = {}
    for loaded in reviews:
        problems.extend(review_problems(loaded, rubric))
        name = loaded.review.reviewer.name
        if name in seen:
            problems.append(
                loaded.document.problem(
                    ("reviewer", "name"),
                    f"同一评审专家有两份评审意见表（另一份：{seen[name].display}）",
                    found=name,
                    expected="每位专家一份",
                )
            )
        seen.setdefault(name, loaded)
    if problems:
        raise InputError(problems, what=WHAT)
