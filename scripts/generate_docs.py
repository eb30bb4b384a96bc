"""Regenerate the generated parts of the user documentation.

    python scripts/generate_docs.py

writes docs/json-output.md (its field tables, from the result models) and docs/cli.md (from the
command tree). docs/rubric-reference.md is written by ``shifan criteria reference``. Tests fail
when any of them is stale.
"""

from __future__ import annotations

from pathlib import Path

from shifan.cli import cli
from shifan.present.generated_docs import render_cli_reference, render_json_output

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    json_output = DOCS / "json-output.md"
    json_output.write_text(render_json_output(json_output.read_text(encoding="utf-8")), encoding="utf-8")
    (DOCS / "cli.md").write_text(render_cli_reference(cli), encoding="utf-8")
    print(f"已写入 {json_output} 和 {DOCS / 'cli.md'}")


if __name__ == "__main__":
    main()
