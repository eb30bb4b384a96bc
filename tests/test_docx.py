"""Word editions: real headings, tables with repeated header rows, named fonts, page numbers, A4,
literal hostile text, deterministic bytes; the output format follows the file extension."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from conftest import APPLICATIONS, INSTITUTIONS, invoke
from shifan.present.docx.common import clean

FIXTURES = Path(__file__).parent / "fixtures"
IDENTIFIER = re.compile(r"[a-z]+_[a-z_]+")
FIXTURE_RUBRIC = FIXTURES / "criteria" / "fixture" / "institution.yaml"
REVIEWS = sorted((APPLICATIONS / "reviews").glob("01-kangning-*.yaml"))
ISSUER = [
    "--issuer",
    "示例省卫生健康委员会",
    "--province",
    "示例省",
    "--year",
    "2026",
    "--doc-number",
    "示卫老龄〔2026〕1号",
]


def make_documents(folder: Path) -> dict[str, Path]:
    """Every Word document the tool writes, from the samples."""
    docs = {
        "self": folder / "自评报告.docx",
        "review": folder / "评审意见表.docx",
        "blank_review": folder / "空白评审意见表.docx",
        "sheet": folder / "评分表.docx",
        "county": folder / "县自评报告.docx",
    }
    invoke(["report", "self", APPLICATIONS / "regions" / "08-shexian-county.yaml", "-o", docs["county"]], 0)
    invoke(["report", "self", INSTITUTIONS / "05-jiankang-missing-evidence.yaml", "-o", docs["self"]], 0)
    invoke(["report", "review", INSTITUTIONS / "01-kangning-eligible.yaml", *REVIEWS, "-o", docs["review"]], 0)
    invoke(["report", "review", INSTITUTIONS / "02-ankang-low-occupancy.yaml", "-o", docs["blank_review"]], 0)
    invoke(["report", "sheet", "--reviewers", "2", "-o", docs["sheet"]], 0)
    out = folder / "rec"
    invoke(
        [
            *["recommend", APPLICATIONS, "--reviews", APPLICATIONS / "reviews", "--quota", "2"],
            *["--quota-by", "region", "-o", out, "--no-pdf", *ISSUER],
        ],
        0,
    )
    docs["recommendation"] = out / "recommendation.docx"
    docs["notice"] = out / "notice.docx"
    return docs


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_documents(tmp_path_factory.mktemp("docx"))


def all_text(document: Any) -> str:
    """Body paragraphs and every table cell, in document order of blocks."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def east_asian_font(style: Any) -> str | None:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_every_docx_is_a4_with_styles_tables_and_page_numbers(documents: dict[str, Path]) -> None:
    for name, path in documents.items():
        assert path.read_bytes().startswith(b"PK"), name
        document = docx.Document(str(path))
        section = document.sections[0]
        size = sorted([round(section.page_width / Mm(1)), round(section.page_height / Mm(1))])
        assert size == [210, 297], name
        assert east_asian_font(document.styles["Normal"]) == "宋体", name
        assert east_asian_font(document.styles["Heading 1"]) == "黑体", name
        assert east_asian_font(document.styles["Title"]) == "黑体", name
        footer = section.footer._element.xml
        assert "PAGE" in footer and "NUMPAGES" in footer, name
        if name != "notice":
            headed = [
                t
                for t in document.tables
                if t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
            ]
            assert headed, f"{name}: no table with a repeated header row"
        assert not IDENTIFIER.findall(all_text(document)), name


