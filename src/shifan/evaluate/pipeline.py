"""The check pipeline: choose and load the rubric, roll up a county's roster, evaluate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shifan.errors import InputError, ProblemList, RubricNotFoundError
from shifan.evaluate import EvaluationResult, evaluate
from shifan.evaluate.rollup import Rollup, roll_up
from shifan.load.application import LoadedApplication, load_application, self_score_problems, with_evidence_types
from shifan.load.rubric import load_rubric
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.rubric import Rubric


@dataclass(frozen=True)
class Checked:
    """An application, the rubric it was evaluated under, and the result."""

    loaded: LoadedApplication
    rubric: Rubric
    result: EvaluationResult
    rollup: Rollup | None = None


@dataclass(frozen=True)
class RubricChoice:
    """Which rubric an application is evaluated under.

    An id the application names is resolved only among the shipped rubrics: a ``criteria``
    folder in the working directory (which may be the applicants' own folder) is never searched.
    A local rubric file is the operator's choice, given with ``--criteria``."""

    ref: str | Path


def choose_rubric(app: InstitutionApplication | RegionApplication, criteria: str | Path | None) -> RubricChoice:
    """The rubric named on the command line, else the one the application names, else the
    national rubric for its kind of applicant."""
    return RubricChoice(criteria or app.rubric or f"national/{app.kind}")


def rubric_for(
    loaded: LoadedApplication, criteria: str | Path | None, *, loader: Callable[..., Rubric] = load_rubric
) -> Rubric:
    """The rubric :func:`choose_rubric` picks, loaded and checked against the application's
    kind. ``loader`` lets a batch reuse loaded rubrics."""
    choice = choose_rubric(loaded.app, criteria)
    ref = choice.ref
    try:
        rubric = loader(ref)
    except RubricNotFoundError as error:
        if criteria is not None:
            raise
        message = str(error).splitlines()[0]
        raise InputError([loaded.document.problem(("rubric",), message, found=str(ref))], what="申报文件") from None
    if rubric.subject != loaded.app.kind:
        raise InputError(
            [
                loaded.document.problem(
                    ("kind",),
                    f"申报类型与评分标准 {rubric.id} 的适用对象不一致",
                    found=loaded.app.kind,
                    expected=rubric.subject,
                )
            ],
            what="申报文件",
        )
    return rubric


def check_application(path: Path, *, criteria: str | Path | None = None, as_of: dt.date | None = None) -> Checked:
    """Load, validate and evaluate one application file."""
    loaded = load_application(path)
    return check_loaded(loaded, rubric_for(loaded, criteria), as_of)


def check_loaded(loaded: LoadedApplication, rubric: Rubric, as_of: dt.date | None = None) -> Checked:
    """Evaluate an application already read; a county's roster is rolled up first."""
    problems = ProblemList("申报文件", self_score_problems(loaded, {c.id: c.points for _, c in rubric.criteria()}))
    loaded, unknown = with_evidence_types(loaded, rubric.evidence_types)
    problems.extend(unknown)
    problems.raise_if_any()
    rollup = roll_up(loaded, as_of)
    roster = rollup.roster() if rollup is not None else None
    result = evaluate(loaded.app, rubric, as_of, application_sha256=loaded.sha256, roster=roster)
    return Checked(loaded, rubric, result, rollup)
