"""Running a batch: find files, pair reviews, skip what is unchanged, evaluate the rest on all
cores, hand the results to the writers given by the caller.

Output folder layout (with the writers ``shifan batch`` passes)::

    OUT/applicants/<file>.json   reconciled result of each applicant (evaluation + reviews)
    OUT/applicants/<file>.pdf    自评报告 (unless --no-pdf)
    OUT/summary.csv              summary table, UTF-8 with BOM
    OUT/summary.xlsx             the same table
    OUT/failures.log             files that could not be processed, with every problem
    OUT/manifest.json            what each output was made from (for reruns)
    OUT/manifest.journal         applicants finished since (while a batch runs, or after it was killed)
    OUT/.shifan-batch.lock       id of the run that owns the folder (see shifan.batch.guard)

Every file is written atomically (temporary file, then rename), so a killed batch leaves no
truncated file; leftover temporary files are removed by the next run, which completes the work.
Outputs are made durable together, with one flush at the end of the run, before the manifest
that lists them is replaced (see :mod:`shifan.batch.manifest`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from shifan import __version__
from shifan.batch import rerun
from shifan.batch.discover import FileRecord, SourceFile, match_reviews, peek_review, planted_review, scan
from shifan.batch.guard import own_output, stop_cleanly_on_sigterm
from shifan.batch.items import ApplicantWriter, DepRecord, Failure, ItemResult, ReviewPeek, Task
from shifan.batch.manifest import (
    BatchSettings,
    Header,
    Journal,
    Manifest,
    load_manifest,
    save_manifest,
)
from shifan.batch.pool import preload
from shifan.batch.pool import run_pool as _run_pool
from shifan.batch.rerun import criteria_stamp, known_rubrics, unchanged
from shifan.errors import UsageError
from shifan.files import deferred_sync

if TYPE_CHECKING:
    from shifan.batch.model import SummaryRow

# The evaluation (shifan.batch.worker, shifan.batch.model) is imported only when an applicant has
# to be evaluated or a summary row read: a rerun with nothing to do never loads it.

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
APPLICANTS = "applicants"
#: Below this many reviews, they are read in the main process rather than in workers.
PARALLEL_PEEKS = 32
#: Why an applicant has no result when its worker died twice while evaluating it.
CRASHED = "内部错误：处理进程在评价此文件时异常退出（已单独重试一次），不是申报文件的问题；请报告"


class SummaryWriter(Protocol):
    """Writes the batch-wide outputs (summary table, failure log) into the output folder."""

    @property
    def names(self) -> tuple[str, ...]:
        """The file names written, relative to the output folder."""

    def write(self, out: Path, rows: Sequence[SummaryRow], failures: Sequence[Failure]) -> list[Path]:
        """Write every file in ``names``; returns their paths."""


@dataclass
class BatchReport:
    """What a batch did."""

    out: Path | None
    failures: list[Failure] = field(default_factory=list)
    total: int = 0
    processed: int = 0
    skipped: int = 0
    #: (file, row): a SummaryRow, or the row as a worker sent it (JSON) or as read from the manifest
    #: (a dict), made a SummaryRow when first used.
    found: list[tuple[str, Any]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def rows(self) -> list[SummaryRow]:
        """The summary row of every applicant evaluated, by file."""
        from shifan.batch.model import SummaryRow

        self.found = [(file, _row(SummaryRow, row)) for file, row in self.found]
        return [row for _, row in self.found]

    def values(self, name: str) -> list[Any]:
        """One field of every summary row (without making the rows read from the manifest into objects)."""
        return [_field(row, name) for _, row in self.found]


def _row(model: type[SummaryRow], row: Any) -> SummaryRow:
    if isinstance(row, bytes):
        return model.model_validate_json(row)
    return model.model_validate(row) if isinstance(row, dict) else row


def _field(row: Any, name: str) -> Any:
    if isinstance(row, bytes):
        return json.loads(row)[name]
    return row[name] if isinstance(row, dict) else getattr(row, name)


def default_jobs() -> int:
    return os.cpu_count() or 1


def output_stems(apps: Sequence[SourceFile]) -> dict[str, str]:
    """A readable, stable output file name (without extension) for every application: its path
    with ``/`` as ``__`` and a short digest of the path, so no two applications ever share one."""
    return {app.rel: output_stem(app.rel) for app in apps}


def output_stem(rel: str) -> str:
    readable = rel.rsplit(".", 1)[0].replace("/", "__")[:80]
    return f"{readable}-{hashlib.sha256(rel.encode('utf-8')).hexdigest()[:10]}"


def _peeks(reviews: list[SourceFile], old: Manifest, jobs: int) -> dict[str, ReviewPeek]:
    peeks: dict[str, ReviewPeek] = {}
    todo = []
    for review in reviews:
        cached = old.header.reviews.get(review.rel)
        if cached is not None and cached.sha == review.sha:
            peeks[review.rel] = cached
        else:
            todo.append(review)

    by_path = {str(r.path): r for r in todo}

    def keep(path: str, value: ReviewPeek | None) -> None:
        review = by_path[path]
        peek = value or ReviewPeek(target=None, target_sha=None, error=["读取时处理进程异常退出"])
        peeks[review.rel] = replace(peek, sha=review.sha)

    workers = jobs if len(todo) >= PARALLEL_PEEKS else 1
    preload("shifan.review.load", workers, len(todo))
    _run_pool(peek_review, [str(r.path) for r in todo], workers, keep)
    return peeks


def process(task: Task) -> ItemResult:
    """Evaluate one applicant and write its outputs (in a worker process)."""
    from shifan.batch.worker import process as evaluate

    return evaluate(task)


def _clean_temporaries(out: Path) -> None:
    for folder in (out, out / APPLICANTS):
        if folder.is_dir():
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)


def collect(
    source: Path,
    exclude: list[Path],
    old: Manifest,
    jobs: int,
    reviews_dir: Path | None = None,
    found: dict[str, FileRecord] | None = None,
) -> tuple[list[SourceFile], dict[str, list[SourceFile]], list[Failure], dict[str, ReviewPeek]]:
    """Applications, the reviews of each, review failures and review peeks (for the manifest).

    Reviews come only from ``reviews_dir``; a review sheet among the applications is a failure.
    Files whose size and times the previous run recorded are not read again; what was found is
    put in ``found`` for the next run."""
    if not source.is_dir():
        raise UsageError(f"目录不存在：{source}")
    if reviews_dir is not None and not reviews_dir.is_dir():
        raise UsageError(f"评审意见表目录不存在：{reviews_dir}")
    if reviews_dir is not None and os.path.abspath(reviews_dir) == os.path.abspath(source):
        raise UsageError("评审意见表目录不能是申报材料目录本身；请把评审意见表放在单独的目录中")
    known, settled = old.header.files, old.header.scanned_ns - rerun.SETTLED_NS
    files = scan(source, [*exclude, reviews_dir] if reviews_dir is not None else exclude, None, known, settled)
    apps = [f for f in files if f.kind != "review"]
    planted = [planted_review(f) for f in files if f.kind == "review"]
    reviews: list[SourceFile] = []
    if reviews_dir is not None:
        for each in scan(reviews_dir, exclude, source, known, settled):
            files.append(each)
            if each.kind == "review":
                reviews.append(each)
            else:
                message = f"{each.rel}: 评审意见表目录中的文件不是评审意见表（应有 kind: review）"
                planted.append(Failure(each.rel, "review", [message]))
    if found is not None:
        found.update((f.rel, f.record) for f in files if f.size >= 0)
    peeks = _peeks(reviews, old, jobs)
    matched, failures = match_reviews(apps, reviews, peeks)
    return apps, matched, planted + failures, peeks


def run_batch(
    source: Path,
    out: Path | None,
    *,
    criteria: str | None = None,
    reviews_dir: Path | None = None,
    as_of: dt.date | None = None,
    jobs: int | None = None,
    writers: Sequence[ApplicantWriter] = (),
    summary: SummaryWriter | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Evaluate every application under ``source`` with its reviews (from ``reviews_dir`` only).

    Each applicant's outputs are written by ``writers`` into ``out/applicants``; the summary table
    and failure log by ``summary``, only when they changed. With ``out`` None nothing is written
    and nothing is skipped (used by ``recommend``).
    """
    options = _Options(criteria, reviews_dir, as_of, jobs or default_jobs(), tuple(writers), summary, progress)
    if out is None:
        return _run_batch(source, None, options)
    out = Path(os.path.abspath(out))
    (out / APPLICANTS).mkdir(parents=True, exist_ok=True)
    with own_output(out) as run_id, stop_cleanly_on_sigterm():
        return _run_batch(source, out, options, run_id)


