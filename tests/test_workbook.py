"""The Excel workbook as an application format: template, reading, converting, hostile files.

Workbooks are built the way a user builds them: the generated template opened with openpyxl and
values typed into its cells (text-typed numbers and dates included); results are compared with
the YAML twin, and problems are located as 文件.xlsx!工作表!单元格.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import APPLICATIONS, INSTITUTIONS, invoke
from shifan.errors import InputError
from shifan.evaluate.pipeline import check_application, rubric_for
from shifan.load.application import LoadedApplication, load_application, with_evidence_types
from shifan.present.application_file import write_application

SAMPLES = sorted(p for p in APPLICATIONS.rglob("*.yaml") if "reviews" not in p.parts and "evidence" not in p.parts)
UNORDERED = ("services", "systems", "facilities", "commitments", "measures")


def comparable(app: Any) -> dict[str, Any]:
    """An application as data, with the checklists (sets of options) in a fixed order and the
    attachment types as codes (a workbook shows them by their Chinese names)."""
    loaded = LoadedApplication(app, None, "")  # type: ignore[arg-type]
    app = with_evidence_types(loaded, rubric_for(loaded, None).evidence_types)[0].app
    data: dict[str, Any] = app.model_dump(mode="json")
    for key in UNORDERED:
        if key in data:
            data[key] = sorted(data[key])
    return data


def evaluation(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = check_application(path).result.model_dump(mode="json")
    data.pop("application_sha256")
    return data


@pytest.mark.parametrize(
    "sample",
    # the sweep over every sample is slow; the first sample stays in the everyday run
    [s if n == 0 else pytest.param(s, marks=pytest.mark.slow) for n, s in enumerate(SAMPLES)],
    ids=lambda p: p.stem,
)
def test_round_trip_of_every_sample(sample: Path, tmp_path: Path) -> None:
    """YAML → XLSX → YAML gives an equal application, and all three evaluate identically."""
    shutil.copytree(APPLICATIONS, tmp_path / "applications")
    source = tmp_path / "applications" / sample.relative_to(APPLICATIONS)
    folder = source.parent
    workbook = folder / (sample.stem + ".xlsx")
    back = folder / (sample.stem + ".back.yaml")
    invoke(["convert", source, workbook], 0)
    invoke(["convert", workbook, back], 0)
    original = load_application(source).app
    assert comparable(load_application(workbook).app) == comparable(original)
    assert comparable(load_application(back).app) == comparable(original)
    assert evaluation(workbook) == evaluation(source) == evaluation(back)


def test_convert_rewrites_attachment_paths(tmp_path: Path) -> None:
    shutil.copytree(INSTITUTIONS, tmp_path / "机构")
    target = tmp_path / "申报.xlsx"  # one folder up: paths gain the folder's name
    invoke(["convert", tmp_path / "机构" / "01-kangning-eligible.yaml", target], 0)
    loaded = load_application(target)
    assert loaded.app.attachments
    for attachment in loaded.app.attachments:
        assert (target.parent / attachment.path).is_file()


def test_convert_refuses_overwrite_and_unknown_suffix(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"")
    invoke(["convert", INSTITUTIONS / "01-kangning-eligible.yaml", target], 2)
    invoke(["convert", INSTITUTIONS / "01-kangning-eligible.yaml", tmp_path / "a.txt"], 2)


@pytest.mark.parametrize("kind", ["institution", "region"])
@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_fresh_template_reads_without_input_errors(kind: str, suffix: str, tmp_path: Path) -> None:
    """An untouched template is evaluated (unknown data is missing evidence) and its sample values
    are named as such."""
    target = tmp_path / f"申报{suffix}"
    invoke(["init", "--kind", kind, "-o", target], 0)
    result = invoke(["check", target], 1 if kind == "institution" else 0)
    assert "仍是模板示例" in result.stdout


def test_template_workbook_layout(tmp_path: Path) -> None:
    target = tmp_path / "申报.xlsx"
    invoke(["init", "--format", "xlsx", "-o", target], 0)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "填写说明"
    for name in (
        "基本信息",
        "资质",
        "逐月入住",
        "人员",
        "证书",
        "事件",
        "演练培训检查",
        "合作协议",
        "服务与制度",
        "佐证材料",
    ):
        assert name in book.sheetnames
    assert book["选项"].sheet_state == "hidden"
    assert book.defined_names  # drop-down options behind named ranges
    staff = book["人员"]
    assert staff.freeze_panes == "A2"
    assert [c.value for c in staff[1]][:3] == ["工号", "姓名", "岗位"]
    lists = [dv for dv in staff.data_validations.dataValidation if dv.type == "list"]
    assert lists and all(dv.formula1.startswith("=选项") for dv in lists)
    assert any(dv.prompt for dv in staff.data_validations.dataValidation)


def _twin(tmp_path: Path) -> tuple[Path, Path]:
    """A small application typed into the template by hand, and the same data as YAML."""
    book_path = tmp_path / "手填.xlsx"
    invoke(["init", "--format", "xlsx", "-o", book_path], 0)
    book = openpyxl.load_workbook(book_path)
    form = book["基本信息"]
    values = {row[0].value: row[1] for row in form.iter_rows(min_row=2)}
    values["单位名称" if "单位名称" in values else "申报单位名称"].value = "福寿康宁养老院"
    values["统一社会信用代码"].value = "91340100MA2N0X6Q15"
    values["评价基准日期"].value = "2025/12/31"  # a date typed as text
    values["机构类别"].value = "护理院"
    values["成立日期"].value = dt.datetime(2018, 3, 1)  # an Excel date cell
    beds = {row[0].value: row[1] for row in book["床位与入住老人"].iter_rows(min_row=2)}
    beds["核定床位数"].value = "120"  # a number typed as text
    beds["实际运营床位数"].value = 100
    staff = book["人员"]
    staff["A3"], staff["B3"], staff["C3"], staff["D3"], staff["E3"], staff["F3"] = (
        "002",
        "王护士",
        "注册护士",
        "否",
        "是",
        "2020年5月1日",
    )
    certs = book["证书"]
    certs["A3"], certs["B3"], certs["C3"], certs["D3"] = "002", "护士执业证书", "N123", dt.datetime(2019, 7, 1)
    months = book["逐月入住"]
    months["A3"], months["B3"] = "2025-02", "82"
    book.save(book_path)
    loaded = load_application(book_path)
    yaml_path = tmp_path / "手填.yaml"
    write_application(loaded.app, tmp_path, yaml_path)
    return book_path, yaml_path


def test_hand_filled_workbook_equals_its_yaml_twin(tmp_path: Path) -> None:
    book_path, yaml_path = _twin(tmp_path)
    app = load_application(book_path).app
    assert app.name == "福寿康宁养老院"
    assert app.assessment_date == dt.date(2025, 12, 31)
    assert app.beds.approved == 120
    nurse = app.staff[1]
    assert (nurse.id, nurse.role.value, nurse.trained, nurse.hired) == ("002", "nurse", True, dt.date(2020, 5, 1))
    assert nurse.certificates[0].issued == dt.date(2019, 7, 1)
    assert app.occupancy[1].occupied == 82
    assert comparable(load_application(yaml_path).app) == comparable(app)
    assert evaluation(book_path) == evaluation(yaml_path)


def _without_dimensions(source: Path, target: Path) -> None:
    """The workbook as WPS sometimes saves it: no <dimension> in any sheet."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            new.writestr(item, data)


