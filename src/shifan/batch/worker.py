"""Processing one applicant in a worker process: evaluate, reconcile, hand to the output writers.

Everything here runs in child processes; a failure of one applicant is returned as data, never
raised, so one broken file never stops the others.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from shifan.batch.guard import still_owner
from shifan.batch.manifest import dep_record
from shifan.batch.model import Evaluated, Failure, ItemResult, Task
from shifan.batch.rows import summary_row
from shifan.errors import InputError, OutputError, ShifanError
from shifan.evaluate.pipeline import Checked, check_loaded, choose_rubric, rubric_for
from shifan.files import deferred_sync, sha256_file
from shifan.load.application import load_application
from shifan.load.rubric import load_rubric
from shifan.review import load_reviews, reconcile
from shifan.rules.rubric import Rubric

logger = logging.getLogger(__name__)

_RUBRICS: dict[tuple[str, tuple[str, ...]], Rubric] = {}


def cached_rubric(ref: str | Path, *, roots: list[Path] | None = None) -> Rubric:
    """``load_rubric`` remembered for the life of the process (one batch)."""
    key = (str(ref), tuple(str(r) for r in roots or ()))
    if key not in _RUBRICS:
        _RUBRICS[key] = load_rubric(ref, roots=roots)
    return _RUBRICS[key]


def _dependencies(checked: Checked, reviews: tuple[str, ...]) -> list[str]:
    folder = Path(os.path.abspath(checked.loaded.path)).parent
    deps = [os.path.normpath(folder / a.path) for a in checked.loaded.app.attachments]
    if checked.rollup is not None:
        deps.extend(os.path.abspath(f) for f in checked.rollup.files)
    deps.extend(reviews)
    return sorted(set(deps))


def _digest(path: str) -> str:
    try:
        return sha256_file(Path(path))
    except OSError as error:
        raise OutputError(f"无法读取刚写入的 {path}：{error.strerror or error}") from None


def process(task: Task) -> ItemResult:
    """Evaluate one applicant with its reviews and write its outputs with the task's writers;
    never raises."""
    item = ItemResult(rel=task.rel)
    try:
        loaded = load_application(Path(task.app))
        item.app_sha = loaded.sha256
        choice = choose_rubric(loaded.app, task.criteria)
        item.rubric_ref = str(choice.ref)
        rubric = rubric_for(loaded, task.criteria, loader=cached_rubric)
        item.rubric_sha = rubric.sha256
        as_of = dt.date.fromisoformat(task.as_of) if task.as_of else None
        checked = check_loaded(loaded, rubric, as_of)
        item.deps = {path: dep_record(path) for path in _dependencies(checked, task.reviews)}
        reconciled = reconcile(checked, load_reviews(task.reviews, checked.rubric))
        output = Path(task.out_base).name if task.out_base else ""
        row = summary_row(task.rel, output, checked, reconciled)
        if task.out_base:
            evaluated = Evaluated(task.rel, checked, reconciled)
            for writer in task.writers:
                if task.owner is not None and not still_owner(Path(task.owner[0]), task.owner[1]):
                    raise OutputError("输出目录已由另一次批处理接管，本次结果不再写入")
                path = task.out_base + writer.suffix
                with deferred_sync():  # made durable by the parent, once, before the manifest lists it
                    writer.write(evaluated, Path(path))
                item.outputs.append(path)
                item.digests.append(_digest(path))
                row.formats.append(writer.format)
        # sent as JSON: a third the size of the object in the parent, and written to the manifest as it is
        item.row = row.model_dump_json().encode("utf-8")
    except ShifanError as error:
        item.row = None
        if isinstance(error, InputError):
            messages = [problem.format() for problem in error.problems]
        else:
            messages = error.user_message().splitlines()
        # an output that cannot be written (disk full, no permission) is not the applicant's fault
        item.failure = Failure(task.rel, "output" if isinstance(error, OutputError) else "application", messages)
    except Exception as error:  # a defect on one file must not stop the batch
        logger.exception("batch item %s failed", task.rel)
        item.row = None
        item.failure = Failure(task.rel, "internal", [f"内部错误：{type(error).__name__}: {error}"])
    return item
