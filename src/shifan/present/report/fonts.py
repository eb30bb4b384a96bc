"""CJK fonts for reports: find the system Noto CJK faces and build cached subsets of them.

Two roles are used: 黑体 ("Shifan Hei", from Noto Sans CJK SC) for titles and 宋体
("Shifan Song", from Noto Serif CJK SC) for body text, each in Regular and Bold.

The full faces hold 65,535 glyphs, and WeasyPrint keeps glyph ids when it embeds a font, so
every PDF pays for the highest glyph id it uses. The subsets built here cover GB 2312, common
extras and symbol blocks (about 8,700 glyphs), most common characters first, with TrueType
outlines. PDFs come out several times smaller than with the full faces. Characters outside
the subset still render because the CSS font stack falls back to the full system face.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shifan.errors import FontMissingError, RenderError
from shifan.files import atomic_write_bytes
from shifan.present.report.charset import codepoint_priority, subset_codepoints

#: Bump when the character set or the subsetting options change: cached subsets are rebuilt.
SUBSET_SPEC_VERSION = "2"

#: URL scheme under which the PDF engine serves the package's own assets and fonts.
ASSET_SCHEME = "shifan-asset:"

HEI_FAMILY = "Shifan Hei"
SONG_FAMILY = "Shifan Song"
INSTALL_COMMAND = "sudo apt-get install -y fonts-noto-cjk libharfbuzz-subset0"

#: Accepted system families per role, best first (Source Han is the same design).
SYSTEM_FAMILIES: dict[str, tuple[str, ...]] = {
    "hei": ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN"),
    "song": ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN"),
}
ROLE_FAMILY = {"hei": HEI_FAMILY, "song": SONG_FAMILY}
WEIGHT_STYLE = {400: "Regular", 700: "Bold"}

#: Where Debian, Fedora, Arch and per-user installs put the Noto CJK fonts.
DEFAULT_FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)
_FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")


@dataclass(frozen=True)
class FontSource:
    """One installed face: a file (maybe a collection) and the face index inside it."""

    role: str  # "hei" or "song"
    weight: int  # 400 or 700
    path: Path
    index: int
    family: str  # family name the face reports, e.g. "Noto Sans CJK SC"


@dataclass(frozen=True)
class PreparedFont:
    """A subset font file, served to WeasyPrint as ``shifan-asset:fonts/<file name>``."""

    source: FontSource
    path: Path

    @property
    def family(self) -> str:
        return ROLE_FAMILY[self.source.role]

    @property
    def weight(self) -> int:
        return self.source.weight

    @property
    def asset_name(self) -> str:
        return f"fonts/{self.path.name}"


@dataclass(frozen=True)
class FontKit:
    """The four prepared faces (Hei/Song x Regular/Bold) and the CSS that declares them."""

    fonts: tuple[PreparedFont, ...]

    def assets(self) -> dict[str, Path]:
        """Asset name (``fonts/<file>``) to file, for the PDF engine's URL fetcher."""
        return {font.asset_name: font.path for font in self.fonts}

    def font_face_css(self) -> str:
        """``@font-face`` rules for "Shifan Hei" and "Shifan Song" (400 and 700)."""
        return "".join(
            f'@font-face {{ font-family: "{font.family}"; font-weight: {font.weight}; '
            f'font-style: normal; src: url("{ASSET_SCHEME}{font.asset_name}") format("truetype"); }}\n'
            for font in self.fonts
        )


def font_stack(role: str) -> str:
    """CSS ``font-family`` value: the subset first, then the full system faces as fallback."""
    other = "song" if role == "hei" else "hei"
    names = [ROLE_FAMILY[role], *SYSTEM_FAMILIES[role], *SYSTEM_FAMILIES[other]]
    generic = "sans-serif" if role == "hei" else "serif"
    return ", ".join(f'"{name}"' for name in names) + f", {generic}"


# --------------------------------------------------------------------------- discovery


