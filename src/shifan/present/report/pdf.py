"""The PDF engine: WeasyPrint, sandboxed and deterministic.

* Nothing outside the package is ever read: the URL fetcher serves only the package's own
  assets (``shifan-asset:`` URLs for ``assets/`` and the prepared font subsets) and refuses
  everything else, ``file:``, ``http(s):`` and ``data:`` included. A refused URL does not stop
  the render; it is recorded in :attr:`RenderedPdf.refused_urls` and logged.
  ``data:`` is refused too: reports need no inline resources, and refusing it keeps hostile
  fonts or images (decoder bugs, huge payloads) out of the shared font configuration.
* The same HTML and arguments always give the same bytes: the PDF dates come from ``as_of``,
  the file identifier is a hash of the content, and font subsets are built deterministically.
* With ``pdf_a=True`` the file is PDF/A-3b and carries data files (the machine-readable result)
  as embedded attachments, dated ``as_of`` like the document itself.
* Fonts, the font configuration and the parsed base stylesheet are prepared once per process,
  so warm renders cost little more than layout.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import datetime as dt
import html as html_lib
import logging
import multiprocessing.util
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any


@contextlib.contextmanager
def _direct_library_lookup() -> Iterator[None]:
    """While WeasyPrint loads its C libraries on Linux, a library name that ``dlopen`` cannot
    load is not looked up again with ``ctypes.util.find_library``.

    WeasyPrint tries several names per library (Windows and macOS ones first) and cffi runs
    ``find_library`` for each miss, which starts ``ldconfig`` and ``gcc``: about 0.3 s of the
    import, more on a busy machine. The Linux names in each list (``libpango-1.0.so.0``) are
    loaded by ``dlopen`` directly, which searches what ``find_library`` would report."""
    if not sys.platform.startswith("linux"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


with _direct_library_lookup():
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

from shifan.errors import FontMissingError, RenderError, ShifanError  # noqa: E402
from shifan.files import atomic_write_bytes  # noqa: E402
from shifan.present.report import fonts  # noqa: E402
from shifan.present.report.fonts import ASSET_SCHEME, FontKit  # noqa: E402

if TYPE_CHECKING:
    from shifan.present.report.build import DataFile

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
BASE_STYLESHEET = "base.css"

LOG = logging.getLogger("shifan.present.report")

_MIME_TYPES = {
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string that cannot end early or inject rules.

    Backslashes, quotes, angle brackets, ampersands, semicolons, braces, parentheses and
    control characters are written as hexadecimal escapes; newlines become line breaks.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char == "\n":
            out.append("\\A ")
        elif code < 0x20 or code == 0x7F or char in "\\\"'<>&;{}()":
            out.append(f"\\{code:X} ")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def footer_css(footer_note: str) -> str:
    """CSS that prints ``footer_note`` in the bottom-left margin box of every page."""
    return f"@page {{ @bottom-left {{ content: {css_string(footer_note)}; }} }}\n"


def html_document(body: str, *, title: str, lang: str = "zh-CN") -> str:
    """A complete HTML document around an already-escaped ``body`` fragment."""
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lib.escape(lang)}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{html_lib.escape(title)}</title>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``shifan-asset:<name>`` for a fixed set of files; refuses every other URL."""

    def __init__(self, assets: dict[str, Path]) -> None:
        super().__init__(fail_on_errors=False)
        self._assets = dict(assets)
        self.served: list[str] = []
        self.refused: list[str] = []

    def _lookup(self, url: str) -> Path | None:
        if not url.startswith(ASSET_SCHEME):
            return None
        name = url[len(ASSET_SCHEME) :].split("#", 1)[0].split("?", 1)[0].lstrip("/")
        return self._assets.get(name)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._lookup(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"shifan refuses to fetch {url[:200]!r}: only packaged assets")
        self.served.append(url)
        mime = _MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def packaged_assets(kit: FontKit) -> dict[str, Path]:
    """Every file the fetcher may serve: ``assets/*`` (top level) and the font subsets."""
    assets = {
        path.name: path for path in sorted(ASSETS_DIR.iterdir()) if path.is_file() and not path.name.startswith(".")
    }
    assets.update(kit.assets())
    return assets


