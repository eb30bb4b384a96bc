"""Word building blocks shared by every document: page setup, styles, tables, header and footer.

Documents are A4 with 公文-like margins (GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm
right), 宋体 body text and 黑体 headings with the East Asian font named explicitly (Word otherwise
falls back to the theme font), real heading styles, tables whose header rows repeat on every page
and page numbers in the footer. Text is always set as text (python-docx escapes XML), and the
characters XML cannot hold (control characters) are shown as their visible Unicode pictures.
Saving is deterministic: document properties are dated from the evaluation date and the ZIP
entries carry a fixed time stamp, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from shifan.files import atomic_write_bytes

SONG = "宋体"
HEI = "黑体"
LATIN = "Times New Roman"

BODY_SIZE = Pt(10.5)  # 五号
TABLE_SIZE = Pt(9)
NOTE_SIZE = Pt(8)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

Doc = Any  # python-docx ships no type information


def clean(text: object) -> str:
    """``text`` as Word can hold it: control characters shown as their pictures (U+2400 block)."""

    def picture(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code == 0x7F:
            return "\u2421"
        if code < 0x20:
            return chr(0x2400 + code)
        return "\ufffd"

    return _CONTROL.sub(picture, "" if text is None else str(text))


def _set_east_asian(element: Any, name: str, latin: str = LATIN) -> None:
    """Name the fonts of a style's or run's properties, East Asian included, theme fonts removed."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()  # in its schema position
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:cs"), latin)


def _style(document: Doc, name: str, font: str, size: Pt, *, bold: bool = False) -> None:
    style = document.styles[name]
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_east_asian(style.element, font)


def new_document(*, title: str, as_of: dt.date, landscape: bool = False) -> Doc:
    """An empty A4 document with the house styles and fixed document properties."""
    document = Document()
    section = document.sections[0]
    width, height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
    else:
        section.page_width, section.page_height = width, height
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(15)

    _style(document, "Normal", SONG, BODY_SIZE)
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Pt(3)
    normal.line_spacing = 1.25
    _style(document, "Title", HEI, Pt(18), bold=True)
    title_format = document.styles["Title"].paragraph_format
    title_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_format.space_after = Pt(12)
    _remove_border(document.styles["Title"].element)
    _style(document, "Heading 1", HEI, Pt(14), bold=True)  # 四号
    _style(document, "Heading 2", HEI, Pt(12), bold=True)  # 小四
    for name in ("Heading 1", "Heading 2"):
        fmt = document.styles[name].paragraph_format
        fmt.space_before, fmt.space_after = Pt(12), Pt(6)
        fmt.keep_with_next = True
    for name in ("Header", "Footer"):
        _style(document, name, SONG, NOTE_SIZE)

    props = document.core_properties
    moment = dt.datetime(as_of.year, as_of.month, as_of.day)
    props.title = clean(title)
    props.author = "shifan"
    props.last_modified_by = "shifan"
    props.comments = ""
    props.created = moment
    props.modified = moment
    props.last_printed = moment
    props.revision = 1
    return document


def _remove_border(style_element: Any) -> None:
    ppr = style_element.find(qn("w:pPr"))
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def heading(document: Doc, text: str, level: int = 1) -> Any:
    return document.add_heading(clean(text), level=level)


def title(document: Doc, *lines: str) -> Any:
    paragraph = document.add_paragraph(style="Title")
    for index, line in enumerate(lines):
        if index:
            paragraph.add_run().add_break()
        paragraph.add_run(clean(line))
    return paragraph


def paragraph(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    size: Pt | None = None,
    align: str | None = None,
    font: str | None = None,
    keep: bool = False,
) -> Any:
    """A paragraph of plain text in ``container`` (document or cell)."""
    para = container.add_paragraph()
    if text:
        run = para.add_run(clean(text))
        run.bold = bold
        if size is not None:
            run.font.size = size
        if font is not None:
            _set_east_asian(run._r, font)
    if align == "center":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if keep:
        para.paragraph_format.keep_with_next = True
    return para


def page_break(document: Doc) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _cell_text(cell: Any, text: object, *, bold: bool = False, size: Pt = TABLE_SIZE, align: str | None = None) -> None:
    lines = clean(text).split("\n") if text not in (None, "") else [""]
    para = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            para = cell.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.paragraph_format.line_spacing = 1.1
        if align == "center":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = para.add_run(line)
        run.font.size = size
        run.bold = bold
        if bold:
            _set_east_asian(run._r, HEI)


#: Elements that follow w:pBdr in a paragraph's properties (ECMA-376 order; Word rejects others).
PBDR_SUCCESSORS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def bottom_rule(para: Any, colour: str = "000000", size: int = 18) -> None:
    """A rule under ``para`` (a paragraph border), e.g. the red line of a 红头."""
    ppr = para._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", colour)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *PBDR_SUCCESSORS)


