"""Workbook reading benchmark (not a test): prints figures, asserts nothing.

    PYTHONPATH=src python bench/bench_xlsx.py [--staff 100 1000 4500] [--repeat 3]

For the shipped sample workbook and for generated institutions with many staff (each with two
certificates), prints the time to read one workbook:

- ``shifan``: ``load_application`` end to end (archive checks, openpyxl, layout, validation);
- ``openpyxl``: ``load_workbook`` alone as shifan calls it (full mode: merged cells, formulas);
- ``openpyxl ro``: openpyxl's read-only streaming mode, every cell's value;
- ``calamine``: python-calamine (Rust), every sheet to a list of rows, when it is installed.
"""

from __future__ import annotations

import argparse
import copy
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shifan.load.application import load_application  # noqa: E402
from shifan.present.application_file import write_application  # noqa: E402

SAMPLE = ROOT / "applications" / "institutions" / "01-kangning-eligible.yaml"


def best(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def with_staff(folder: Path, count: int) -> Path:
    """The sample with ``count`` staff (copies of its roster, new ids), as a workbook."""
    loaded = load_application(SAMPLE)
    app = loaded.app
    staff = [
        copy.deepcopy(app.staff[i % len(app.staff)]).model_copy(update={"id": f"S{i:05d}"})  # type: ignore[union-attr]
        for i in range(count)
    ]
    beds = app.beds.model_copy(update={"approved": max(count, 200), "operating": max(count, 180)})  # type: ignore[union-attr]
    bigger = app.model_copy(update={"staff": staff, "beds": beds})
    path = folder / f"staff-{count}.xlsx"
    write_application(bigger, folder, path)  # evidence copied beside: paths unchanged
    return path


def openpyxl_ro(path: Path) -> None:
    book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False)
    for ws in book.worksheets:
        for _ in ws.iter_rows(values_only=True):
            pass
    book.close()


def calamine(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--staff", type=int, nargs="*", default=[100, 1000, 4500])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import python_calamine  # noqa: F401

        has_calamine = True
    except ImportError:
        has_calamine = False
    folder = Path(tempfile.mkdtemp(prefix="bench-xlsx-"))
    try:
        shutil.copytree(SAMPLE.parent / "evidence", folder / "evidence")
        sample = folder / "sample.xlsx"
        write_application(load_application(SAMPLE).app, folder, sample)
        books = [("sample (14 staff)", sample)] + [(f"{n} staff", with_staff(folder, n)) for n in args.staff]
        head = f"{'workbook':<20}{'size':>10}{'shifan':>10}{'openpyxl':>10}{'openpyxl ro':>13}{'calamine':>10}"
        print(head)
        for label, path in books:
            figures = [
                best(lambda p=path: load_application(p), args.repeat),
                best(lambda p=path: load_workbook(io.BytesIO(p.read_bytes()), data_only=False), args.repeat),
                best(lambda p=path: openpyxl_ro(p), args.repeat),
            ]
            if has_calamine:
                figures.append(best(lambda p=path: calamine(p), args.repeat))
            size = f"{path.stat().st_size // 1024} KB"
            cells = "".join(f"{f * 1000:>9.0f}ms" for f in figures[:2]) + f"{figures[2] * 1000:>11.0f}ms"
            cells += f"{figures[3] * 1000:>8.0f}ms" if has_calamine else f"{'—':>10}"
            print(f"{label:<20}{size:>10}{cells}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
