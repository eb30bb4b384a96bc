"""The ``shifan`` command line: parses options, calls one core function, maps errors to exit codes.

Exit codes are the members of :class:`shifan.errors.ExitCode`; an internal defect is reported
without a traceback unless ``--debug`` is given.

Subcommands live in the modules of this package; each module lists its commands in ``COMMANDS``.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import sys
from typing import Any

import click

from shifan import __version__
from shifan.cli import translation
from shifan.errors import ExitCode, ShifanError, error_document

translation.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ShifanGroup(click.Group):
    """A group that turns shifan's own errors into messages and exit codes, in one place."""

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


def _register() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        for command in getattr(loaded, "COMMANDS", []):
            cli.add_command(command)


_register()


def main() -> None:
    sys.exit(cli.main(prog_name="shifan"))