def _row_flag(row: Any, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _shade(cell: Any, fill: str = "E8E8E8") -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tcpr.append(shading)


def table(
    container: Any,
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[object]],
    widths_mm: Sequence[float],
    *,
    align: Sequence[str | None] | None = None,
    keep_together: bool = False,
) -> Any:
    """A bordered table; the header row (bold, shaded) repeats on every page; rows never split.

    ``keep_together`` keeps the whole table on one page (each row kept with the next).
    """
    columns = len(widths_mm)
    body = list(rows)
    tbl = container.add_table(rows=(1 if headers else 0) + len(body), cols=columns)
    tbl.style = "Table Grid"
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False
    aligns = list(align) if align else [None] * columns
    offset = 0
    if headers:
        head = tbl.rows[0]
        _row_flag(head, "w:tblHeader")
        _row_flag(head, "w:cantSplit")
        for index, text in enumerate(headers):
            _cell_text(head.cells[index], text, bold=True, align="center")
            _shade(head.cells[index])
        offset = 1
    for r, values in enumerate(body):
        row = tbl.rows[r + offset]
        _row_flag(row, "w:cantSplit")
        for index in range(columns):
            value = values[index] if index < len(values) else ""
            _cell_text(row.cells[index], value, align=aligns[index])
    set_widths(tbl, widths_mm)
    if keep_together:
        keep_with_next(tbl.rows[:-1])
    return tbl


def set_widths(tbl: Any, widths_mm: Sequence[float]) -> None:
    """Column widths for Word (cell widths) and LibreOffice (the grid), and the table's total width."""
    for index, column in enumerate(tbl.columns):
        column.width = Mm(widths_mm[index])
    for row in tbl.rows:
        for index, cell in enumerate(row.cells):
            cell.width = Mm(widths_mm[index])
    tblpr = tbl._tbl.tblPr
    total = tblpr.find(qn("w:tblW"))
    if total is None:
        total = OxmlElement("w:tblW")
        tblpr.append(total)
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(round(sum(widths_mm) * 1440 / 25.4)))
    tbl.autofit = False  # a fixed layout (w:tblLayout), so the widths hold


def keep_with_next(rows: Sequence[Any]) -> None:
    for row in rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True


def merge_row(tbl: Any, index: int, text: str, *, bold: bool = True) -> None:
    """Merge all cells of row ``index`` into one holding ``text`` (a section line)."""
    row = tbl.rows[index]
    merged = row.cells[0].merge(row.cells[-1])
    for para in merged.paragraphs[1:]:
        para._p.getparent().remove(para._p)
    for run in list(merged.paragraphs[0].runs):
        run._r.getparent().remove(run._r)
    merged.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    merged.paragraphs[0].paragraph_format.keep_with_next = True  # a section line never ends a page
    _cell_text(merged, text, bold=bold)
    _shade(merged, "F2F2F2")


def _field(para: Any, instruction: str, size: Pt = NOTE_SIZE) -> None:
    """A Word field (PAGE, NUMPAGES) inside ``para``."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        run = para.add_run()
        run.font.size = size
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        elif kind == "text":
            run.text = text or ""
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def header_and_footer(document: Doc, *, header: str, audit: str, cover: bool = False) -> None:
    """Running header (the applicant and document), page numbers and the small audit line.

    With ``cover`` the first page (the cover) has neither header nor footer.
    """
    for section in document.sections:
        section.different_first_page_header_footer = cover
        head = section.header.paragraphs[0]
        head.text = clean(header)
        head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = foot.add_run("第 ")
        run.font.size = Pt(9)
        _field(foot, "PAGE", Pt(9))
        run = foot.add_run(" 页 共 ")
        run.font.size = Pt(9)
        _field(foot, "NUMPAGES", Pt(9))
        run = foot.add_run(" 页")
        run.font.size = Pt(9)
        if audit:
            note = section.footer.add_paragraph()
            note.alignment = WD_ALIGN_PARAGRAPH.CENTER
            small = note.add_run(clean(audit))
            small.font.size = Pt(6.5)


def save(document: Doc, out: Path | None) -> bytes:
    """The document's bytes (deterministic ZIP), also written atomically to ``out``."""
    buffer = io.BytesIO()
    document.save(buffer)
    data = _normalise_zip(buffer.getvalue())
    if out is not None:
        atomic_write_bytes(Path(out), data)
    return data


def _normalise_zip(data: bytes) -> bytes:
    """The same ZIP with fixed entry times, so identical documents give identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            out.writestr(entry, source.read(info.filename))
    return target.getvalue()


def flags_box(document: Doc, flags: Sequence[Any], width: float) -> None:
    """The plausibility flags (合理性提示) of an evaluation, as the HTML reports show them."""
    if not flags:
        return
    lines = ["合理性提示（不影响得分和结论，请优先核实）", *(f"⚠ {f.title}：{f.message}" for f in flags)]
    table(document, None, [("\n".join(lines),)], [width])
