"""One function per command: what the command line (or any other caller) asks of the core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shifan.errors import InputError, RubricNotFoundError
from shifan.evaluate import EvaluationResult, evaluate
from shifan.evaluate.rollup import Rollup, roll_up
from shifan.load.application import LoadedApplication, load_application, self_score_problems, with_evidence_types
from shifan.load.rubric import load_rubric
from shifan.rules.rubric import Rubric


@dataclass(frozen=True)
class Checked:
    """An application, the rubric it was evaluated under, and the result."""

    loaded: LoadedApplication
    rubric: Rubric
    result: EvaluationResult
    rollup: Rollup | None = None


def rubric_for(
    loaded: LoadedApplication, criteria: str | Path | None, *, loader: Callable[..., Rubric] = load_rubric
) -> Rubric:
    """The rubric named on the command line, else the one the application names, else the
    national rubric for its kind of applicant. ``loader`` lets a batch reuse loaded rubrics."""
    ref = criteria or loaded.app.rubric or f"national/{loaded.app.kind}"
    roots = [Path.cwd() / "criteria"] if criteria is None and loaded.app.rubric else None
    try:
        rubric = loader(ref, roots=roots)
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
    problems = self_score_problems(loaded, {c.id: c.points for _, c in rubric.criteria()})
    loaded, unknown = with_evidence_types(loaded, rubric.evidence_types)
    problems.extend(unknown)
    if problems:
        raise InputError(problems, what="申报文件")
    rollup = roll_up(loaded, as_of)
    extra = rollup.extra() if rollup is not None else None
    result = evaluate(loaded.app, rubric, as_of, application_sha256=loaded.sha256, extra=extra)
    return Checked(loaded, rubric, result, rollup)
