"""Spreadsheet cells: formula injection neutralised in CSV and XLSX, BOM, illegal characters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from shifan.present.cells import csv_cell, xlsx_cell
from shifan.present.spreadsheet import Sheet, write_csv, write_xlsx

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_gets_an_apostrophe_in_csv(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["正常文字", "1+1", "a=b", "", "示例-1"])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert csv_cell(text) == text


def test_numbers_dates_booleans_and_none() -> None:
    assert csv_cell(-5) == "-5"  # a number is not text: no apostrophe
    assert csv_cell(98.5) == "98.5" and csv_cell(100.0) == "100"
    assert csv_cell(dt.date(2025, 12, 31)) == "2025-12-31"
    assert csv_cell(True) == "是" and csv_cell(None) == ""
    assert xlsx_cell(-5) == (-5, False)
    assert xlsx_cell("=1+1") == ("=1+1", True)
    assert xlsx_cell("a\x00b\x07c") == ("abc", True)


def test_files_written_with_bom_and_string_cells(tmp_path: Path) -> None:
    sheet = Sheet("表", ["名称", "分数"], [[text, 1] for text in DANGEROUS])
    write_csv(tmp_path / "t.csv", sheet)
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n=" not in raw and b",=" not in raw
    write_xlsx(tmp_path / "t.xlsx", [sheet])
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert ws is not None
    for row, text in zip(ws.iter_rows(min_row=2), DANGEROUS, strict=True):
        # A bare CR survives (lxml, which python-docx brings) or reads as LF (the standard library's
        # parser); either way the cell is still text, never a formula
        assert row[0].value in (text, text.replace("\r", "\n")) and row[0].data_type == "s"
        assert row[1].value == 1 and row[1].data_type == "n"


@pytest.mark.parametrize("text", ["#N/A", "#REF!", "=A1"])
def test_error_codes_and_formulas_stay_text_in_one_line_rows(tmp_path: Path, text: str) -> None:
    write_xlsx(tmp_path / "t.xlsx", [Sheet("表", ["名称", "分数"], [[text, 1]])])
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert ws is not None
    assert ws["A2"].value == text and ws["A2"].data_type == "s"