def test_workbook_without_dimensions(tmp_path: Path) -> None:
    book_path, _ = _twin(tmp_path)
    bare = tmp_path / "wps.xlsx"
    _without_dimensions(book_path, bare)
    assert b"<dimension" not in zipfile.ZipFile(bare).read("xl/worksheets/sheet5.xml")
    assert comparable(load_application(bare).app) == comparable(load_application(book_path).app)


def test_merged_cells_and_trailing_blank_rows(tmp_path: Path) -> None:
    book_path, _ = _twin(tmp_path)
    book = openpyxl.load_workbook(book_path)
    staff = book["人员"]
    staff["A4"], staff["B4"], staff["C4"] = "003", "赵护理", "养老护理员"
    staff["A5"], staff["B5"] = "004", "钱护理"
    staff.merge_cells("C4:C5")  # one role merged over two rows
    staff["A40"] = "   "  # a blank far below
    book.save(book_path)
    app = load_application(book_path).app
    assert [m.role.value for m in app.staff[2:]] == ["caregiver", "caregiver"]
    assert len(app.staff) == 4


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_application(path)
    return [p.format() for p in caught.value.problems]


def test_every_problem_located_as_sheet_and_cell(tmp_path: Path) -> None:
    book_path, _ = _twin(tmp_path)
    book = openpyxl.load_workbook(book_path)
    staff = book["人员"]
    staff["C3"] = "护工长"  # not a role
    staff["F3"] = "去年"  # not a date
    book["逐月入住"]["B3"] = "85%"
    book["证书"]["A4"], book["证书"]["B4"], book["证书"]["C4"] = "999", "健康证明（食品从业）", "H1"
    book.save(book_path)
    text = "\n".join(_problems(book_path))
    assert "手填.xlsx!人员!C3: staff.1.role: 不是允许的取值" in text
    assert "注册护士（nurse）" in text  # the allowed labels, codes in brackets
    assert "手填.xlsx!人员!F3: staff.1.hired: 应为日期" in text
    assert "手填.xlsx!逐月入住!B3: occupancy.1.occupied: 此项填写的是当月日均在住床位数，不是百分比" in text
    assert "手填.xlsx!证书!A4" in text and "找不到这个工号" in text


