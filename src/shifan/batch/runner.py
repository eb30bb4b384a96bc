"""Running a batch: find files, pair reviews, skip what is unchanged, evaluate the rest on all
cores, hand the results to the writers given by the caller.

Output folder layout (with the writers ``shifan batch`` passes)::

    OUT/applicants/<file>.json   reconciled result of each applicant (evaluation + reviews)
    OUT/applicants/<file>.pdf    自评报告 (unless --no-pdf)
    OUT/summary.csv              summary table, UTF-8 with BOM
    OUT/summary.xlsx             the same table
    OUT/failures.log             files that could not be processed, with every problem
    OUT/manifest.json            what each output was made from (for reruns)
    OUT/.shifan-batch.lock       id of the run that owns the folder (see shifan.batch.guard)

Every file is written atomically (temporary file, then rename), so a killed batch leaves no
truncated file; leftover temporary files are removed by the next run, which completes the work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from shifan import __version__
from shifan.batch.discover import SourceFile, match_reviews, peek_review, planted_review, scan
from shifan.batch.guard import die_with_parent, own_output, stop_cleanly_on_sigterm
from shifan.batch.manifest import (
    BatchSettings,
    Manifest,
    ManifestEntry,
    dep_unchanged,
    load_manifest,
    save_manifest,
)
from shifan.batch.model import ApplicantWriter, Failure, ItemResult, ReviewPeek, SummaryRow, Task
from shifan.batch.worker import cached_rubric, process
from shifan.errors import ShifanError, UsageError

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
APPLICANTS = "applicants"
#: Seconds between manifest saves while a batch runs (progress kept if the batch is killed).
FLUSH_SECONDS = 1.0
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
    """A readable, stable output file name (without extension) for every application: its path
    with ``/`` as ``__`` and a short digest of the path, so no two applications ever share one."""
    return {app.rel: output_stem(app.rel) for app in apps}


def output_stem(rel: str) -> str:
    readable = rel.rsplit(".", 1)[0].replace("/", "__")[:80]
    return f"{readable}-{hashlib.sha256(rel.encode('utf-8')).hexdigest()[:10]}"


def _run_pool(fn: Callable[[Any], Any], args: Sequence[Any], jobs: int, on_result: Callable[[Any, Any], None]) -> None:
    """Call ``fn`` on every argument, on ``jobs`` processes; ``on_result(arg, result)`` in the parent.

    When a worker dies (killed, out of memory, a crash in a library), only the calls it had
    started are suspects: each is retried once on its own, and ``on_result(arg, None)`` reports
    the one that kills its worker again; the calls that had not started run again as usual."""
    if jobs <= 1 or len(args) <= 1:
        for arg in args:
            on_result(arg, fn(arg))
        return
    todo = list(range(len(args)))
    while todo:
        crashed, started = _pool_round(fn, args, todo, min(jobs, len(todo)), on_result)
        for index in (i for i in crashed if i in started):
            lost, _ = _pool_round(fn, args, [index], 1, on_result)
            if lost:
                on_result(args[index], None)
        todo = [i for i in crashed if i not in started]


_STARTED: Any = None


def _init_worker(started: Any, parent: int) -> None:
    global _STARTED
    _STARTED = started
    die_with_parent(parent)


def _tracked(fn: Callable[[Any], Any], index: int, arg: Any) -> Any:
    _STARTED.put(index)
    return fn(arg)


def _pool_round(
    fn: Callable[[Any], Any],
    args: Sequence[Any],
    todo: list[int],
    workers: int,
    on_result: Callable[[Any, Any], None],
) -> tuple[list[int], set[int]]:
    """Run ``todo`` on a fresh pool; returns the calls lost to a dead worker and those started."""
    context = multiprocessing.get_context()
    started = context.SimpleQueue()
    crashed: list[int] = []
    begun: set[int] = set()
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(started, os.getpid())
    ) as pool:
        futures: dict[Future[Any], int] = {pool.submit(_tracked, fn, i, args[i]): i for i in todo}
        try:
            for future in as_completed(futures):
                index = futures[future]
                while not started.empty():  # drained as it goes, so a worker never blocks on it
                    begun.add(started.get())
                try:
                    value = future.result()
                except BrokenProcessPool:
                    crashed.append(index)
                    continue
                on_result(args[index], value)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    while not started.empty():
        begun.add(started.get())
    return sorted(crashed), begun


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


def _rubric_sha(ref: str, cache: dict[str, str]) -> str:
    if ref not in cache:
        try:
            cache[ref] = cached_rubric(ref).sha256
        except ShifanError:
            cache[ref] = ""
    return cache[ref]


def _unchanged(
    entry: ManifestEntry, app: SourceFile, reviews: list[SourceFile], rubric_shas: dict[str, str], out: Path
) -> bool:
    if entry.failure or entry.row is None or entry.app_sha != app.sha:
        return False
    if entry.reviews != [(r.rel, r.sha) for r in reviews]:
        return False
    ref, sha = entry.rubric
    if not sha or _rubric_sha(ref, rubric_shas) != sha:
        return False
    if not all((out / path).is_file() for path in entry.outputs):
        return False
    return all(dep_unchanged(path, record) for path, record in entry.deps.items())


def _clean_temporaries(out: Path) -> None:
    for folder in (out, out / APPLICANTS):
        if folder.is_dir():
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)


def collect(
    source: Path, exclude: list[Path], old: Manifest, jobs: int, reviews_dir: Path | None = None
) -> tuple[list[SourceFile], dict[str, list[SourceFile]], list[Failure], dict[str, ReviewPeek]]:
    """Applications, the reviews of each, review failures and review peeks (for the manifest).

    Reviews come only from ``reviews_dir``; a review sheet among the applications is a failure."""
    if not source.is_dir():
        raise UsageError(f"目录不存在：{source}")
    if reviews_dir is not None and not reviews_dir.is_dir():
        raise UsageError(f"评审意见表目录不存在：{reviews_dir}")
    if reviews_dir is not None and os.path.abspath(reviews_dir) == os.path.abspath(source):
        raise UsageError("评审意见表目录不能是申报材料目录本身；请把评审意见表放在单独的目录中")
    files = scan(source, [*exclude, reviews_dir] if reviews_dir is not None else exclude)
    apps = [f for f in files if f.kind != "review"]
    planted = [planted_review(f) for f in files if f.kind == "review"]
    reviews: list[SourceFile] = []
    if reviews_dir is not None:
        for found in scan(reviews_dir, exclude, base=source):
            if found.kind == "review":
                reviews.append(found)
            else:
                message = f"{found.rel}: 评审意见表目录中的文件不是评审意见表（应有 kind: review）"
                planted.append(Failure(found.rel, "review", [message]))
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
    if out is None:
        return _run_batch(
            source,
            None,
            criteria=criteria,
            reviews_dir=reviews_dir,
            as_of=as_of,
            jobs=jobs,
            writers=writers,
            summary=summary,
            progress=progress,
        )
    out = Path(os.path.abspath(out))
    (out / APPLICANTS).mkdir(parents=True, exist_ok=True)
    with own_output(out) as run_id, stop_cleanly_on_sigterm():
        return _run_batch(
            source,
            out,
            criteria=criteria,
            reviews_dir=reviews_dir,
            as_of=as_of,
            jobs=jobs,
            writers=writers,
            summary=summary,
            progress=progress,
            run_id=run_id,
        )


def _run_batch(
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
    run_id: str = "",
) -> BatchReport:
    jobs = jobs or default_jobs()
    as_of_text = as_of.isoformat() if as_of else None
    settings = BatchSettings(
        tool=__version__,
        criteria=criteria,
        as_of=as_of_text,
        formats=[w.format for w in writers],
    )
    old = load_manifest(out) if out is not None else Manifest()
    # (the rest of the run; ``run_batch`` holds the output folder)
    if old.settings != settings:
        old.items = {}
    if out is not None:
        _clean_temporaries(out)
    exclude = [out] if out is not None else []
    apps, matched, review_failures, peeks = collect(source, exclude, old, jobs, reviews_dir)
    stems = output_stems(apps)
    manifest = Manifest(settings=settings, reviews=peeks)
    report = BatchReport(out=out, total=len(apps))
    rubric_shas: dict[str, str] = {}
    tasks: list[Task] = []
    for app in apps:
        reviews = matched[app.rel]
        entry = old.items.get(app.rel) if out is not None else None
        if entry is not None and out is not None and _unchanged(entry, app, reviews, rubric_shas, out):
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
                owner=(str(out), run_id) if out is not None else None,
            )
        )
    if out is not None:
        _remove_gone(out, old, {a.rel for a in apps})
    done = report.skipped
    if progress:
        progress(done, report.total)
    by_rel = {a.rel: a for a in apps}
    last_flush = time.monotonic()
    flush_every = FLUSH_SECONDS

    def finished(task: Task, item: ItemResult | None) -> None:
        nonlocal done, last_flush, flush_every
        if item is None:
            item = ItemResult(rel=task.rel, failure=Failure(task.rel, "internal", [CRASHED]))
        report.processed += 1
        if item.row is not None and item.failure is None:
            report.rows.append(item.row)
        elif item.failure is not None:
            report.failures.append(item.failure)
        if out is not None:
            manifest.items[task.rel] = ManifestEntry(
                # the bytes the worker evaluated: a file edited during the run is redone next time
                app_sha=item.app_sha or by_rel[task.rel].sha,
                reviews=[(r.rel, r.sha) for r in matched[task.rel]],
                deps=item.deps,
                rubric=(item.rubric_ref, item.rubric_sha),
                outputs=[os.path.relpath(path, out) for path in item.outputs],
                row=item.row,
                failure=item.failure.messages if item.failure is not None else None,
            )
            if time.monotonic() - last_flush >= flush_every:
                started = time.monotonic()
                save_manifest(out, manifest)
                last_flush = time.monotonic()
                # never spend more than a tenth of the parent's time saving progress
                flush_every = max(FLUSH_SECONDS, 10 * (last_flush - started))
        done += 1
        if progress:
            progress(done, report.total)

    try:
        _run_pool(process, tasks, jobs, finished)
    finally:
        if out is not None:
            save_manifest(out, manifest)
    report.failures.extend(review_failures)
    report.rows.sort(key=lambda r: r.file)
    report.failures.sort(key=lambda f: f.file)
    if out is not None:
        _write_summary(out, summary, report, manifest, old)
    return report


def _remove_gone(out: Path, old: Manifest, present: set[str]) -> None:
    """Delete the outputs of applications no longer in the folder (only files the batch wrote,
    recorded relative to the output folder)."""
    for rel, entry in old.items.items():
        if rel not in present:
            for path in entry.outputs:
                target = out / path
                if os.path.dirname(os.path.normpath(target)) == str(out / APPLICANTS):
                    target.unlink(missing_ok=True)


def _write_summary(
    out: Path, summary: SummaryWriter | None, report: BatchReport, manifest: Manifest, old: Manifest
) -> None:
    """Rewrite the batch-wide outputs when their data or the files they go to changed."""
    key_data = [r.model_dump(mode="json") for r in report.rows] + [[f.file, f.messages] for f in report.failures]
    key_data.append(list(summary.names) if summary is not None else [])
    key = hashlib.sha256(json.dumps(key_data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    if summary is not None and (key != old.summary_key or not all((out / n).is_file() for n in summary.names)):
        summary.write(out, report.rows, report.failures)
    manifest.summary_key = key
    save_manifest(out, manifest)
