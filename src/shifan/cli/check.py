"""``shifan check``: validate and score one application."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from shifan.cli.params import as_of_option, criteria_option, echo_json, format_option, terminal_style
from shifan.errors import ExitCode
from shifan.evaluate.pipeline import check_application
from shifan.present.json_output import envelope, result_json
from shifan.present.rollup_text import render_rollup
from shifan.present.text import render_result


@click.command("check")
@click.argument("application", type=click.Path(path_type=Path))
@criteria_option
@as_of_option
@format_option
@click.option(
    "--compare",
    "compare",
    default=None,
    metavar="RUBRIC",
    help="再按另一评分标准评分，列出逐项状态、分值和结论的变化（退出码仍按主评分标准）。",
)
@click.pass_context
def check(
    ctx: click.Context, application: Path, criteria: str | None, as_of: dt.date | None, fmt: str, compare: str | None
) -> None:
    """核验并评分一个申报文件（示范机构或示范县）。

    退出码：0 具备申报资格；1 不具备或暂不能确认；2 文件有误或用法错误。
    """
    if compare is not None:
        from shifan.evaluate.compare import compare_application
        from shifan.present.compare_text import render_comparison

        comparison = compare_application(application, criteria=criteria, compare=compare, as_of=as_of)
        if fmt == "json":
            data = comparison.model_dump(mode="json")
            data["changes"] = [item.model_dump(mode="json") for item in comparison.changed_items]
            echo_json(envelope(data))
        else:
            click.echo(render_comparison(comparison), nl=False)
        ctx.exit(ExitCode.OK if comparison.primary.eligible else ExitCode.NOT_ELIGIBLE)
    checked = check_application(application, criteria=criteria, as_of=as_of)
    result = checked.result
    if fmt == "json":
        click.echo(result_json(checked), nl=False)
    else:
        style = terminal_style() if sys.stdout.isatty() else None
        if checked.loaded.notes:
            click.echo("读取提示：\n" + "".join(f"  · {note}\n" for note in checked.loaded.notes))
        click.echo(render_result(result, style) if style else render_result(result), nl=False)
        if checked.rollup is not None:
            click.echo(render_rollup(checked.rollup), nl=False)
    ctx.exit(ExitCode.OK if result.eligible else ExitCode.NOT_ELIGIBLE)


COMMANDS = [check]