def test_percent_formatted_cell_is_not_a_count(tmp_path: Path) -> None:
    book_path, _ = _twin(tmp_path)
    book = openpyxl.load_workbook(book_path)
    cell = book["逐月入住"]["B3"]
    cell.value, cell.number_format = 0.85, "0%"
    book.save(book_path)
    assert any("逐月入住!B3" in p and "不是百分比" in p for p in _problems(book_path))


def test_formula_refused(tmp_path: Path) -> None:
    book_path, _ = _twin(tmp_path)
    book = openpyxl.load_workbook(book_path)
    book["床位与入住老人"]["B3"] = "=B2-20"
    book.save(book_path)
    assert any("床位与入住老人!B3" in p and "公式" in p for p in _problems(book_path))


def test_external_link_refused(tmp_path: Path) -> None:
    book_path, _ = _twin(tmp_path)
    linked = tmp_path / "linked.xlsx"
    with zipfile.ZipFile(book_path) as old, zipfile.ZipFile(linked, "w") as new:
        for item in old.infolist():
            new.writestr(item, old.read(item.filename))
        new.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    assert any("外部链接" in p for p in _problems(linked))


def test_zip_bomb_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    assert any("解压后过大" in p for p in _problems(bomb))


def test_huge_sheet_refused(tmp_path: Path) -> None:
    book_path, _ = _twin(tmp_path)
    book = openpyxl.load_workbook(book_path)
    book["事件"]["D30000"] = "远处的一个值"
    book.save(book_path)
    assert any("工作表过大" in p for p in _problems(book_path))