def _face_names(path: Path) -> list[tuple[int, str, str, bool]]:
    """(index, family, style, is_variable) of every face in a font file; [] if unreadable."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        with path.open("rb") as handle:
            is_collection = handle.read(4) == b"ttcf"
        fonts = list(TTCollection(str(path), lazy=True).fonts) if is_collection else [TTFont(str(path), lazy=True)]
        out = []
        for index, font in enumerate(fonts):
            name = font["name"]
            family = name.getDebugName(16) or name.getDebugName(1) or ""
            style = name.getDebugName(17) or name.getDebugName(2) or ""
            out.append((index, family, style, "fvar" in font))
        return out
    except (OSError, TTLibError, KeyError, AssertionError, ValueError):
        return []


def _candidate_files(directory: Path) -> list[Path]:
    """Font files under ``directory`` whose names suggest a CJK face, sorted."""
    try:
        files = sorted(directory.rglob("*")) if directory.is_dir() else []
    except OSError:
        return []
    out = []
    for file in files:
        key = "".join(ch for ch in file.name.lower() if ch.isalnum())
        if file.suffix.lower() in _FONT_SUFFIXES and ("cjk" in key or "sourcehan" in key):
            out.append(file)
    return out


def _fc_match(pattern: str) -> tuple[Path, int] | None:
    """Ask fontconfig for the file and face index best matching ``pattern``."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        result = subprocess.run(
            [fc_match, "-f", "%{file}\n%{index}\n", pattern],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        file, index = result.stdout.splitlines()[:2]
        return Path(file), int(index)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def _scan(files: Iterable[Path]) -> dict[tuple[str, int], FontSource]:
    found: dict[tuple[str, int], FontSource] = {}
    for file in files:
        for index, family, style, variable in _face_names(file):
            if variable:
                continue
            for role, families in SYSTEM_FAMILIES.items():
                for weight, style_name in WEIGHT_STYLE.items():
                    if family in families and style == style_name:
                        current = found.get((role, weight))
                        rank = families.index(family)
                        if current is None or rank < families.index(current.family):
                            found[(role, weight)] = FontSource(role, weight, file, index, family)
    return found


@functools.lru_cache(maxsize=8)
def find_system_fonts(
    search_dirs: tuple[Path, ...] | None = None, *, use_fontconfig: bool | None = None
) -> tuple[FontSource, ...]:
    """The four faces (hei/song x 400/700), substituting the nearest one for any missing face.

    ``search_dirs`` defaults to :data:`DEFAULT_FONT_DIRS`; fontconfig (``fc-match``) is asked
    as well unless ``use_fontconfig`` is false (by default only when ``search_dirs`` is not
    given). Raises :class:`FontMissingError` when no Chinese face is found at all.
    """
    if use_fontconfig is None:
        use_fontconfig = search_dirs is None
    dirs = DEFAULT_FONT_DIRS if search_dirs is None else tuple(search_dirs)
    found: dict[tuple[str, int], FontSource] = {}
    seen: set[Path] = set()
    for directory in dirs:
        files = [file for file in _candidate_files(directory) if file not in seen]
        seen.update(files)
        for key, value in _scan(files).items():
            found.setdefault(key, value)
        if len(found) == 4:
            break
    if use_fontconfig and len(found) < 4:
        extra = []
        for role, families in SYSTEM_FAMILIES.items():
            for weight, style_name in WEIGHT_STYLE.items():
                if (role, weight) not in found:
                    match = _fc_match(f"{families[0]}:style={style_name}")
                    if match is not None and match[0].is_file():
                        extra.append(match[0])
        for key, value in _scan(dict.fromkeys(extra)).items():
            found.setdefault(key, value)
    if not found:
        searched = "、".join(str(d) for d in dirs) or "无"
        via = "及 fontconfig" if use_fontconfig else ""
        raise FontMissingError(
            "未找到中文字体（Noto Sans CJK SC / Noto Serif CJK SC），无法生成 PDF 报告"
            f"（已查找目录：{searched}{via}）。请先安装字体：{INSTALL_COMMAND}"
        )
    order = [("hei", 400), ("hei", 700), ("song", 400), ("song", 700)]
    result = []
    for role, weight in order:
        other = "song" if role == "hei" else "hei"
        fallbacks = [(role, weight), (role, 1100 - weight), (other, weight), (other, 1100 - weight)]
        source = next(found[key] for key in fallbacks if key in found)
        result.append(FontSource(role, weight, source.path, source.index, source.family))
    return tuple(result)


# --------------------------------------------------------------------------- subsetting


