"""``shifan init`` (a commented application template) and ``shifan schema`` (JSON Schema)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from pydantic import TypeAdapter

from shifan.errors import UsageError
from shifan.files import atomic_write_text
from shifan.present.application_file import FORMATS, template_text, write_template_workbook
from shifan.read.documents import WORKBOOK_SUFFIXES
from shifan.rules.application import Application
from shifan.rules.rubric_file import RubricFile


@click.command("init")
@click.option(
    "--kind",
    type=click.Choice(["institution", "region"]),
    default="institution",
    show_default=True,
    help="申报类型：institution 示范机构；region 示范县（市、区）。",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="模板格式：yaml 文本；xlsx Excel 工作簿（WPS 亦可）。缺省按 -o 的扩展名，再缺省为 yaml。",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="写入的文件；缺省输出到屏幕。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def init(kind: str, fmt: str | None, output: Path | None, force: bool) -> None:
    """生成带中文填写说明的申报数据模板（YAML 或 Excel 工作簿）。"""
    fmt = fmt or ("xlsx" if output is not None and output.suffix.lower() in WORKBOOK_SUFFIXES else "yaml")
    if output is None:
        if fmt == "xlsx":
            raise UsageError("Excel 模板须写入文件：请加 -o 申报.xlsx")
        click.echo(template_text(kind), nl=False)
        return
    if output.exists() and not force:
        raise UsageError(f"文件已存在：{output}（如需覆盖请加 --force）")
    if fmt == "xlsx":
        write_template_workbook(kind, output)
    else:
        atomic_write_text(output, template_text(kind))
    click.echo(f"已生成申报模板：{output}\n填写后运行：shifan check {output}")


def application_schema() -> dict[str, object]:
    schema = TypeAdapter(Application).json_schema()
    schema["title"] = "shifan 申报数据"
    return schema


def rubric_schema() -> dict[str, object]:
    schema = RubricFile.model_json_schema(by_alias=True)
    schema["title"] = "shifan 评分标准"
    return schema


SCHEMAS = {"application": application_schema, "rubric": rubric_schema}


@click.command("schema")
@click.argument("which", type=click.Choice(sorted(SCHEMAS)))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="写入的文件。")
def schema(which: str, output: Path | None) -> None:
    """输出申报文件或评分标准的 JSON Schema，供编辑器自动补全和校验 YAML。"""
    text = json.dumps(SCHEMAS[which](), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)


COMMANDS = [init, schema]
