"""Build the cached CJK font subsets before the first report is rendered.

Run ``python scripts/build_fonts.py`` (optionally ``--cache-dir DIR``). The first PDF would
build them anyway; doing it here (in setup or CI) keeps that first render fast. Exits 2 with
the install command when no Chinese font is installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", type=Path, default=None, help="where to keep the subsets")
    parser.add_argument("--sequential", action="store_true", help="build in this process only")
    args = parser.parse_args(argv)

    from shifan.errors import ShifanError
    from shifan.present.report import fonts

    start = time.perf_counter()
    try:
        kit = fonts.prepare_fonts(cache_dir=args.cache_dir, parallel=not args.sequential)
    except ShifanError as error:
        print(error.user_message(), file=sys.stderr)
        return error.exit_code
    for font in kit.fonts:
        size = font.path.stat().st_size / 1024 / 1024
        source = f"{font.source.path}#{font.source.index} ({font.source.family})"
        print(f"{font.family} {font.weight}: {font.path} ({size:.1f} MB) from {source}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
