"""Running a batch: find files, pair reviews, skip what is unchanged, evaluate the rest on all
cores, hand the results to the writers given by the caller.

Output folder layout (with the writers ``shifan batch`` passes)::

    OUT/applicants/<file>.json   reconciled result of each applicant (evaluation + reviews)
    OUT/applicants/<file>.pdf    自评报告 (unless --no-pdf)
    OUT/summary.csv              summary table, UTF-8 with BOM
    OUT/summary.xlsx             the same table
    OUT/failures.log             files that could not be processed, with every problem
    OUT/manifest.json            what each output was made from (for reruns)
    OUT/manifest.journal         applicants finished since (only while a batch runs, or was killed)

Every file is written atomically (temporary file, then rename), so a killed batch leaves no
truncated file; leftover temporary files are removed by the next run, which completes the work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from shifan import __version__
from shifan.batch.discover import Known, SourceFile, match_reviews, peek_review, scan
from shifan.batch.manifest import (
    JOURNAL,
    BatchSettings,
    Journal,
    Manifest,
    ManifestEntry,
    dep_unchanged,
    load_manifest,
    save_manifest,
)
from shifan.batch.model import ApplicantWriter, Failure, ItemResult, ReviewPeek, SummaryRow, Task
from shifan.batch.worker import cached_rubric, process
from shifan.errors import ShifanError, UsageError
from shifan.evaluate.pipeline import rubric_roots

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
APPLICANTS = "applicants"
#: Seconds between manifest saves while a batch runs (progress kept if the batch is killed).
FLUSH_SECONDS = 1.0
#: A file modified this close to the previous scan is read again even if its stat is unchanged
#: (its modification time may share the scan's clock tick).
SETTLED_NS = 2_000_000_000
#: Tasks queued per worker at a time.
IN_FLIGHT = 4
#: Below this many reviews, they are read in the main process rather than in workers.
PARALLEL_PEEKS = 32


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
    rows: list[SummaryRow] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    total: int = 0
    processed: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def default_jobs() -> int:
    return os.cpu_count() or 1


def output_stems(apps: Sequence[SourceFile]) -> dict[str, str]:
    """A unique, readable output file name (without extension) for every application."""
    stems: dict[str, str] = {}
    used: set[str] = set()
    for app in apps:
        stem = app.rel.rsplit(".", 1)[0].replace("/", "__")
        if stem in used:
            stem += "-" + hashlib.sha256(app.rel.encode("utf-8")).hexdigest()[:8]
        used.add(stem)
        stems[app.rel] = stem
    return stems


def _run_pool(fn: Callable[[Any], Any], args: Sequence[Any], jobs: int, on_result: Callable[[Any, Any], None]) -> None:
    """Call ``fn`` on every argument, on ``jobs`` processes; ``on_result(arg, result)`` in the parent."""
    if jobs <= 1 or len(args) <= 1:
        for arg in args:
            on_result(arg, fn(arg))
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(args))) as pool:
        # At most IN_FLIGHT tasks per worker are queued: the parent's memory stays flat in the
        # number of files, and results are handled as they come.
        pending = iter(args)
        futures: dict[Future[Any], Any] = {}

        def submit(arg: Any) -> None:
            try:
                futures[pool.submit(fn, arg)] = arg
            except BrokenProcessPool:  # a worker died: what is left is reported as not done
                on_result(arg, None)

        try:
            for arg in itertools.islice(pending, IN_FLIGHT * jobs):
                submit(arg)
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    arg = futures.pop(future)
                    try:
                        value = future.result()
                    except BrokenProcessPool:
                        value = None
                    on_result(arg, value)
                    for follow in itertools.islice(pending, 1):
                        submit(follow)
            for arg in pending:  # left over only when the pool broke
                on_result(arg, None)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _peeks(reviews: list[SourceFile], old: Manifest, jobs: int) -> dict[str, ReviewPeek]:
    peeks: dict[str, ReviewPeek] = {}
    todo = []
    for review in reviews:
        cached = old.reviews.get(review.rel)
        if cached is not None and cached.sha == review.sha:
            peeks[review.rel] = cached
        else:
            todo.append(review)

    by_path = {str(r.path): r for r in todo}

    def keep(path: str, value: ReviewPeek | None) -> None:
        review = by_path[path]
        peek = value or ReviewPeek(target=None, target_sha=None, error=["读取时处理进程异常退出"])
        peeks[review.rel] = peek.model_copy(update={"sha": review.sha})

    _run_pool(peek_review, [str(r.path) for r in todo], jobs if len(todo) >= PARALLEL_PEEKS else 1, keep)
    return peeks


def _rubric_sha(ref: str, local: bool, cache: dict[tuple[str, bool], str]) -> str:
    key = (ref, local)
    if key not in cache:
        try:
            cache[key] = cached_rubric(ref, roots=rubric_roots(local)).sha256
        except ShifanError:
            cache[key] = ""
    return cache[key]


def _unchanged(
    entry: ManifestEntry, app: SourceFile, reviews: list[SourceFile], rubric_shas: dict[tuple[str, bool], str]
) -> bool:
    if entry.failure or entry.row is None or entry.app_sha != app.sha:
        return False
    if entry.reviews != [(r.rel, r.sha) for r in reviews]:
        return False
    ref, local, sha = entry.rubric
    if not sha or _rubric_sha(ref, local, rubric_shas) != sha:
        return False
    if not all(os.path.isfile(path) for path in entry.outputs):
        return False
    return all(dep_unchanged(path, record) for path, record in entry.deps.items())


def _clean_temporaries(out: Path) -> None:
    for folder in (out, out / APPLICANTS):
        if folder.is_dir():
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)


def collect(
    source: Path, exclude: list[Path], old: Manifest, jobs: int, found: dict[str, Known] | None = None
) -> tuple[list[SourceFile], dict[str, list[SourceFile]], list[Failure], dict[str, ReviewPeek]]:
    """Applications, the reviews of each, review failures and review peeks (for the manifest).

    Files whose size and modification time the previous run recorded are not read again; what
    was found is put in ``found`` for the next run."""
    if not source.is_dir():
        raise UsageError(f"目录不存在：{source}")
    files = scan(source, exclude, old.files, old.scanned_ns - SETTLED_NS)
    if found is not None:
        found.update((f.rel, (f.size, f.mtime_ns, f.sha, f.kind)) for f in files)
    apps = [f for f in files if f.kind != "review"]
    reviews = [f for f in files if f.kind == "review"]
    peeks = _peeks(reviews, old, jobs)
    matched, failures = match_reviews(apps, reviews, peeks)
    return apps, matched, failures, peeks


def run_batch(
    source: Path,
    out: Path | None,
    *,
    criteria: str | None = None,
    as_of: dt.date | None = None,
    jobs: int | None = None,
    writers: Sequence[ApplicantWriter] = (),
    summary: SummaryWriter | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Evaluate every application under ``source`` with its reviews.

    Each applicant's outputs are written by ``writers`` into ``out/applicants``; the summary table
    and failure log by ``summary``, only when they changed. With ``out`` None nothing is written
    and nothing is skipped (used by ``recommend``).
    """
    jobs = jobs or default_jobs()
    as_of_text = as_of.isoformat() if as_of else None
    settings = BatchSettings(
        tool=__version__,
        criteria=criteria,
        as_of=as_of_text,
        formats=[w.format for w in writers],
    )
    old = load_manifest(out) if out is not None else Manifest()
    if out is not None and (out / JOURNAL).exists():
        save_manifest(out, old)  # a killed run's journal, folded in before this run starts its own
    if old.settings != settings:
        old.items = {}
    if out is not None:
        (out / APPLICANTS).mkdir(parents=True, exist_ok=True)
        _clean_temporaries(out)
    exclude = [out] if out is not None else []
    scanned_ns = time.time_ns()
    found: dict[str, Known] = {}
    apps, matched, review_failures, peeks = collect(source, exclude, old, jobs, found)
    stems = output_stems(apps)
    manifest = Manifest(settings=settings, reviews=peeks, files=found, scanned_ns=scanned_ns)
    journal = Journal(out, settings) if out is not None else None
    report = BatchReport(out=out, total=len(apps))
    rubric_shas: dict[tuple[str, bool], str] = {}
    tasks: list[Task] = []
    for app in apps:
        reviews = matched[app.rel]
        entry = old.items.get(app.rel) if out is not None else None
        if entry is not None and _unchanged(entry, app, reviews, rubric_shas):
            assert entry.row is not None  # _unchanged holds only for rows
            manifest.items[app.rel] = entry
            report.rows.append(entry.row)
            report.skipped += 1
            continue
        base = out / APPLICANTS / stems[app.rel] if out is not None else None
        tasks.append(
            Task(
                app=str(app.path),
                rel=app.rel,
                reviews=tuple(str(r.path) for r in reviews),
                criteria=criteria,
                as_of=as_of_text,
                out_base=str(base) if base is not None else None,
                writers=tuple(writers) if base is not None else (),
            )
        )
    gone = out is not None and _remove_gone(old, {a.rel for a in apps})
    done = report.skipped
    if progress:
        progress(done, report.total)
    by_rel = {a.rel: a for a in apps}
    last_flush = time.monotonic()
    flush_every = FLUSH_SECONDS

    def finished(task: Task, item: ItemResult | None) -> None:
        nonlocal done, last_flush, flush_every
        if item is None:
            item = ItemResult(rel=task.rel, failure=Failure(task.rel, "application", ["处理进程异常退出"]))
        report.processed += 1
        if item.row is not None and item.failure is None:
            report.rows.append(item.row)
        elif item.failure is not None:
            report.failures.append(item.failure)
        if out is not None:
            entry = ManifestEntry(
                app_sha=by_rel[task.rel].sha,
                reviews=[(r.rel, r.sha) for r in matched[task.rel]],
                deps=item.deps,
                rubric=(item.rubric_ref, item.rubric_local, item.rubric_sha),
                outputs=item.outputs,
                row=item.row,
                failure=item.failure.messages if item.failure is not None else None,
            )
            manifest.items[task.rel] = entry
            assert journal is not None
            journal.add(task.rel, entry)
            if time.monotonic() - last_flush >= flush_every:
                started = time.monotonic()
                journal.flush()
                last_flush = time.monotonic()
                # never spend more than a tenth of the parent's time saving progress
                flush_every = max(FLUSH_SECONDS, 10 * (last_flush - started))
        done += 1
        if progress:
            progress(done, report.total)

    try:
        _run_pool(process, tasks, jobs, finished)
    finally:
        if journal is not None:
            journal.close()
    report.failures.extend(review_failures)
    report.rows.sort(key=lambda r: r.file)
    report.failures.sort(key=lambda f: f.file)
    if out is not None:
        changed = bool(report.processed or gone) or _differs(manifest, old)
        _write_summary(out, summary, report, manifest, old, changed)
    return report