@dataclass
class _Engine:
    kit: FontKit
    assets: dict[str, Path]
    font_config: Any
    base_css: Any
    lock: threading.Lock = field(default_factory=threading.Lock)


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> _Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            kit = fonts.prepare_fonts()
            assets = packaged_assets(kit)
            fetcher = AssetFetcher(assets)
            font_config = FontConfiguration()
            css_text = kit.font_face_css() + (ASSETS_DIR / BASE_STYLESHEET).read_text("utf-8")
            base_css = CSS(string=css_text, font_config=font_config, url_fetcher=fetcher)
            _remove_at_exit(getattr(font_config, "_folder", None))  # made by the first @font-face
            if fetcher.refused or len(fetcher.served) != len(kit.fonts):
                raise RenderError(f"内置字体加载失败：{fetcher.refused}")
            _ENGINE = _Engine(kit, assets, font_config, base_css)
        return _ENGINE


_CLEANUPS: list[multiprocessing.util.Finalize] = []


def _remove_at_exit(folder: Path | None) -> None:
    """Remove WeasyPrint's temporary font folder when the process ends, batch workers included
    (they exit without running ``__del__``, which would otherwise leave one folder per worker)."""
    if folder is not None:
        _CLEANUPS.append(multiprocessing.util.Finalize(None, shutil.rmtree, args=(str(folder), True), exitpriority=0))


def remove_temporary_files() -> None:
    """Remove the engine's temporary files now, for a process about to end without running its
    exit handlers (a server stopped by a signal: uvicorn raises it again once it has shut down).
    Rendering again after this prepares the engine afresh."""
    global _ENGINE
    with _ENGINE_LOCK:
        _ENGINE = None
        while _CLEANUPS:
            _CLEANUPS.pop()()


def reset_engine() -> None:
    """Forget the prepared fonts and font configuration (after font changes, in tests)."""
    global _ENGINE
    with _ENGINE_LOCK:
        _ENGINE = None
        fonts.find_system_fonts.cache_clear()


def font_kit() -> FontKit:
    """The fonts the engine uses, preparing them if needed (raises FontMissingError)."""
    return _engine().kit


PDF_A_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered report and what its rendering tried to fetch."""

    data: bytes
    pages: int
    served_urls: tuple[str, ...]
    refused_urls: tuple[str, ...]


def _pdf_date(day: dt.date) -> str:
    return f"D:{day.year:04d}{day.month:02d}{day.day:02d}000000Z"


def _w3c_date(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _fix_metadata(
    document: Any, *, title: str, as_of: dt.date, author: str, subject: str, keywords: Sequence[str]
) -> None:
    """The document's own metadata (written as XMP in PDF/A) agreeing with the info dictionary."""
    metadata = document.metadata
    metadata.title = title
    metadata.authors = [author]
    metadata.description = subject or None
    metadata.keywords = list(keywords)
    metadata.generator = "shifan"
    metadata.created = metadata.modified = _w3c_date(as_of)


def _metadata_finisher(
    *, title: str, as_of: dt.date, author: str, subject: str, keywords: Sequence[str], lang: str
) -> Callable[[Any, Any], None]:
    """Replace whatever the HTML claimed with fixed metadata; dates come from ``as_of``."""
    import pydyf  # type: ignore[import-untyped]

    def finish(document: Any, pdf: Any) -> None:
        producer = pdf.info.get("Producer")
        pdf.info.clear()
        if producer is not None:
            pdf.info["Producer"] = producer
        pdf.info["Title"] = pydyf.String(title)
        pdf.info["Author"] = pydyf.String(author)
        pdf.info["Creator"] = pydyf.String("shifan")
        if subject:
            pdf.info["Subject"] = pydyf.String(subject)
        if keywords:
            pdf.info["Keywords"] = pydyf.String(", ".join(keywords))
        pdf.info["CreationDate"] = pydyf.String(_pdf_date(as_of))
        pdf.info["ModDate"] = pydyf.String(_pdf_date(as_of))
        pdf.catalog["Lang"] = pydyf.String(lang)
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": True})

    return finish


