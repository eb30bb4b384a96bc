"""Writing an application back out, as YAML or as a workbook: ``shifan convert`` and ``shifan init``.

Attachment and roster paths are relative to the application file; when the converted file lands
in another folder they are rewritten so they still name the same files.
"""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from shifan.errors import ShifanError, UsageError
from shifan.files import atomic_write_text, templates_dir
from shifan.load.rubric import load_rubric
from shifan.load.workbook import LAYOUT_BY_KIND
from shifan.present.workbook import plain, write_workbook
from shifan.read.documents import WORKBOOK_SUFFIXES
from shifan.read.xlsxlayout import Sheet, TableSheet, WorkbookLayout
from shifan.rules.application import InstitutionApplication, RegionApplication

YAML_SUFFIXES = (".yaml", ".yml")
FORMATS = ("yaml", "xlsx")


def output_format(path: Path) -> str:
    """``yaml`` or ``xlsx`` from a file name; anything else is a usage error."""
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in WORKBOOK_SUFFIXES:
        return "xlsx"
    raise UsageError(f"无法从文件名判断格式：{path}（请用 .yaml 或 .xlsx 结尾）")


def _rebase(path: str, source: Path, target: Path) -> str:
    if source.resolve() == target.resolve():
        return path
    moved = os.path.relpath(source / path, target)
    return Path(moved).as_posix()


def application_data(app: InstitutionApplication | RegionApplication, source: Path, target: Path) -> dict[str, Any]:
    """The application as plain data (codes, dates), paths relative to the folder ``target``."""
    data: dict[str, Any] = plain(app.model_dump(mode="python", exclude_defaults=True, by_alias=True))
    data = {"kind": app.kind, **data}
    for attachment in data.get("attachments", []):
        attachment["path"] = _rebase(attachment["path"], source, target)
    for entry in data.get("roster", []):
        entry["file"] = _rebase(entry["file"], source, target)
    return data


def yaml_text(data: dict[str, Any], *, header: str = "") -> str:
    """Block-style YAML with Chinese kept as written."""
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    lead = "".join(f"# {line}\n" for line in header.splitlines())
    return lead + buffer.getvalue()


def with_evidence_choices(layout: WorkbookLayout, rubric_ref: str) -> WorkbookLayout:
    """``layout`` with a drop-down of the rubric's evidence types (Chinese names) on 佐证材料."""
    try:
        types = load_rubric(rubric_ref).evidence_types
    except ShifanError:  # a local rubric not found here: the column stays free text
        return layout
    sheets: list[Sheet] = []
    for sheet in layout.sheets:
        if isinstance(sheet, TableSheet) and sheet.target == ("attachments",):
            columns = tuple(
                dataclasses.replace(
                    c,
                    kind="choice",
                    choices=tuple(types.values()),
                    codes=tuple(types),
                    help=c.help + "；从下拉列表选择",
                )
                if c.key == ("type",)
                else c
                for c in sheet.columns
            )
            sheet = dataclasses.replace(sheet, columns=columns)
        sheets.append(sheet)
    return dataclasses.replace(layout, sheets=tuple(sheets))


def write_application(
    app: InstitutionApplication | RegionApplication, source_folder: Path, path: Path, *, note: str = ""
) -> None:
    """Write ``app`` to ``path`` in the format its suffix names."""
    data = application_data(app, source_folder, path.resolve().parent)
    if output_format(path) == "xlsx":
        layout = with_evidence_choices(LAYOUT_BY_KIND[app.kind], app.rubric or f"national/{app.kind}")
        write_workbook(path, layout, data)
    else:
        atomic_write_text(path, yaml_text(data, header=note))


def template_text(kind: str) -> str:
    """The commented YAML template of ``kind``."""
    return (templates_dir() / "init" / f"{kind}.yaml").read_text(encoding="utf-8")


def write_template_workbook(kind: str, path: Path) -> None:
    """The workbook template: the YAML template's sample values laid out as sheets."""
    data = YAML(typ="safe").load(template_text(kind))
    write_workbook(path, with_evidence_choices(LAYOUT_BY_KIND[kind], f"national/{kind}"), data)
