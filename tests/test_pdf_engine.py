"""The PDF engine: Chinese text and fonts, determinism, sandboxing, missing fonts, atomic writes.

These tests need poppler-utils (pdftotext, pdffonts, pdfinfo) and fonts-noto-cjk; they fail,
rather than skip, when either is missing. The first run builds the font subsets (some tens
of seconds); later runs reuse the cache.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shifan.errors import FontMissingError, RenderError
from shifan.present.report import fonts, pdf

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 6, 30)
FOOTER = "national-institution v2024.1 · 申报 sha256:3f9a1c0b · 细则 sha256:9b2e77d4"
TITLE = "康宁颐养中心自评报告"

BODY = """
<h1>康宁颐养中心医养结合示范机构自评报告</h1>
<p>申报机构：上海市长宁区康宁颐养中心。负责人：<strong>张堃</strong>。</p>
<table>
  <colgroup><col style="width:10%"><col style="width:70%"><col style="width:20%"></colgroup>
  <thead><tr><th>序号</th><th>评价指标</th><th>结论</th></tr></thead>
  <tbody>
    <tr><td>1</td><td>依法取得医疗机构执业许可证，并在民政部门办理养老机构备案。</td>
        <td class="mark-pass">符合</td></tr>
    <tr><td>2</td><td>护理型床位占比不低于70%，设置康复训练室。</td><td class="mark-fail">不符合</td></tr>
  </tbody>