def render(
    html: str,
    *,
    title: str,
    as_of: dt.date,
    author: str = "shifan",
    subject: str = "",
    keywords: Sequence[str] = (),
    footer_note: str = "",
    lang: str = "zh-CN",
    pdf_a: bool = False,
    data_files: Sequence[DataFile] = (),
) -> RenderedPdf:
    """Render ``html`` (a complete document) to PDF bytes with the base stylesheet and fonts.

    ``footer_note`` is printed at the bottom left of every page (page numbers are at the
    bottom right). With ``pdf_a`` the PDF is PDF/A-3b and ``data_files`` are embedded in it.
    Raises :class:`FontMissingError` when no Chinese font is installed and
    :class:`RenderError` when WeasyPrint fails.
    """
    engine = _engine()
    fetcher = AssetFetcher(engine.assets)
    finisher = _metadata_finisher(
        title=title, as_of=as_of, author=author, subject=subject, keywords=keywords, lang=lang
    )
    with engine.lock:
        try:
            footer = CSS(string=footer_css(footer_note), font_config=engine.font_config, url_fetcher=fetcher)
            document = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=fetcher).render(
                font_config=engine.font_config, stylesheets=[engine.base_css, footer]
            )
            options: dict[str, Any] = {}
            if pdf_a:
                _fix_metadata(document, title=title, as_of=as_of, author=author, subject=subject, keywords=keywords)
                day = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)
                options["pdf_variant"] = PDF_A_VARIANT
                options["attachments"] = [
                    Attachment(
                        string=item.data,
                        name=item.name,
                        description=item.description,
                        created=day,
                        modified=day,
                        relationship="Data",
                    )
                    for item in data_files
                ]
            data = document.write_pdf(finisher=finisher, pdf_identifier=True, **options)
        except ShifanError:
            raise
        except Exception as exc:  # WeasyPrint, pydyf, fontTools: anything is a render failure
            raise RenderError(f"PDF 生成失败：{type(exc).__name__}: {exc}") from exc
    if not isinstance(data, bytes):
        raise RenderError("PDF 生成失败：没有得到输出")
    if fetcher.refused:
        LOG.warning(
            "报告中引用的 %d 个外部资源未被读取（只允许内置资源）：%s",
            len(fetcher.refused),
            "，".join(url[:120] for url in fetcher.refused[:5]),
        )
    return RenderedPdf(data, len(document.pages), tuple(fetcher.served), tuple(fetcher.refused))


def render_pdf(
    html: str,
    out: Path | None,
    *,
    title: str,
    as_of: dt.date,
    author: str = "shifan",
    subject: str = "",
    keywords: Sequence[str] = (),
    footer_note: str = "",
    lang: str = "zh-CN",
    pdf_a: bool = False,
    data_files: Sequence[DataFile] = (),
) -> bytes:
    """Render like :func:`render` and return the bytes; also write them atomically to ``out``.

    Nothing is written when rendering fails, so an existing ``out`` stays as it was.
    """
    result = render(
        html,
        title=title,
        as_of=as_of,
        author=author,
        subject=subject,
        keywords=keywords,
        footer_note=footer_note,
        lang=lang,
        pdf_a=pdf_a,
        data_files=data_files,
    )
    if out is not None:
        atomic_write_bytes(Path(out), result.data)
    return result.data


__all__ = [
    "ASSETS_DIR",
    "AssetFetcher",
    "FontMissingError",
    "RenderError",
    "RenderedPdf",
    "css_string",
    "font_kit",
    "footer_css",
    "html_document",
    "packaged_assets",
    "render",
    "render_pdf",
    "reset_engine",
]