def _differs(new: Manifest, old: Manifest) -> bool:
    """Whether a run that processed nothing still has something new to record."""
    return (
        new.settings != old.settings
        or new.items.keys() != old.items.keys()
        or new.reviews != old.reviews
        or new.files != old.files
    )


def _remove_gone(old: Manifest, present: set[str]) -> bool:
    """Delete the outputs of applications no longer in the folder (only files the batch wrote);
    whether there were any."""
    gone = False
    for rel, entry in old.items.items():
        if rel not in present:
            gone = True
            for path in entry.outputs:
                Path(path).unlink(missing_ok=True)
    return gone


def _write_summary(
    out: Path, summary: SummaryWriter | None, report: BatchReport, manifest: Manifest, old: Manifest, changed: bool
) -> None:
    """Rewrite the batch-wide outputs when their data or the files they go to changed, and the
    manifest when anything changed (a no-change rerun writes nothing)."""
    if not changed and old.summary_key:
        key = old.summary_key  # same rows and failures as the run that computed it
    else:
        key_data = [r.model_dump(mode="json") for r in report.rows] + [[f.file, f.messages] for f in report.failures]
        key_data.append(list(summary.names) if summary is not None else [])
        key = hashlib.sha256(json.dumps(key_data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    if summary is not None and (key != old.summary_key or not all((out / n).is_file() for n in summary.names)):
        summary.write(out, report.rows, report.failures)
    manifest.summary_key = key
    if changed or key != old.summary_key:
        save_manifest(out, manifest)
