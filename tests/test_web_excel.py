"""Applications uploaded as Excel workbooks: the shipped sample is read into the form and checked,
and a broken workbook's problems are shown located as 文件.xlsx!工作表!单元格, beside their fields."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.web.helpers import PASSWORD, login, small_world

from shifan.files import data_dir

WORKBOOK = data_dir("applications") / "excel" / "01-lekang-excel-sample.xlsx"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    return small_world(tmp_path / "ws")


def _upload(client: Any, name: str, raw: bytes) -> Any:
    return client.post(
        "/applications/1/upload",
        data={"csrf": client.headers["x-test-csrf"], "version": "1"},
        files={"file": (name, raw, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    )


def _edited(change: Any) -> bytes:
    book = openpyxl.load_workbook(WORKBOOK)
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _without_evidence(book: Any) -> None:
    sheet = book["佐证材料"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.value = None


def test_the_shipped_workbook_fills_the_form_and_is_checked(world: Any) -> None:
    client = login(world, "jigou-a", PASSWORD)
    response = _upload(client, "乐康申报.xlsx", _edited(_without_evidence))
    assert response.status_code == 200
    page = response.text
    assert "已上传并重新核验" in page
    assert re.search(r"核验结论：<b>[^<]+</b>", page), page[:3000]
    assert 'name="name" value="示例市乐康护理院（虚构）"' in page  # the form shows the workbook's cells
    assert 'name="staff.0.id" value="D01"' in page
    assert "逐项核验" in page


def test_evidence_the_workbook_names_is_reported_at_its_cell(world: Any) -> None:
    client = login(world, "jigou-a", PASSWORD)
    page = _upload(client, "乐康申报.xlsx", WORKBOOK.read_bytes()).text
    assert "乐康申报.xlsx!佐证材料!B2：佐证材料文件不存在" in page
    assert "attachments.0.path" not in page  # the cell says where, not the key


def test_a_broken_workbook_gives_located_chinese_errors_beside_the_fields(world: Any) -> None:
    def break_it(book: Any) -> None:
        book["人员"]["C3"] = "护工长"  # not a role
        book["人员"]["F3"] = "去年"  # not a date
        book["床位与入住老人"]["B3"] = "很多"

    client = login(world, "jigou-a", PASSWORD)
    response = _upload(client, "乐康申报（有误）.xlsx", _edited(break_it))
    assert response.status_code == 200
    page = response.text
    assert "申报数据有错误" in page
    assert "乐康申报（有误）.xlsx!人员!C3：不是允许的取值" in page
    assert "乐康申报（有误）.xlsx!人员!F3：应为日期" in page
    assert "注册护士、" in page and "（nurse）" not in page  # labels, as the form offers them
    assert "上传的工作簿中有" in page and 'href="#i-staff.1.role"' in page  # listed at the top too
    role = page[page.index('name="staff.1.role"') :]
    beside = role[: role.index("</div>")]  # the field's own box
    assert "乐康申报（有误）.xlsx!人员!C3：不是允许的取值" in beside
    assert "<script>" not in page  # the only script is the static file


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(world: Any) -> None:
    client = login(world, "jigou-a", PASSWORD)
    page = _upload(client, "申报.xlsx", b"not a zip archive").text
    assert "申报数据有错误" in page and "文件已损坏，不是有效的 Excel 工作簿" in page
