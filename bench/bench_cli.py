"""Command latency benchmark (not a test): whole processes, paired, ratios measured in one run.

    python bench/bench_cli.py [--runs 7] [--src DIR]

* ``shifan -h``, ``shifan check <sample> --format json`` and ``shifan criteria list`` against the
  import floor ``python -c "import click, pydantic, ruamel.yaml"`` (targets 1.3x, 1.6x);
* ``shifan report self`` of the 8-page sample as PDF against the same report as HTML (target 2.0x);
* three lower bounds: the floor plus one trivial pydantic model (pydantic builds its machinery on
  the first model class, after ``import pydantic``); loading the PDF engine alone against the whole
  HTML report; and the engine rendering as many pages of plain paragraphs as the sample report
  has (no tables), against the HTML report: what WeasyPrint needs for a PDF that long at least.

``--src`` points at another checkout's ``src`` folder to measure it with the same script;
``--against DIR`` adds rows timing each command against the same command of the checkout whose
``src`` folder is DIR, in alternating pairs (before/after figures from one run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from paired import ROOT, load, paired, run, shifan, shifan_env

SAMPLE = ROOT / "applications" / "institutions" / "01-kangning-eligible.yaml"
FLOOR = [sys.executable, "-c", "import click, pydantic, ruamel.yaml"]
# ``import pydantic`` defers its machinery to the first model class: the floor plus one trivial
# model, validated and dumped, is what any command that reads a file through pydantic pays.
ONE_MODEL = [
    sys.executable,
    "-c",
    "import click, pydantic, ruamel.yaml\n"
    "class A(pydantic.BaseModel):\n    x: int\n"
    "A.model_validate({'x': 1}).model_dump_json()",
]
# The PDF engine as shifan loads it (WeasyPrint, its C libraries, the prepared fonts and base
# stylesheet), nothing rendered.
PDF_ENGINE = [sys.executable, "-c", "import shifan.present.report.pdf as p; p.font_kit()"]
# The engine rendering 8 A4 pages of plain Chinese paragraphs (as many pages as the sample report,
# none of its tables): the least a PDF of that length costs with WeasyPrint.
PLAIN_PAGES = [
    sys.executable,
    "-c",
    "import datetime, sys, shifan.present.report.pdf as p\n"
    "text = '本单位承诺：以上自评情况和所附材料真实、准确、完整，如有不实，愿承担相应责任。' * 6\n"
    "body = '<p>' + '</p><p>'.join([text] * 50) + '</p>'\n"
    "r = p.render(p.html_document(body, title='t'), title='t', as_of=datetime.date(2025, 1, 1))\n"
    "sys.exit(0 if r.pages == 8 else 2)",  # exit status 1 counts as a normal run in paired.run
]


def main() -> None:
    parser = argparse.ArgumentParser(description="shifan command latency benchmark")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--against", type=Path, default=None, help="another checkout's src folder")
    args = parser.parse_args()
    env = shifan_env(args.src)
    print(f"source {args.src}; {load()}")
    with tempfile.TemporaryDirectory(prefix="shifan-bench-cli-") as tmp:
        out = Path(tmp)
        floor = lambda: run(FLOOR, env)  # noqa: E731
        rows = [
            (paired("shifan -h vs import floor", lambda: run(shifan("-h"), env), floor, args.runs), "<= 1.3x"),
            (
                paired(
                    "shifan check --format json vs import floor",
                    lambda: run(shifan("check", str(SAMPLE), "--format", "json"), env),
                    floor,
                    args.runs,
                ),
                "<= 1.6x",
            ),
            (
                paired(
                    "shifan criteria list vs import floor",
                    lambda: run(shifan("criteria", "list"), env),
                    floor,
                    args.runs,
                ),
                "",
            ),
            (
                paired(
                    "report self, 8-page PDF vs the same report as HTML",
                    lambda: run(shifan("report", "self", str(SAMPLE), "-o", str(out / "r.pdf")), env),
                    lambda: run(shifan("report", "self", str(SAMPLE), "-o", str(out / "r.html")), env),
                    args.pdf_runs,
                ),
                "<= 2.0x",
            ),
        ]
        for pair, target in rows:
            print(pair.line(target))
        print("lower bounds (what the targets above cannot go below with pydantic and WeasyPrint):")
        print(
            paired("floor + one pydantic model vs import floor", lambda: run(ONE_MODEL, env), floor, args.runs).line()
        )
        print(
            paired(
                "loading the PDF engine alone vs report self as HTML",
                lambda: run(PDF_ENGINE, env),
                lambda: run(shifan("report", "self", str(SAMPLE), "-o", str(out / "r.html")), env),
                args.pdf_runs,
            ).line()
        )
        print(
            paired(
                "engine + 8 plain text pages vs report self as HTML",
                lambda: run(PLAIN_PAGES, env),
                lambda: run(shifan("report", "self", str(SAMPLE), "-o", str(out / "r.html")), env),
                args.pdf_runs,
            ).line()
        )
        pdf = out / "r.pdf"
        print(f"PDF {pdf.stat().st_size / 1024:.1f} KB; {load()}")
        if args.against is not None:
            other = shifan_env(args.against)
            commands = {
                "-h": ["-h"],
                "check --format json": ["check", str(SAMPLE), "--format", "json"],
                "criteria list": ["criteria", "list"],
                "report self (HTML)": ["report", "self", str(SAMPLE), "-o", str(out / "r.html")],
                "report self (PDF)": ["report", "self", str(SAMPLE), "-o", str(out / "r.pdf")],
            }
            for label, command in commands.items():
                pair = paired(
                    f"{label}: this vs {args.against}",
                    lambda c=command: run(shifan(*c), env),
                    lambda c=command: run(shifan(*c), other),
                    args.pdf_runs if "PDF" in label else args.runs,
                )
                print(pair.line())


if __name__ == "__main__":
    main()
