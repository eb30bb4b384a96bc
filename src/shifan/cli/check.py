"""``shifan check``: validate and score one application."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from shifan.cli.params import as_of_option, criteria_option, echo_json, terminal_style
from shifan.output.text import render_result
from shifan.rollup import render_rollup
from shifan.service import check_application

JSON_SCHEMA_VERSION = 1


@click.command("check")
@click.argument("application", type=click.Path(path_type=Path, dir_okay=False))
@criteria_option
@as_of_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。"
)
@click.pass_context
def check(ctx: click.Context, application: Path, criteria: str | None, as_of: dt.date | None, fmt: str) -> None:
    """核验并评分一个申报文件（示范机构或示范县）。

    退出码：0 具备申报资格；1 不具备或暂不能确认；2 文件有误或用法错误。
    """
    checked = check_application(application, criteria=criteria, as_of=as_of)
    result = checked.result
    if fmt == "json":
        data = {"schema_version": JSON_SCHEMA_VERSION, **result.model_dump(mode="json")}
        if checked.rollup is not None:
            data["rollup"] = checked.rollup.model_dump(mode="json")
        echo_json(data)
    else:
        style = terminal_style() if sys.stdout.isatty() else None
        click.echo(render_result(result, style) if style else render_result(result), nl=False)
        if checked.rollup is not None:
            click.echo(render_rollup(checked.rollup), nl=False)
    ctx.exit(0 if result.eligible else 1)


COMMANDS = [check]