@dataclass(frozen=True)
class _Options:
    criteria: str | None
    reviews_dir: Path | None
    as_of: dt.date | None
    jobs: int
    writers: tuple[ApplicantWriter, ...]
    summary: SummaryWriter | None
    progress: Progress | None


def _run_batch(source: Path, out: Path | None, options: _Options, run_id: str = "") -> BatchReport:
    settings = BatchSettings(
        tool=__version__,
        criteria=options.criteria,
        as_of=options.as_of.isoformat() if options.as_of else None,
        formats=tuple(w.format for w in options.writers),
    )
    old = load_manifest(out) if out is not None else Manifest()
    try:
        return _run_with(source, out, options, run_id, settings, old)
    finally:
        old.close()


def _run_with(
    source: Path, out: Path | None, options: _Options, run_id: str, settings: BatchSettings, old: Manifest
) -> BatchReport:
    if old.settings != settings:
        old.where.clear()  # every applicant is redone
    if out is not None:
        _clean_temporaries(out)
    exclude = [out] if out is not None else []
    scanned_ns = time.time_ns()
    found: dict[str, FileRecord] = {}
    apps, matched, review_failures, peeks = collect(source, exclude, old, options.jobs, options.reviews_dir, found)
    stems = output_stems(apps)
    report = BatchReport(out=out, total=len(apps))
    stamp = criteria_stamp(settings.criteria) if out is not None else []
    rubric_shas = known_rubrics(old.header, stamp, settings)
    used_rubrics: dict[str, str] = {}
    seen: dict[tuple[str, DepRecord], bool] = {}
    tasks: list[Task] = []
    for app in apps:
        reviews = matched[app.rel]
        entry = old.entry(app.rel) if out is not None else None
        if entry is not None and out is not None and unchanged(entry, app, reviews, rubric_shas, out, seen):
            report.found.append((app.rel, entry["row"]))
            used_rubrics[entry["rubric"][0]] = entry["rubric"][1]
            report.skipped += 1
            continue
        base = out / APPLICANTS / stems[app.rel] if out is not None else None
        tasks.append(
            Task(
                app=str(app.path),
                rel=app.rel,
                reviews=tuple(str(r.path) for r in reviews),
                criteria=settings.criteria,
                as_of=settings.as_of,
                out_base=str(base) if base is not None else None,
                writers=options.writers if base is not None else (),
                owner=(str(out), run_id) if out is not None else None,
                size=app.size,
            )
        )
    tasks.sort(key=lambda t: -t.size)  # the largest first, so that no long one is left for the end
    gone = _remove_gone(out, old, {a.rel for a in apps}) if out is not None else False
    done = report.skipped
    progress = options.progress
    if progress:
        progress(done, report.total)
    journal = Journal(out, old, settings) if out is not None and tasks else None
    written: list[str] = []

    def finished(task: Task, item: ItemResult | None) -> None:
        nonlocal done
        if item is None:
            item = ItemResult(rel=task.rel, failure=Failure(task.rel, "internal", [CRASHED]))
        report.processed += 1
        if item.row is not None and item.failure is None:
            report.found.append((task.rel, item.row))
        elif item.failure is not None:
            report.failures.append(item.failure)
        if item.rubric_sha:
            used_rubrics[item.rubric_ref] = item.rubric_sha
        if journal is not None and out is not None:
            head = {
                # the bytes the worker evaluated: a file edited during the run is redone next time
                "app_sha": item.app_sha or by_rel[task.rel].sha,
                "reviews": [(r.rel, r.sha) for r in matched[task.rel]],
                "deps": item.deps,
                "rubric": (item.rubric_ref, item.rubric_sha),
                "outputs": [os.path.relpath(path, out) for path in item.outputs],
                "sizes": [_size(path) for path in item.outputs],
            }
            failure = item.failure.messages if item.failure is not None else None
            journal.add(task.rel, entry_json(head, item.row, failure), item.digests)
            written.extend(item.outputs)
        done += 1
        if progress:
            progress(done, report.total)

    by_rel = {a.rel: a for a in apps}
    for writer in options.writers if tasks and out is not None else ():
        prepare = getattr(writer, "prepare", None)
        if callable(prepare):
            prepare()
    preload("shifan.batch.worker", options.jobs, len(tasks))
    try:
        _run_pool(process, tasks, options.jobs, finished, count=len(tasks))
    finally:
        if journal is not None:
            journal.close()
    report.failures.extend(review_failures)
    report.found.sort(key=lambda pair: pair[0])
    report.failures.sort(key=lambda f: f.file)
    if out is not None:
        header = Header(settings, "", scanned_ns, found, peeks, dict(sorted(used_rubrics.items())), stamp)
        changed = bool(tasks) or gone or old.replayed or not header.same_inputs(old.header)
        with deferred_sync():
            written.extend(_write_summary(out, options.summary, report, header, old.header, changed))
        if changed or written:  # (a summary file deleted since is written again, and made durable)
            save_manifest(out, old, header, [a.rel for a in apps if a.rel in old.where], map(Path, written))
    return report