def font_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/shifan/fonts`` (default ``~/.cache/shifan/fonts``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shifan" / "fonts"


def _cache_key(source: FontSource) -> str:
    import fontTools

    stat = source.path.stat()
    spec = {
        "spec": SUBSET_SPEC_VERSION,
        "fonttools": fontTools.version,
        "path": str(source.path.resolve()),
        "index": source.index,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]


#: OpenType features kept for horizontal text (no locale, vertical or alternate forms).
_LAYOUT_FEATURES = ["ccmp", "liga", "clig", "calt", "rlig", "kern", "mark", "mkmk"]


def subset_font_bytes(path: Path, index: int) -> bytes:
    """Deterministic TrueType subset of face ``index`` of ``path`` (see :func:`codepoint_priority`).

    WeasyPrint keeps glyph ids when it embeds a font, so each PDF pays for the highest glyph
    id it uses: glyphs are reordered so that common characters get low ids. The CFF outlines
    are converted to TrueType ones (error under 1/1000 em): WeasyPrint embeds CFF fonts
    desubroutinized with one non-empty charstring per skipped glyph id, while empty TrueType
    glyphs cost nothing, so the PDFs come out about a third smaller.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    options = subset.Options()
    options.layout_features = list(_LAYOUT_FEATURES)
    options.drop_tables += ["vhea", "vmtx", "VORG"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = True  # outlines are redrawn below; removing CFF hints first is slow
    options.glyph_names = False
    font = TTFont(str(path), fontNumber=index, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset_codepoints())
    subsetter.subset(font)
    font.ensureDecompiled()

    order = font.getGlyphOrder()
    gid_of = {name: gid for gid, name in enumerate(order)}
    rank = {cp: pos for pos, cp in enumerate(codepoint_priority())}
    glyph_rank: dict[int, int] = {}
    for cp, name in font.getBestCmap().items():
        gid = gid_of[name]
        glyph_rank[gid] = min(glyph_rank.get(gid, 1 << 30), rank.get(cp, 1 << 29))
    ranked = sorted(range(len(order)), key=lambda g: (g != 0, glyph_rank.get(g, 1 << 30), g))
    reorderGlyphs(font, [order[gid] for gid in ranked])  # also re-sorts GSUB/GPOS coverages
    if "CFF " in font:
        _cff_to_truetype(font)
    font.recalcBBoxes = True  # glyph bounds, maxp and hhea of the new outlines
    out = io.BytesIO()
    font.save(out)
    font.close()
    return out.getvalue()


def _cff_to_truetype(font: Any) -> None:
    """Replace the CFF table of ``font`` by quadratic ``glyf`` outlines."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        glyph.recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth",
    ):  # fmt: skip
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _build_job(path: str, index: int | str, out: str) -> None:
    atomic_write_bytes(Path(out), subset_font_bytes(Path(path), int(index)))


def _writable_cache(cache_dir: Path) -> Path:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=".probe-"):
            return cache_dir
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"shifan-fonts-{os.getuid()}"
        try:
            fallback.mkdir(mode=0o700, exist_ok=True)
            info = fallback.lstat()
            # a folder someone else made (or can write to) in the shared temporary folder could hold
            # planted subsets: use a fresh private folder instead
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022:
                return fallback
        except OSError:
            pass
        return Path(tempfile.mkdtemp(prefix="shifan-fonts-"))


def _run_builds(jobs: list[tuple[str, int, str]], parallel: bool) -> None:
    """Build the subsets, in child interpreters side by side when there are several cores.

    Plain child processes rather than multiprocessing, which would re-run an unguarded
    ``__main__`` of the calling program in every worker. Whatever they fail to build is
    built here, so errors surface in this process.
    """
    cores = os.cpu_count() or 1
    if parallel and len(jobs) > 1 and cores > 1 and sys.executable:
        from concurrent.futures import ThreadPoolExecutor

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        code = "import sys; from shifan.present.report.fonts import _build_job; _build_job(*sys.argv[1:])"

        def child(job: tuple[str, int, str]) -> None:
            command = [sys.executable, "-c", code, job[0], str(job[1]), job[2]]
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(command, env=env, capture_output=True, timeout=1800, check=False)

        with ThreadPoolExecutor(max_workers=min(len(jobs), cores)) as pool:
            list(pool.map(child, jobs))
    for path, index, out in jobs:
        if not Path(out).is_file():
            _build_job(path, index, out)


def prepare_fonts(
    *,
    search_dirs: Sequence[Path] | None = None,
    cache_dir: Path | None = None,
    parallel: bool = True,
) -> FontKit:
    """Find the system faces and return their cached subsets, building missing ones once.

    The first call on a machine takes some seconds per face (``scripts/build_fonts.py`` can
    do it ahead of time); later calls only check that the cached files exist.
    """
    sources = find_system_fonts(None if search_dirs is None else tuple(search_dirs))
    directory = _writable_cache(cache_dir or font_cache_dir())
    prepared: list[PreparedFont] = []
    jobs: dict[str, tuple[str, int, str]] = {}
    for source in sources:
        key = _cache_key(source)
        target = directory / f"{source.family.replace(' ', '')}-{source.weight}-{key}.ttf"
        prepared.append(PreparedFont(source, target))
        if not target.is_file():
            jobs[str(target)] = (str(source.path), source.index, str(target))
    if jobs:
        try:
            _run_builds(list(jobs.values()), parallel)
        except Exception as exc:  # fontTools raises many kinds on odd fonts
            raise RenderError(f"无法生成中文字体子集：{exc}") from exc
    return FontKit(tuple(prepared))
