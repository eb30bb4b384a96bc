"""Reading review sheets: schema first, then the checks that need the rubric.

Like applications, every problem of a file is reported at once, each at its line and key.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shifan.errors import InputError, Problem, ProblemList
from shifan.load.normalise import normalise, notes_text
from shifan.read.suggest import did_you_mean
from shifan.read.text import visible
from shifan.read.typed import Finding, Loaded, TypedReader
from shifan.read.yamldoc import Document
from shifan.review.model import ReviewFile
from shifan.review.workbook import REVIEW_LAYOUT
from shifan.rules.rubric import Rubric

WHAT = "评审意见表"


class LoadedReview(Loaded[ReviewFile]):
    """A schema-valid review sheet with the file it came from."""

    @property
    def review(self) -> ReviewFile:
        return self.model

    @property
    def target(self) -> Path:
        """The application file the review names, as an absolute normalised path."""
        return resolve_target(self.document.path, self.review.application.path)


def resolve_target(review_path: Path, named: str) -> Path:
    """Where ``named`` (relative to the review file, or absolute) points, without following links."""
    base = Path(os.path.abspath(review_path)).parent
    return Path(os.path.normpath(base / named))


def _is_review(document: Document, data: dict[str, Any]) -> Problem | None:
    found = data.get("kind")
    if found == "review":
        return None
    return document.problem(
        ("kind",), "不是评审意见表", found="（无）" if found is None else f"“{found}”", expected="review"
    )


def _normalise(data: dict[str, Any]) -> tuple[Any, list[Finding], tuple[str, ...]]:
    read = normalise(data, ReviewFile)
    return read.data, read.findings, tuple(notes_text(read.notes))


_READER = TypedReader(
    LoadedReview, ReviewFile, what=WHAT, kind=_is_review, layouts=[REVIEW_LAYOUT], normalise=_normalise
)


def read_review_document(path: Path) -> Document:
    """Parse a review sheet (YAML or workbook) without validating it."""
    return _READER.read(path)


def load_review(path: Path, rubric: Rubric | None = None) -> LoadedReview:
    """Read one review sheet (YAML or workbook) and validate its schema.

    A reviewer's natural input is read as meant: 已核实, 同意推荐, 通过 (for an override),
    ``8分``, ``2026/1/10``. With ``rubric``, scores out of range are reported together with the
    schema's problems instead of after they are fixed.
    """
    if rubric is None:
        return _READER.load(path)
    return _READER.load(path, invalid=lambda document, data: _score_problems(data, document, rubric))


def load_reviews(paths: Sequence[str | Path], rubric: Rubric | None = None) -> list[LoadedReview]:
    """Read several review sheets; raise one :class:`InputError` with the problems of all of them."""
    problems = ProblemList(WHAT)
    loaded: list[LoadedReview] = []
    for path in paths:
        try:
            loaded.append(load_review(Path(path), rubric))
        except InputError as error:
            problems.extend(error.problems)
    problems.raise_if_any()
    return loaded


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
    problems = ProblemList(WHAT)
    seen: dict[str, LoadedReview] = {}
    for loaded in reviews:
        problems.extend(review_problems(loaded, rubric))
        name = visible(loaded.review.reviewer.name)
        if name in seen:
            problems.append(
                loaded.document.problem(
                    ("reviewer", "name"),
                    f"同一评审专家有两份评审意见表（另一份：{seen[name].display}）",
                    found=loaded.review.reviewer.name,
                    expected="每位专家一份",
                )
            )
        seen.setdefault(name, loaded)
    problems.raise_if_any()