</table>
"""


def tool(*args: str | Path) -> str:
    """Run a poppler tool; a missing tool is a failure, not a skip."""
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{args[0]} failed: {result.stderr}"
    return result.stdout


def render(body: str = BODY, **kwargs: Any) -> pdf.RenderedPdf:
    options: dict[str, Any] = {"title": TITLE, "as_of": AS_OF, "footer_note": FOOTER}
    options.update(kwargs)
    return pdf.render(pdf.html_document(body, title=TITLE), **options)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[pdf.RenderedPdf, Path]:
    result = render()
    path = tmp_path_factory.mktemp("pdf") / "small.pdf"
    path.write_bytes(result.data)
    return result, path


def font_rows(path: Path) -> list[list[str]]:
    """pdffonts rows as [name, ..., emb, sub, uni, object, generation]."""
    lines = tool("pdffonts", path).splitlines()[2:]
    return [line.split() for line in lines if line.strip()]


def test_chinese_text_footer_and_page_numbers_are_extractable(small: tuple[pdf.RenderedPdf, Path]) -> None:
    result, path = small
    text = tool("pdftotext", "-layout", path, "-")
    assert result.pages == 1
    assert "康宁颐养中心医养结合示范机构自评报告" in text
    assert "护理型床位占比不低于70%" in text
    assert "张堃" in text
    assert "第1页 共1页" in text
    assert "sha256:3f9a1c0b" in text and "申报" in text


def test_cjk_fonts_are_embedded_as_subsets(small: tuple[pdf.RenderedPdf, Path]) -> None:
    rows = font_rows(small[1])
    names = [row[0] for row in rows]
    assert any(name.endswith("+Shifan-Song") for name in names), names
    assert any(name.endswith("+Shifan-Hei-Bold") for name in names), names
    for row in rows:
        emb, sub = row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row


def test_two_renders_are_byte_identical(small: tuple[pdf.RenderedPdf, Path]) -> None:
    assert render().data == small[0].data


@pytest.mark.slow
def test_a_fresh_process_renders_the_same_bytes(small: tuple[pdf.RenderedPdf, Path], tmp_path: Path) -> None:
    out = tmp_path / "child.pdf"
    code = (
        "import sys, datetime as dt; from pathlib import Path; import test_pdf_engine as t; "
        "Path(sys.argv[1]).write_bytes(t.render().data)"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]))
    subprocess.run([sys.executable, "-c", code, str(out)], env=env, check=True, timeout=600)
    assert out.read_bytes() == small[0].data


def test_metadata_comes_from_the_arguments_not_the_clock_or_the_html(tmp_path: Path) -> None:
    body = '<meta name="dcterms.created" content="1999-01-01"><meta name="author" content="攻击者">' + BODY
    result = render(body, author="评审组", subject="自评报告", keywords=("shifan", "医养结合"))
    path = tmp_path / "meta.pdf"
    path.write_bytes(result.data)
    info = tool("pdfinfo", "-isodates", path)
    assert "2024-06-30T00:00:00Z" in info
    assert "1999" not in info
    assert f"Title:           {TITLE}" in info
    assert "评审组" in info and "攻击者" not in info
    assert "医养结合" in info


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    '<img src="https://example.invalid/x.png">',
    "<div style=\"background: url('file:///etc/passwd')\">背景</div>",
    '<style>@import url("file:///etc/passwd");</style>',
    "<style>@font-face { font-family: X; src: url(file:///etc/passwd); } p { font-family: X; }</style>",
    '<style>@font-face { font-family: Y; src: local("DejaVu Sans"); } p { font-family: Y; }</style>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<object data="file:///etc/passwd" type="text/plain"></object>',
    '<svg width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/></svg>',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="relative/secret.png">',
    '<img src="../../../../etc/passwd">',
]


@pytest.fixture
def no_network_or_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make urllib's opener (WeasyPrint's default fetcher path) explode if anything reaches it."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"urllib used: {args!r}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", forbidden)


@pytest.mark.usefixtures("no_network_or_files")
@pytest.mark.parametrize("snippet", HOSTILE)
def test_hostile_html_fetches_nothing(snippet: str, tmp_path: Path) -> None:
    result = render(f"<p>正文</p>{snippet}<p>结束</p>")
    assert result.served_urls == ()
    assert result.refused_urls, "the hostile reference was neither refused nor seen"
    path = tmp_path / "hostile.pdf"
    path.write_bytes(result.data)
    text = tool("pdftotext", path, "-")
    assert "root:x:0" not in text and "nologin" not in text
    assert "正文" in text and "结束" in text


@pytest.mark.usefixtures("no_network_or_files")
def test_base_href_cannot_reach_local_files(tmp_path: Path) -> None:
    html = '<!DOCTYPE html><html><head><base href="file:///etc/"></head><body><img src="passwd">正文</body></html>'
    result = pdf.render(html, title="t", as_of=AS_OF)
    assert result.refused_urls == ("file:///etc/passwd",)
    assert result.served_urls == ()


def test_footer_note_cannot_inject_css(tmp_path: Path) -> None:
    note = '说明"; } @page { @top-left { content: url(file:///etc/passwd) } } x { content: "\\'
    result = render(footer_note=note)
    assert result.refused_urls == ()
    path = tmp_path / "footer.pdf"
    path.write_bytes(result.data)
    text = tool("pdftotext", path, "-")
    assert '说明"; } @page' in text


def test_css_string_escapes_everything_that_could_end_the_string() -> None:
    assert pdf.css_string("申报 v1") == '"申报 v1"'
    escaped = pdf.css_string("a\"b\\c\n;{}()<>&'\x00")
    assert escaped.startswith('"') and escaped.endswith('"')
    inner = escaped[1:-1]
    for char in "\"\n;{}()<>&'\x00":
        assert char not in inner
    assert pdf.footer_css("x").startswith('@page { @bottom-left { content: "x"; } }')


def test_characters_outside_the_subset_still_render(tmp_path: Path) -> None:
    assert 0x20BB7 not in fonts.subset_codepoints()
    result = render("<p>申请人：吉𠮷</p>")
    path = tmp_path / "rare.pdf"
    path.write_bytes(result.data)
    assert "𠮷" in tool("pdftotext", path, "-")
    names = [row[0] for row in font_rows(path)]
    assert any("Noto" in name for name in names), names


def test_long_tables_repeat_their_header_and_number_pages(tmp_path: Path) -> None:
    rows = "".join(
        f"<tr><td>{i}</td><td>为入住老年人建立健康档案，每年至少开展1次健康体检与能力综合评估（第{i}条）。</td>"
        "<td>符合</td></tr>"
        for i in range(1, 121)
    )
    body = (
        '<h1>长表</h1><table><colgroup><col style="width:10%"><col style="width:70%"><col style="width:20%">'
        f"</colgroup><thead><tr><th>序号</th><th>评价指标</th><th>结论</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    result = render(body)
    assert result.pages >= 3
    path = tmp_path / "long.pdf"
    path.write_bytes(result.data)
    for page in range(1, result.pages + 1):
        text = tool("pdftotext", "-f", str(page), "-l", str(page), path, "-")
        assert "评价指标" in text, page
        assert f"第{page}页 共{result.pages}页" in text, page
        assert "sha256:9b2e77d4" in text, page
    assert len(result.data) / result.pages <= 60 * 1024


def test_a_page_of_chinese_stays_under_60_kb(small: tuple[pdf.RenderedPdf, Path]) -> None:
    assert len(small[0].data) <= 60 * 1024


def test_base_stylesheet_uses_the_font_stacks() -> None:
    css = (pdf.ASSETS_DIR / "base.css").read_text("utf-8")
    assert fonts.font_stack("song") in css
    assert fonts.font_stack("hei") in css
    assert "table-header-group" in css and "counter(pages)" in css


@pytest.mark.slow
def test_the_subset_covers_gb2312_and_is_deterministic() -> None:
    kit = pdf.font_kit()
    hei_bold = next(f for f in kit.fonts if f.family == fonts.HEI_FAMILY and f.weight == 700)
    cached = hei_bold.path.read_bytes()
    assert fonts.subset_font_bytes(hei_bold.source.path, hei_bold.source.index) == cached

    from fontTools.ttLib import TTFont

    cmap = TTFont(hei_bold.path, lazy=True).getBestCmap()
    hanzi = []
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                hanzi.append(ord(bytes((lead, trail)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    assert len(hanzi) == 6763
    assert [chr(cp) for cp in hanzi if cp not in cmap] == []


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    empty = tmp_path / "empty-fonts"
    empty.mkdir()
    monkeypatch.setattr(fonts, "DEFAULT_FONT_DIRS", (empty,))
    monkeypatch.setattr(fonts, "_fc_match", lambda pattern: None)
    pdf.reset_engine()
    yield empty
    pdf.reset_engine()


def test_missing_fonts_raise_with_the_install_command(no_fonts: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    with pytest.raises(FontMissingError) as caught:
        pdf.render_pdf(pdf.html_document(BODY, title=TITLE), out, title=TITLE, as_of=AS_OF)
    assert fonts.INSTALL_COMMAND in str(caught.value)
    assert "sudo apt-get install -y fonts-noto-cjk libharfbuzz-subset0" in caught.value.user_message()
    assert not out.exists()
    with pytest.raises(FontMissingError):
        fonts.find_system_fonts((no_fonts,))


def test_a_failed_render_leaves_no_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(**kwargs: object) -> Any:
        def finish(document: object, pdf_object: object) -> None:
            raise RuntimeError("disk full of ink")

        return finish

    monkeypatch.setattr(pdf, "_metadata_finisher", broken)
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"old report")
    fresh = tmp_path / "new.pdf"
    for out in (existing, fresh):
        with pytest.raises(RenderError, match="PDF 生成失败"):
            pdf.render_pdf(pdf.html_document(BODY, title=TITLE), out, title=TITLE, as_of=AS_OF)
    assert existing.read_bytes() == b"old report"
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.pdf"]


def test_render_pdf_writes_what_it_returns(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.pdf"
    data = pdf.render_pdf(pdf.html_document(BODY, title=TITLE), out, title=TITLE, as_of=AS_OF, footer_note=FOOTER)
    assert out.read_bytes() == data
    assert data.startswith(b"%PDF-")
    assert (
        pdf.render_pdf(pdf.html_document(BODY, title=TITLE), None, title=TITLE, as_of=AS_OF, footer_note=FOOTER) == data
    )


def test_renders_stay_identical_after_hostile_documents(small: tuple[pdf.RenderedPdf, Path]) -> None:
    for snippet in HOSTILE:
        render(f"<p>正文</p>{snippet}")
    assert render().data == small[0].data


def test_weasyprint_loads_every_library_it_finds_without_find_library() -> None:
    """The import shortcut loads the same C libraries as a plain import and restores ctypes."""
    import ctypes.util

    from weasyprint.text import ffi

    import shifan.present.report.pdf  # noqa: F401

    assert ctypes.util.find_library.__module__ == "ctypes.util"
    for name in ("gobject", "pango", "harfbuzz", "harfbuzz_subset", "fontconfig", "pangoft2"):
        assert getattr(ffi, name) is not None, name
