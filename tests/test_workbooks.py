"""The batch summary and the recommendation workbooks work as sheets: filters, wrapped text, print
setup, one sheet per kind of applicant, city names, links to the reports, a per-city overview."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import APPLICATIONS, INSTITUTIONS, REGIONS, invoke


def check_working_sheet(ws: Any) -> None:
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    assert ws.freeze_panes == "A2", ws.title
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9", ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
    assert ws.print_title_rows == "$1:$1", ws.title


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wb")
    source = root / "in"
    (source / "institutions").mkdir(parents=True)
    (source / "regions").mkdir()
    shutil.copy(INSTITUTIONS / "03-fushou-major-incident.yaml", source / "institutions")
    shutil.copytree(INSTITUTIONS / "evidence", source / "institutions" / "evidence")
    shutil.copy(REGIONS / "08-shexian-county.yaml", source / "regions")
    if (REGIONS / "evidence").is_dir():
        shutil.copytree(REGIONS / "evidence", source / "regions" / "evidence")
    out = root / "out"
    invoke(["batch", source, "-o", out, "--jobs", "1", "--docx"], 0)
    return out


def test_summary_workbook(batch_out: Path) -> None:
    book = openpyxl.load_workbook(batch_out / "summary.xlsx")
    assert book.sheetnames == ["汇总", "示范机构", "示范县（市、区）", "地市概况"]
    for ws in book.worksheets:
        check_working_sheet(ws)
    ws = book["汇总"]
    header = [c.value for c in ws[1]]
    gates = header.index("否决项问题") + 1
    assert ws.cell(row=2, column=gates).alignment.wrap_text
    assert all(c.font.b for c in ws[1]) and not any(c.font.b for c in ws[2])
    rubric = header.index("评分标准") + 1
    assert ws.cell(row=2, column=rubric).value == "全国医养结合示范机构评分标准"
    # A row taller than a line is aligned to the top throughout; in a one-line row the wrapped
    # columns still wrap (a spreadsheet program may show the text narrower than estimated).
    wrapping = [i for i, c in enumerate(ws[2]) if c.alignment.wrap_text]
    assert wrapping
    tall = 0
    for row in ws.iter_rows(min_row=2):
        if ws.row_dimensions[row[0].row].height is not None:
            tall += 1
            assert {c.alignment.vertical for c in row} == {"top"}
        assert all(row[i].alignment.wrap_text and row[i].alignment.vertical == "top" for i in wrapping)
    assert tall
    for column, suffix in (("自评报告PDF", ".pdf"), ("自评报告Word", ".docx")):
        number = header.index(column) + 1
        links = [ws.cell(row=r, column=number) for r in range(2, ws.max_row + 1)]
        assert links and all(c.hyperlink is not None and c.hyperlink.target == f"applicants/{c.value}" for c in links)
        assert all(c.value.endswith(suffix) and (batch_out / c.hyperlink.target).is_file() for c in links)
        assert all(c.style == "Hyperlink" and not c.alignment.wrap_text for c in links)
    overview = [[c.value for c in row] for row in book["地市概况"].iter_rows()]
    assert overview[0][:3] == ["地市", "地市代码", "申报数"]
    assert overview[1][0] == "黄山市" and overview[-1][0] == "合计" and overview[-1][2] == 2


def test_recommendation_workbook(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    invoke(
        [
            "recommend",
            APPLICATIONS,
            "--reviews",
            APPLICATIONS / "reviews",
            "--quota",
            "2",
            "--quota-by",
            "region",
            "-o",
            out,
            "--no-pdf",
        ],
        0,
    )
    book = openpyxl.load_workbook(out / "recommendation.xlsx")
    assert book.sheetnames == [  # one list per rubric
        "全国医养结合示范机构",
        "安徽省优质医养结合示范中心",
        "安徽省优质医养结合示范机构",
        "医养结合示范机构（上海市长宁区）",
        "全国医养结合示范县（市、区）",
        "医养结合示范县（市、区）（安徽省）",
        "未列入名单",
        "地市概况",
        "排序前检查",
    ]
    for ws in book.worksheets:
        check_working_sheet(ws)
    ws = book["全国医养结合示范机构"]
    header = [c.value for c in ws[1]]
    cities = {ws.cell(row=r, column=header.index("地市") + 1).value for r in range(2, ws.max_row + 1)}
    assert "黄山市" in cities and not any(str(c).isdigit() for c in cities)
    rubrics = {ws.cell(row=r, column=header.index("评分标准") + 1).value for r in range(2, ws.max_row + 1)}
    assert "全国医养结合示范机构评分标准" in rubrics
    overview = [[c.value for c in row] for row in book["地市概况"].iter_rows()]
    assert overview[0][-1] == "拟推荐" and overview[-1][0] == "合计"
    listed = sum(ws.max_row - 1 for ws in book.worksheets[:2])
    assert overview[-1][-1] == listed


def test_one_kind_of_applicant_has_no_repeated_sheet(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(INSTITUTIONS / "01-kangning-eligible.yaml", source)
    shutil.copytree(INSTITUTIONS / "evidence", source / "evidence")
    invoke(["batch", source, "-o", tmp_path / "out", "--jobs", "1", "--no-pdf"], 0)
    book = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    assert book.sheetnames == ["汇总", "地市概况"]
    ws = book["汇总"]
    assert ws.max_row == 2 and ws.row_dimensions[2].height is None
    assert all(c.value is None or c.data_type in ("s", "n") for c in ws[2])
