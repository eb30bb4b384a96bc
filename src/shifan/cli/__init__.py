"""The ``shifan`` command line: parses options, calls one core function, maps errors to exit codes.

Exit codes are the members of :class:`shifan.errors.ExitCode`; an internal defect is reported
without a traceback unless ``--debug`` is given.

Subcommands live in the modules of this package. They are imported only when named on the command
line (``COMMANDS`` maps each name to its module and its one-line help), so ``shifan -h`` and a
plain ``check`` do not pay for PDF, spreadsheet, batch or review machinery they never use.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from typing import Any

import click

from shifan import __version__
from shifan.cli import translation
from shifan.collector import tune_collector
from shifan.errors import ExitCode, ShifanError, error_document

CATALOGUE = translation.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name -> (module under shifan.cli, attribute, the one-line help shown by ``shifan -h``).
# A test checks each line against the command's own help, so the two cannot drift.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "batch": ("batch", "batch", "批量评价目录下的全部申报文件（评审意见表由 --reviews 目录提供）。"),
    "check": ("check", "check", "核验并评分一个申报文件（示范机构或示范县）。"),
    "convert": ("convert", "convert", "在 YAML 与 Excel 工作簿（.xlsx）之间转换申报文件。"),
    "criteria": ("criteria", "criteria", "查看和校验评分标准（rubric）。"),
    "evidence": (
        "evidence",
        "evidence",
        "材料清单：每项指标需要哪些佐证材料、已附哪些文件、还缺哪些，以及未对应任何指标的附件。",
    ),
    "init": ("setup", "init", "生成带中文填写说明的申报数据模板（YAML 或 Excel 工作簿）。"),
    "recommend": (
        "recommend",
        "recommend",
        "生成拟推荐名单：仅具备申报资格者按得分排序，按名额和最低分取舍，其余列入附件并写明原因。",
    ),
    "report": ("report", "report", "生成 PDF、Word（.docx）或 HTML 预览报告。"),
    "review": ("review", "review", "专家评审：生成评审意见表、申报文件修改后刷新、多名专家评分合议。"),
    "serve": (
        "serve",
        "serve",
        "启动申报评审工作台（网页版）：申报单位填报、专家评审、省级工作人员生成拟推荐名单。",
    ),
    "schema": ("setup", "schema", "输出申报文件或评分标准的 JSON Schema，供编辑器自动补全和校验 YAML。"),
}


class ShifanGroup(click.Group):
    """A group that loads each command on first use and turns shifan's errors into exit codes.

    Commands are listed in :data:`COMMANDS`; one is imported only when it runs or its own help is
    shown, and the group's help is drawn from the table without importing any of them.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            # click suggests only among the commands loaded so far; suggest among all of them.
            raise click.exceptions.NoSuchCommand(
                error.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section(CATALOGUE.gettext("Commands")):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShifanError as error:
            click.echo(error.user_message(), err=True)
            if (ctx.obj or {}).get("format") == "json":
                click.echo(json.dumps(error_document(error), ensure_ascii=False, indent=2))
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except OSError as error:
            # Inputs are read through loaders that raise InputError, so a file-system error that gets
            # this far is about the environment: an output folder in the way, no permission, disk full.
            if _debug(ctx):
                raise
            where = f"{error.filename}：" if error.filename else ""
            click.echo(f"无法读写文件：{where}{error.strerror or error}", err=True)
            ctx.exit(ExitCode.ENVIRONMENT)
        except Exception as error:
            if _debug(ctx):
                raise
            click.echo(f"内部错误：{type(error).__name__}: {error}\n请加 --debug 重新运行并报告此问题。", err=True)
            ctx.exit(ExitCode.INTERNAL)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug") or (ctx.obj or {}).get("debug"))


@click.group(cls=ShifanGroup, context_settings=CONTEXT)
@click.version_option(
    __version__, "-V", "--version", prog_name="shifan", message="%(prog)s %(version)s", help="显示版本号并退出。"
)
@click.option("--debug", is_flag=True, help="出错时显示调试信息。")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """shifan：医养结合示范创建申报数据核验、评分与报告生成。

    \b
    常用命令：
      shifan init -o 申报.yaml            生成带中文说明的申报数据模板
      shifan check 申报.yaml              核验并评分，列出不符合和证据不足的指标
      shifan criteria list                查看可用的评分标准
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    tune_collector()
    sys.exit(cli.main(prog_name="shifan"))