def entry_json(head: dict[str, Any], row: bytes | None, failure: list[str] | None) -> bytes:
    """A manifest entry (``shifan.batch.model.ManifestEntry``) with the row as the worker sent it."""
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return (
        text[:-1]
        + b',"row":'
        + (row or b"null")
        + b',"failure":'
        + json.dumps(failure, ensure_ascii=False).encode("utf-8")
        + b"}"
    )


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def _remove_gone(out: Path, old: Manifest, present: set[str]) -> bool:
    """Delete the outputs of applications no longer in the folder (only files the batch wrote,
    recorded relative to the output folder); whether there were any such applications."""
    gone = [rel for rel in old.where if rel not in present]
    for rel in gone:
        entry = old.entry(rel) or {}
        outputs = entry.get("outputs")
        for path in outputs if isinstance(outputs, list) else ():
            target = out / path
            if os.path.dirname(os.path.normpath(target)) == str(out / APPLICANTS):
                target.unlink(missing_ok=True)
    return bool(gone)


def summary_key(rows: Sequence[SummaryRow], failures: Sequence[Failure], names: Sequence[str]) -> str:
    """A digest of everything the summary files show, computed row by row."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.model_dump_json().encode("utf-8") + b"\n")
    for failure in failures:
        digest.update(json.dumps([failure.file, failure.messages], ensure_ascii=False).encode("utf-8") + b"\n")
    digest.update(json.dumps(list(names)).encode("utf-8"))
    return digest.hexdigest()


def _write_summary(
    out: Path, summary: SummaryWriter | None, report: BatchReport, header: Header, old: Header, changed: bool
) -> list[str]:
    """Rewrite the batch-wide outputs when their data or the files they go to changed; returns
    the files written. When no input, setting or entry changed, the summary is what it was."""
    names = list(summary.names) if summary is not None else []
    header.summary_key = summary_key(report.rows, report.failures, names) if changed else old.summary_key
    if summary is not None and (header.summary_key != old.summary_key or not all((out / n).is_file() for n in names)):
        return [str(path) for path in summary.write(out, report.rows, report.failures)]
    return []
