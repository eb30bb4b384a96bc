"""Batch benchmark (not a test): whole ``shifan batch`` processes, ratios measured in one run.

    python bench/bench_batch.py [--count 1000] [--pdf-count 24] [--jobs 2] [--src DIR]

1. ``shifan batch --no-pdf`` on ``count`` generated applications against parsing the same files
   only, on as many processes: with libyaml (PyYAML's ``CSafeLoader``, the physical limit; target
   2.0x) and with ruamel's safe loader (today's baseline). A lower bound beside them: processes
   that only parse with libyaml, validate the application model, evaluate it and serialise the
   result (no normalising, consistency checks, reviews, files or summary), against libyaml alone.
   Peak RSS of the batch's parent process and of its largest worker (flat in ``count`` is the goal).
2. A rerun with nothing changed against the full run (target 2 %).
3. The batch with PDFs on ``pdf-count`` applications with reviews, 1 against 2 and 4 workers
   (target 1.9x for 2 workers on 2 idle cores), the font cache warm.
4. Reading an Excel workbook (a staff roster of ``--xlsx-rows`` rows): milliseconds per workbook
   with ``--xlsx-reader`` (``openpyxl`` read-only by default; ``module:function`` taking a path
   points it at another reader), against parsing the same table written as YAML with libyaml.

``--src`` points at another checkout's ``src`` folder, to measure it with the same script and the
same generated files.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from paired import ROOT, Pair, Timing, load, run, shifan, shifan_env


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_fixture", ROOT / "scripts" / "generate_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _parse_libyaml(paths: list[str]) -> int:
    import yaml

    return sum(len(yaml.load(Path(p).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)) for p in paths)


def _parse_ruamel(paths: list[str]) -> int:
    from ruamel.yaml import YAML

    return sum(len(YAML(typ="safe", pure=False).load(Path(p).read_text(encoding="utf-8"))) for p in paths)


def _core_only(paths: list[str]) -> int:
    """The least any batch with this schema and engine does per file: parse with libyaml, validate
    the application model, evaluate it and serialise the result. No normalising of labels, no
    consistency or evidence checks, no reviews, nothing written, no summary."""
    import yaml
    from pydantic import TypeAdapter

    from shifan.evaluate import evaluate
    from shifan.load.rubric import load_rubric
    from shifan.rules.application import Application

    adapter: TypeAdapter[Any] = TypeAdapter(Application)
    rubrics: dict[str, Any] = {}
    size = 0
    for path in paths:
        app = adapter.validate_python(yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
        ref = app.rubric or f"national/{app.kind}"
        rubric = rubrics.get(ref) or rubrics.setdefault(ref, load_rubric(ref))
        size += len(evaluate(app, rubric).model_dump_json())
    return size


PARSERS: dict[str, Callable[[list[str]], int]] = {
    "libyaml": _parse_libyaml,
    "ruamel": _parse_ruamel,
    "core": _core_only,
}


def parse_only(parser: str, folder: str, jobs: int) -> None:
    """Parse (or, with ``core``, parse, validate and evaluate) every YAML file under ``folder``
    on ``jobs`` processes: the baseline processes."""
    files = sorted(str(p) for p in Path(folder).rglob("*.yaml"))
    chunks = [files[i::jobs] for i in range(jobs)]
    fn = PARSERS[parser]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(fn, chunks))


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def _xlsx_reader(spec: str) -> Callable[[Path], Any]:
    if spec == "openpyxl":
        import openpyxl

        def read(path: Path) -> Any:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()

        return read
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def xlsx_row(work: Path, rows: int, reader_spec: str, runs: int) -> None:
    import openpyxl
    import yaml

    header = [
        "姓名",
        "性别",
        "出生日期",
        "岗位",
        "职称",
        "执业证书编号",
        "注册日期",
        "入职日期",
        "学历",
        "是否全职",
        "培训学时",
        "备注",
    ]
    table = [
        [f"员工{i:04d}", "女" if i % 2 else "男", f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}", "护理员", "初级",
         f"ZY{i:08d}", "2020-03-01", "2021-05-01", "大专", "是", 24 + i % 12, ""]
        for i in range(rows)
    ]  # fmt: skip
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in table:
        sheet.append(row)
    xlsx = work / "roster.xlsx"
    book.save(xlsx)
    as_yaml = work / "roster.yaml"
    as_yaml.write_text(
        yaml.safe_dump({"staff": [dict(zip(header, row, strict=True)) for row in table]}, allow_unicode=True),
        encoding="utf-8",
    )
    read = _xlsx_reader(reader_spec)
    xlsx_ms, yaml_ms = [], []
    for _ in range(runs):
        start = time.perf_counter()
        read(xlsx)
        xlsx_ms.append(1000 * (time.perf_counter() - start))
        start = time.perf_counter()
        yaml.load(as_yaml.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        yaml_ms.append(1000 * (time.perf_counter() - start))
    x, y = statistics.median(xlsx_ms), statistics.median(yaml_ms)
    print(
        f"4. XLSX read ({reader_spec}), {rows}-row roster, {xlsx.stat().st_size / 1024:.0f} KB: {x:.1f} ms per workbook; "
        f"the same table as YAML with libyaml {y:.1f} ms: {x / y:.2f}x"
    )


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description="shifan batch benchmark")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--pdf-count", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2, help="rounds of the --no-pdf rows")
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--xlsx-rows", type=int, default=500)
    parser.add_argument("--xlsx-reader", default="openpyxl")
    parser.add_argument("--parse-only", nargs=2, metavar=("PARSER", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_only:
        parse_only(args.parse_only[0], args.parse_only[1], args.jobs)
        return

    env = shifan_env(args.src)
    gen = _generator()
    work = Path(tempfile.mkdtemp(prefix="shifan-bench-"))
    try:
        source = work / "in"
        gen.generate(source, args.count, seed=1, counties=0, reviews=False)
        apps = source / "institutions"
        print(f"source {args.src}; {args.count} generated applications, {args.jobs} processes; {load()}")
        me = [sys.executable, str(Path(__file__).resolve()), "--jobs", str(args.jobs), "--parse-only"]
        batch = shifan("batch", str(source), "-o", str(work / "out"), "--no-pdf", "-j", str(args.jobs))
        libyaml = lambda: run([*me, "libyaml", str(apps)])  # noqa: E731
        ruamel = lambda: run([*me, "ruamel", str(apps)])  # noqa: E731
        core = lambda: run([*me, "core", str(apps)], env)  # noqa: E731
        libyaml(), ruamel(), core()  # warm-up (file cache, bytecode)
        # One full batch per round serves every comparison; rounds alternate the processes.
        full = Pair("batch --no-pdf vs libyaml parse only", [], [])
        vs_ruamel = Pair("batch --no-pdf vs ruamel parse only", [], [])
        rerun = Pair("no-change rerun vs full run", [], [])
        floor = Pair("lower bound: parse + validate + evaluate only vs libyaml parse only", [], [])
        for _ in range(args.runs):
            shutil.rmtree(work / "out", ignore_errors=True)
            whole = run(batch, env, memory=True)
            full.a.append(whole)
            full.b.append(libyaml())
            vs_ruamel.a.append(whole)
            vs_ruamel.b.append(ruamel())
            rerun.a.append(run(batch, env, memory=True))
            rerun.b.append(whole)
            floor.a.append(core())
            floor.b.append(full.b[-1])
        print("1. Evaluation without PDFs vs parsing only")
        print("   " + full.line("<= 2.0x"))
        print("   " + vs_ruamel.line())
        print("   " + floor.line())
        print(
            f"   peak RSS of the batch: parent {mb(max(t.parent_kb for t in full.a))}, "
            f"largest worker {mb(max(t.worker_kb for t in full.a))}; "
            f"CPU {statistics.median(t.cpu for t in full.a):.1f} s per full run"
        )
        print(f"2. {rerun.line('<= 0.02x')}  (rerun peak parent RSS {mb(max(t.parent_kb for t in rerun.a))})")

        if not args.skip_pdf:
            pdf_source = work / "pdf"
            gen.generate(pdf_source, args.pdf_count, seed=2, counties=0, reviews=True)
            reviews = ("--reviews", str(pdf_source / "reviews"))
            run(
                shifan("batch", str(pdf_source), *reviews, "-o", str(work / "warm"), "-j", "1"), env
            )  # font subsets cached
            print(f"3. Batch with PDFs, {args.pdf_count} applications with reviews; {load()}")
            timings: dict[int, Timing] = {}
            for jobs in (1, 2, 4):
                out = _fresh(work / f"pdf{jobs}")
                command = shifan("batch", str(pdf_source), *reviews, "-o", str(out), "-j", str(jobs))
                timings[jobs] = run(command, env, memory=True)
                t = timings[jobs]
                print(
                    f"   {jobs} worker(s) {t.wall:6.2f} s wall, {t.cpu:6.2f} s CPU, "
                    f"peak RSS parent {mb(t.parent_kb)}, largest worker {mb(t.worker_kb)}"
                )
            for jobs in (2, 4):
                print(
                    f"   1 -> {jobs} workers: {timings[1].wall / timings[jobs].wall:.2f}x wall   (target 1.9x for 2 on 2 cores)"
                )
            print(f"   {load()}")
        xlsx_row(work, args.xlsx_rows, args.xlsx_reader, 5)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
