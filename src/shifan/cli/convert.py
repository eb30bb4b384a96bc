"""``shifan convert``: an application from YAML to an Excel workbook and back."""

from __future__ import annotations

from pathlib import Path

import click

from shifan.errors import InputError, UsageError
from shifan.evaluate.pipeline import rubric_for
from shifan.load.application import load_application, with_evidence_types
from shifan.present.application_file import output_format, write_application


@click.command("convert")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def convert(source: Path, target: Path, force: bool) -> None:
    """在 YAML 与 Excel 工作簿（.xlsx）之间转换申报文件。

    \b
    示例：
      shifan convert 申报.yaml 申报.xlsx
      shifan convert 申报.xlsx 申报.yaml
    源文件先完整核验，有错误时不写任何文件；佐证材料路径按新文件所在目录改写。
    """
    output_format(target)
    if target.exists() and not force:
        raise UsageError(f"文件已存在：{target}（如需覆盖请加 --force）")
    loaded = load_application(source)
    # Attachment types written as the rubric's Chinese names are stored as its codes.
    loaded, problems = with_evidence_types(loaded, rubric_for(loaded, None).evidence_types)
    if problems:
        raise InputError(problems, what="申报文件")
    write_application(loaded.app, loaded.folder, target, note=f"由 shifan convert 从 {source.name} 转换生成")
    click.echo(f"已转换：{source} → {target}")


COMMANDS = [convert]
