"""``shifan evidence``: the 材料清单 of one application."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shifan.cli.params import as_of_option, criteria_option, echo_json
from shifan.evaluate.pipeline import check_application
from shifan.present.evidence import evidence_list, render_evidence


@click.command("evidence")
@click.argument("application", type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。"
)
def evidence(application: Path, criteria: str | None, as_of: dt.date | None, fmt: str) -> None:
    """材料清单：每项指标需要哪些佐证材料、已附哪些文件、还缺哪些，以及未对应任何指标的附件。"""
    checked = check_application(application, criteria=criteria, as_of=as_of)
    if fmt == "json":
        echo_json({"schema_version": 1, **evidence_list(checked)})
    else:
        click.echo(render_evidence(checked), nl=False)


COMMANDS = [evidence]