def test_self_report_docx(documents: dict[str, Path]) -> None:
    document = docx.Document(str(documents["self"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["一、机构基本情况", "二、自评结论", "三、得分情况"]
    assert any(h.endswith("、整改清单") for h in headings) and any(h.endswith("、待核对的默认值") for h in headings)
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == ["示例县人民医院康养中心（虚构）\n全国医养结合示范机构申报自评报告"]
    text = all_text(document)
    for expected in ("填报人", "报送日期", "核定 200 张", "执业医师 2 人", "附上佐证材料", "单位负责人（签字）"):
        assert expected in text, expected
    assert "self_scores" not in text and "satisfaction" not in text and "shifan 评分方法说明" not in text
    assert document.sections[0].different_first_page_header_footer  # the cover has no header
    margins = document.sections[0]
    assert round(margins.top_margin / Mm(1)) == 37 and round(margins.left_margin / Mm(1)) == 28


def test_review_docx_is_a_record_the_panel_signs(documents: dict[str, Path]) -> None:
    document = docx.Document(str(documents["review"]))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert "示例市康宁护理院（虚构） 评审意见表" in section.header.paragraphs[0].text
    first_tables = [all_text_of(t) for t in document.tables[:2]]
    assert "评审组合议结论" in first_tables[1] and "合议得分：98.75 / 100" in first_tables[1]
    assert "系统计算得分：100 / 100" in first_tables[1]
    signatures = all_text_of(document.tables[-1])
    for expected in (
        "李华",
        "示例市民政局养老服务指导中心（虚构）",
        "高级社会工作师",
        "主任医师",
        "2026年1月12日",
        "评审组长",
    ):
        assert expected in signatures, expected
    blank = docx.Document(str(documents["blank_review"]))
    assert "□具备申报资格" in all_text_of(blank.tables[1])


def all_text_of(table: Any) -> str:
    return "\n".join(cell.text for row in table.rows for cell in row.cells)


def test_sheet_docx(documents: dict[str, Path]) -> None:
    document = docx.Document(str(documents["sheet"]))
    text = all_text(document)
    assert "□ 符合\n□ 不符合" in text and "A 基本条件" in text
    assert "satisfaction_lower" not in text and "满意度得分下档" in text
    assert text.count("评审专家（签字）") == 2


def test_recommendation_and_notice_docx(documents: dict[str, Path]) -> None:
    listing = docx.Document(str(documents["recommendation"]))
    text = all_text(listing)
    assert "示例省卫生健康委员会" in text and "示卫老龄〔2026〕1号" in text
    assert "示例省2026年全国医养结合示范机构拟推荐名单" in text  # the lists with anyone on them
    assert "黄山市" in text and "地市 341000" not in text
    assert "全国医养结合示范机构评分标准" in text  # the rubric column
    assert "审核人（签字）" in text and "负责人（签字）" in text
    notice = all_text(docx.Document(str(documents["notice"])))
    # The same process sentence as notice.txt: only reviewed applicants are ranked (the folder has
    # reviews), and the sample review sheets state a provincial review and no county round.
    assert notice.count("示例省卫生健康委员会") >= 2 and "经申报单位自评和省级评审" in notice
    assert "县级初审" not in notice and "尚未经专家评审" not in notice
    assert "经申报单位自评和省级评审" in (documents["recommendation"].parent / "notice.txt").read_text(encoding="utf-8")


def test_docx_is_byte_identical_for_identical_input(tmp_path: Path) -> None:
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    sample = INSTITUTIONS / "04-renhe-uncertified-staff.yaml"
    invoke(["report", "self", sample, "-o", first], 0)
    invoke(["report", "self", sample, "-o", second], 0)
    assert first.read_bytes() == second.read_bytes()
    props = docx.Document(str(first)).core_properties
    assert props.created is not None and props.created.year == 2025 and props.author == "shifan"


def hostile_copy(tmp_path: Path) -> Path:
    """The hostile fixture with a control character, an ampersand and a script tag in the name."""
    lines = (FIXTURES / "app" / "hostile.yaml").read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("name: "))
    lines[index] = 'name: "测试\\x07护理院 A&B <script>x</script>"'
    path = FIXTURES / "app" / "files"
    copy = tmp_path / "hostile.yaml"
    copy.write_text("\n".join(lines), encoding="utf-8")
    if path.is_dir():
        (tmp_path / "files").symlink_to(path, target_is_directory=True)
    return copy


def test_hostile_text_stays_literal_in_docx(tmp_path: Path) -> None:
    out = tmp_path / "hostile.docx"
    invoke(["report", "self", FIXTURES / "app" / "hostile.yaml", "--criteria", FIXTURE_RUBRIC, "-o", out], 0)
    text = all_text(docx.Document(str(out)))
    assert '测试<img src="file:///etc/passwd">护理院<script>alert(1)</script>' in text
    assert '<link rel=stylesheet href="http://example.invalid/x.css">' in text
    control = tmp_path / "control.docx"
    refused = invoke(["report", "self", hostile_copy(tmp_path), "--criteria", FIXTURE_RUBRIC, "-o", control], 2)
    assert "控制字符 U+0007" in refused.stderr and not control.exists()  # refused at intake
    # behind the intake check, the Word writer still shows a control character as its picture ␇
    assert clean("测试\x07护理院 A&B <script>x</script>") == "测试\u2407护理院 A&B <script>x</script>"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.txt"], "无法识别输出文件的扩展名"),
        (["-o", "x"], "无法识别输出文件的扩展名"),
        (["-o", "x.pdf", "--format", "docx"], "不一致"),
        (["-o", "x.docx", "--format", "html"], "不一致"),
        (["-o", "x.docx", "--pdf-a"], "只适用于 PDF"),
    ],
)
def test_output_extension_and_format_must_agree(tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x") else a for a in args]
    err = invoke(["report", "self", INSTITUTIONS / "01-kangning-eligible.yaml", *args], 2).stderr
    assert message in err
    assert not any(tmp_path.iterdir())


def test_each_extension_writes_its_format(tmp_path: Path) -> None:
    sample = INSTITUTIONS / "01-kangning-eligible.yaml"
    for name, magic in (("r.docx", b"PK"), ("r.html", b"<!DOCTYPE html>"), ("r.htm", b"<!DOCTYPE html>")):
        invoke(["report", "self", sample, "-o", tmp_path / name], 0)
        assert (tmp_path / name).read_bytes().startswith(magic), name
    invoke(["report", "sheet", "-o", tmp_path / "s.docx", "--format", "docx"], 0)
    assert (tmp_path / "s.docx").read_bytes().startswith(b"PK")


# ECMA-376 child order of the property elements the writers touch (Word refuses files that break it).
ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em "
    "lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
    "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
}


def test_docx_properties_are_in_schema_order(documents: dict[str, Path]) -> None:
    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for name, path in documents.items():
        document = docx.Document(str(path))
        for part in (document.element, document.styles.element, document.sections[0].footer._element):
            for tag, order in ORDER.items():
                sequence = order.split()
                for element in part.iter(namespace + tag):
                    children = [child.tag.removeprefix(namespace) for child in element]
                    known = [c for c in children if c in sequence]
                    assert len(known) == len(set(known)), f"{name}: repeated child in {tag}: {children}"
                    assert known == sorted(known, key=sequence.index), f"{name}: {tag} children {children}"