@pytest.mark.parametrize(
    ("content", "name", "said"),
    [
        (b"%PDF-1.7\n...", "申报.yaml", "PDF 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "申报.xls", "旧版 Office 文件"),
        (b"\x89PNG\r\n\x1a\n", "申报.yaml", "图片"),
    ],
)
def test_foreign_files_named(content: bytes, name: str, said: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    text = "\n".join(_problems(path))
    assert said in text and ".yaml 或 .xlsx" in text


def test_word_document_named(tmp_path: Path) -> None:
    path = tmp_path / "申报.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    path.write_bytes(buffer.getvalue())
    assert any("Word 文档" in p for p in _problems(path))


def test_not_a_shifan_workbook(tmp_path: Path) -> None:
    path = tmp_path / "别的.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "随便什么"  # type: ignore[index]
    book.save(path)
    assert any("不是 shifan 生成的工作簿" in p for p in _problems(path))


def test_every_command_accepts_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "institutions"
    shutil.copytree(INSTITUTIONS, folder)
    workbook = folder / "01.xlsx"
    invoke(["convert", folder / "01-kangning-eligible.yaml", workbook], 0)
    checked = json.loads(invoke(["check", workbook, "--format", "json"], 0).stdout)
    assert checked["eligible"] is True
    invoke(["review", "init", workbook, "--reviewer", "张专家", "-o", tmp_path / "评审.yaml"], 0)
    invoke(["report", "self", workbook, "--format", "html", "-o", tmp_path / "自评.html"], 0)


def _fill_review(path: Path) -> None:
    """A reviewer's entries, typed as a doctor or official would."""
    book = openpyxl.load_workbook(path)
    items = book["逐项评审"]
    head = {cell.value: i for i, cell in enumerate(items[1])}
    rows = {row[0].value: row for row in items.iter_rows(min_row=2) if row[0].value}
    rows["B1"][head["评分"]].value = "8分"
    rows["B1"][head["现场核查"]].value = "已核实"
    rows["A1"][head["改判"]].value = "不符合"
    rows["A1"][head["理由"]].value = "许可证已注销"
    for row in book["评审信息"].iter_rows(min_row=2):
        if row[0].value == "综合结论":
            row[1].value = "同意推荐"
        if row[0].value == "签字日期":
            row[1].value = "2026/1/10"
    book.save(path)


def test_review_workbook(tmp_path: Path) -> None:
    """review init writes one row per criterion with drop-downs; a reviewer's natural words are
    read; show, update and report review read the workbook; staleness is detected."""
    shutil.copytree(INSTITUTIONS, tmp_path / "institutions")
    app = tmp_path / "institutions" / "01-kangning-eligible.yaml"
    sheet = tmp_path / "institutions" / "评审-张.xlsx"
    invoke(["review", "init", app, "--reviewer", "张专家", "-o", sheet], 0)
    book = openpyxl.load_workbook(sheet)
    headers = [c.value for c in book["逐项评审"][1]]
    for name in ("系统核验", "分值", "自评", "评分", "现场核查", "改判", "理由", "意见"):
        assert name in headers
    _fill_review(sheet)
    from shifan.review.load import load_review

    review = load_review(sheet).review
    assert review.items["B1"].score == 8
    assert review.items["B1"].verification.value == "confirmed"
    assert review.items["A1"].override is not None and review.items["A1"].override.decision == "fail"
    assert review.final_opinion.conclusion.value == "recommend"
    assert review.reviewer.signed == dt.date(2026, 1, 10)
    shown = invoke(["review", "show", app, sheet], 1).stdout
    assert "改判（已生效）" in shown
    invoke(["review", "update", sheet], 0)
    assert load_review(sheet).review.items["B1"].score == 8  # the reviewer's entries stay
    invoke(["report", "review", app, sheet, "-o", tmp_path / "评审.html"], 0)
    app.write_text(app.read_text(encoding="utf-8").replace("occupied: 150", "occupied: 149", 1), encoding="utf-8")
    assert "过期" in invoke(["review", "show", app, sheet], 1).stdout


def test_review_sheet_problems_located_in_workbook(tmp_path: Path) -> None:
    shutil.copytree(INSTITUTIONS, tmp_path / "institutions")
    app = tmp_path / "institutions" / "01-kangning-eligible.yaml"
    sheet = tmp_path / "institutions" / "评审.xlsx"
    invoke(["review", "init", app, "--reviewer", "张专家", "-o", sheet], 0)
    book = openpyxl.load_workbook(sheet)
    items = book["逐项评审"]
    items["I2"] = "看过了"
    book.save(sheet)
    result = invoke(["review", "show", app, sheet], 2)
    assert "评审.xlsx!逐项评审!I2: items.A1.verification: 不是允许的取值" in result.stderr
    assert "已核实（confirmed）" in result.stderr


def test_evidence_list(tmp_path: Path) -> None:
    """shifan evidence: per criterion what is needed, attached and missing; unused attachments."""
    text = invoke(["evidence", INSTITUTIONS / "05-jiankang-missing-evidence.yaml"], 0).stdout
    assert "✘ 满意度调查报告：缺少" in text
    assert "✔ 养老机构备案回执：evidence/jiankang/养老机构备案回执.txt" in text
    data = json.loads(
        invoke(["evidence", INSTITUTIONS / "05-jiankang-missing-evidence.yaml", "--format", "json"], 0).stdout
    )
    assert "满意度调查报告" in data["missing"]
    html = tmp_path / "自评.html"
    invoke(["report", "self", INSTITUTIONS / "05-jiankang-missing-evidence.yaml", "-o", html], 0)
    assert "材料清单" in html.read_text(encoding="utf-8")
    word = tmp_path / "自评.docx"
    invoke(["report", "self", INSTITUTIONS / "05-jiankang-missing-evidence.yaml", "-o", word], 0)
    with zipfile.ZipFile(word) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "材料清单" in body and "缺少" in body


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_workbook_saved_by_libreoffice(tmp_path: Path) -> None:
    """The sample workbook opened and saved again by LibreOffice Calc reads the same."""
    import subprocess

    shutil.copytree(APPLICATIONS / "excel", tmp_path / "excel")
    source = tmp_path / "excel" / "01-lekang-excel-sample.xlsx"
    out = tmp_path / "excel" / "saved"
    subprocess.run(
        ["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    shutil.copytree(tmp_path / "excel" / "evidence", out / "evidence")
    saved = out / source.name
    assert comparable(load_application(saved).app) == comparable(load_application(source).app)


#: The shipped sample workbook is institution sample 01 under another name and credit code (so a
#: folder holding both is not one applicant twice), converted under the current rubric.
EXCEL_SAMPLE = APPLICATIONS / "excel" / "01-lekang-excel-sample.xlsx"
EXCEL_IDENTITY = {"name": "示例市乐康护理院（虚构）", "uscc": "52341002MJA0000771"}


def test_sample_workbook_evaluates_as_its_yaml_twin() -> None:
    twin = load_application(INSTITUTIONS / "01-kangning-eligible.yaml").app.model_copy(update=EXCEL_IDENTITY)
    assert comparable(load_application(EXCEL_SAMPLE).app) == comparable(twin)
    got, expected = evaluation(EXCEL_SAMPLE), evaluation(INSTITUTIONS / "01-kangning-eligible.yaml")
    for data in (got, expected):
        data.pop("applicant")
    assert got == expected


REVIEW_SHEETS = sorted((APPLICATIONS / "reviews").glob("*.yaml"))


@pytest.mark.parametrize("sheet", REVIEW_SHEETS, ids=lambda p: p.stem)
def test_round_trip_of_every_shipped_review_sheet(sheet: Path, tmp_path: Path) -> None:
    """A shipped review sheet written as a workbook reads back equal and reconciles identically."""
    from shifan.present.workbook import write_workbook
    from shifan.review import load_review, reconcile
    from shifan.review.workbook import REVIEW_LAYOUT

    shutil.copytree(APPLICATIONS, tmp_path / "applications")
    source = tmp_path / "applications" / "reviews" / sheet.name
    loaded = load_review(source)
    workbook = source.with_suffix(".xlsx")
    write_workbook(workbook, REVIEW_LAYOUT, loaded.review.model_dump(mode="python", exclude_none=True))
    back = load_review(workbook)
    assert back.review == loaded.review
    assert back.target == loaded.target
    checked = check_application(loaded.target)

    def reconciled(review: Any) -> dict[str, Any]:
        data: dict[str, Any] = reconcile(checked, [review]).model_dump(mode="json")
        for entry in data["reviews"]:
            entry.pop("file")  # the sheet's own name, .xlsx or .yaml
        return data

    assert reconciled(back) == reconciled(loaded)


def test_hidden_characters_in_a_workbook_are_refused_at_their_cell(tmp_path: Path) -> None:
    """A workbook's cells pass the same character checks as a YAML file's values."""
    import openpyxl

    shutil.copytree(APPLICATIONS / "excel", tmp_path / "excel")
    path = tmp_path / "excel" / EXCEL_SAMPLE.name
    book = openpyxl.load_workbook(path)
    sheet = book["基本信息"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == EXCEL_IDENTITY["name"])
    cell.value = "示例市乐康\u200b护理院（虚构）"
    book.save(path)
    err = invoke(["check", path], 2).stderr
    assert "不允许的字符" in err and f"基本信息!{cell.coordinate}" in err, err
