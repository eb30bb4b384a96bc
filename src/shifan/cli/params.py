"""Option types and helpers shared by the subcommands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from shifan.read.text import EARLIEST, LATEST

if TYPE_CHECKING:
    from shifan.present.text import Style


class DateType(click.ParamType[dt.date]):
    """A calendar date written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"日期格式应为 YYYY-MM-DD，实际为 “{value}”", param, ctx)
        if not EARLIEST <= day <= LATEST:
            self.fail(f"日期应在 {EARLIEST.isoformat()} 至 {LATEST.isoformat()} 之间，实际为 “{value}”", param, ctx)
        return day


DATE = DateType()

as_of_option = click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="评价基准日，所有“近N年”“满N年”以此计算；缺省为申报文件的 assessment_date。",
)
criteria_option = click.option(
    "--criteria",
    "-c",
    "criteria",
    default=None,
    metavar="RUBRIC",
    help="评分标准编号（如 anhui/institution）或 YAML 文件路径；缺省为申报文件指定的或全国标准。",
)

reviews_option = click.option(
    "--reviews",
    "reviews_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="评审意见表所在目录（由组织评审的单位提供）；缺省不读取评审意见表。申报材料目录中的评审意见表不予采用。",
)


def terminal_style() -> Style:
    def style(text: str, colour: str) -> str:
        return click.style(text, fg=colour)

    return style


def echo_json(data: Any) -> None:
    from shifan.present.json_output import dumps  # loaded by the commands that print JSON only

    click.echo(dumps(data))


def _remember_format(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Note the output format on the root context, so an error is reported in that format too."""
    root = ctx.find_root()
    root.ensure_object(dict)
    root.obj["format"] = value
    return value


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    is_eager=True,
    callback=_remember_format,
    help="输出格式（json 时出错也在标准输出给出 JSON 错误文档）。",
)
