"""Batch benchmark (not a test): prints figures, asserts nothing.

    PYTHONPATH=src python bench/bench_batch.py [--count 1000] [--pdf-count 24] [--jobs N]

1. Evaluating ``count`` generated applications without PDFs (``run_batch``, ``jobs`` processes)
   against only parsing the same files with ruamel's C-based safe loader on as many processes
   (target ≤ 1.5×); the same per file on one process, split into stages, to show where time goes.
2. The full batch with PDFs on 1 and on 2 workers (target ≥ 1.8× speed-up), on ``pdf-count``
   applications (a PDF takes about a second; 1,000 of them would take a quarter of an hour).
3. A rerun with nothing changed against the full run (target ≤ 5 %).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_fixture", ROOT / "scripts" / "generate_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def parse_only(path: str) -> int:
    data = YAML(typ="safe", pure=False).load(Path(path).read_text(encoding="utf-8"))
    return len(data)


def _parse_chunk(paths: list[str]) -> int:
    return sum(parse_only(p) for p in paths)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker pools are joined)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_cpu(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``fn``."""
    cpu = cpu_seconds()
    wall = timed(fn)
    return wall, cpu_seconds() - cpu


def load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"


def parallel_parse(files: list[str], jobs: int) -> float:
    chunks = [files[i::jobs] for i in range(jobs)]

    def run() -> None:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_parse_chunk, chunks))

    return timed(run)


def stages(files: list[Path]) -> dict[str, float]:
    """Milliseconds per file on one process, stage by stage."""
    from shifan.batch.rows import summary_row
    from shifan.batch.worker import cached_rubric
    from shifan.evaluate.pipeline import check_loaded
    from shifan.load.application import _ADAPTER, consistency_problems, load_application
    from shifan.read import yamldoc as yamlio
    from shifan.review import reconcile

    rubric = cached_rubric("national/institution")
    raws = [f.read_bytes() for f in files]
    per = 1000 / len(files)
    out: dict[str, float] = {}
    out["C safe parse"] = timed(lambda: [YAML(typ="safe", pure=False).load(r.decode()) for r in raws]) * per
    docs: list[Any] = []
    out["parse_document (parse + limits)"] = (
        timed(lambda: docs.extend(yamlio.parse_document(r, f) for r, f in zip(raws, files, strict=True))) * per
    )
    apps: list[Any] = []
    out["schema validation"] = timed(lambda: apps.extend(_ADAPTER.validate_python(d.data) for d in docs)) * per
    out["consistency checks"] = (
        timed(lambda: [consistency_problems(a, f.parent) for a, f in zip(apps, files, strict=True)]) * per
    )
    loaded = [load_application(f) for f in files]
    checked: list[Any] = []
    out["evaluate"] = timed(lambda: checked.extend(check_loaded(item, rubric) for item in loaded)) * per
    merged: list[Any] = []
    out["reconcile"] = timed(lambda: merged.extend(reconcile(c, []) for c in checked)) * per
    out["summary row"] = (
        timed(lambda: [summary_row("x.yaml", "x", c, r) for c, r in zip(checked, merged, strict=True)]) * per
    )
    from shifan.present.applicant_json import applicant_json

    out["JSON text"] = (
        timed(lambda: [applicant_json("x.yaml", c, r) for c, r in zip(checked, merged, strict=True)]) * per
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="shifan batch benchmark")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--pdf-count", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))

    from shifan.batch import run_batch
    from shifan.present.formats import applicant_writers
    from shifan.present.summary import SUMMARY

    gen = _generator()
    work = Path(tempfile.mkdtemp(prefix="shifan-bench-"))
    try:
        source = work / "in"
        gen.generate(source, args.count, seed=1, counties=0, reviews=False)
        files = sorted(str(p) for p in (source / "institutions").glob("*.yaml"))
        print(f"{len(files)} generated applications, {args.jobs} processes, {os.cpu_count()} CPUs")

        print(f"   before: {load()}")
        parse_parallel = parallel_parse(files, args.jobs)
        full = timed(
            lambda: run_batch(
                source, work / "out", writers=applicant_writers(["json"]), summary=SUMMARY, jobs=args.jobs
            )
        )
        rerun = timed(
            lambda: run_batch(
                source, work / "out", writers=applicant_writers(["json"]), summary=SUMMARY, jobs=args.jobs
            )
        )
        print("\n1. Evaluation without PDFs vs parsing only")
        print(f"   parse only (C safe loader, {args.jobs} processes): {parse_parallel:7.2f} s")
        print(f"   shifan batch --no-pdf ({args.jobs} processes):       {full:7.2f} s")
        print(f"   ratio: {full / parse_parallel:.2f}x   (target <= 1.5x)")
        print("   one process, per file (ms):")
        timings = stages([Path(f) for f in files[:300]])
        for label, value in timings.items():
            print(f"     {label:34s} {value:6.2f}")
        core = sum(v for k, v in timings.items() if k not in ("C safe parse", "JSON text"))
        parse = timings["C safe parse"]
        print(f"     core path (read + validate + evaluate + reconcile + row) / parse: {core / parse:.2f}x")
        print(f"     with the JSON text of the result: {(core + timings['JSON text']) / parse:.2f}x")

        print("\n3. No-change rerun vs full run (no PDFs)")
        print(f"   full {full:.2f} s, rerun {rerun:.2f} s: {100 * rerun / full:.1f} %   (target <= 5 %)")

        print("\n2. Full batch with PDFs, 1 vs 2 workers")
        pdf_source = work / "pdf"
        gen.generate(pdf_source, args.pdf_count, seed=2, counties=0, reviews=True)
        run_batch(
            pdf_source, work / "warm", writers=applicant_writers(["json", "pdf"]), summary=SUMMARY, jobs=1
        )  # font subsets cached once
        print(f"   before: {load()} (other processes on this machine compete for the same CPUs)")
        one, one_cpu = timed_cpu(
            lambda: run_batch(
                pdf_source, work / "pdf1", writers=applicant_writers(["json", "pdf"]), summary=SUMMARY, jobs=1
            )
        )
        two, two_cpu = timed_cpu(
            lambda: run_batch(
                pdf_source, work / "pdf2", writers=applicant_writers(["json", "pdf"]), summary=SUMMARY, jobs=2
            )
        )
        print(f"   {args.pdf_count} applications with reviews and PDFs:")
        print(f"     1 worker  {one:6.2f} s wall, {one_cpu:6.2f} s CPU")
        print(f"     2 workers {two:6.2f} s wall, {two_cpu:6.2f} s CPU   ({load()})")
        print(f"   speed-up {one / two:.2f}x wall clock   (target >= 1.8x)")
        print(
            f"   CPU time grows {100 * (two_cpu / one_cpu - 1):.0f} % with 2 workers: on 2 idle cores the speed-up "
            f"would be about {2 * one_cpu / two_cpu:.2f}x"
        )
        pdf_rerun = timed(
            lambda: run_batch(
                pdf_source, work / "pdf2", writers=applicant_writers(["json", "pdf"]), summary=SUMMARY, jobs=2
            )
        )
        print(f"   no-change rerun with PDFs: {pdf_rerun:.2f} s = {100 * pdf_rerun / two:.1f} % of the full run")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
