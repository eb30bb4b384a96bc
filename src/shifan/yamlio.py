"""Reading YAML files: fast parsing, and exact positions when something must be reported.

A file is parsed with ruamel's safe loader (C-accelerated when ``ruamel.yaml.clib`` is present).
Only when a problem has to be reported is it parsed again in round-trip mode, whose nodes know
their line and column, so valid files pay nothing for good error messages.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from shifan.errors import InputError, Problem, display_path

#: Largest input file read, in bytes. Larger files are refused before parsing.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Most alias uses (``*name``) in one file; protects against "billion laughs" expansion.
MAX_ALIASES = 100
#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 40

KeyPath = tuple[str | int, ...]


def dotted(path: Iterable[str | int]) -> str:
    return ".".join(str(part) for part in path)


@dataclass
class Document:
    """One YAML file: its plain data and, on demand, the positions of its nodes."""

    path: Path
    text: str
    data: Any
    display: str = field(default="")

    def __post_init__(self) -> None:
        if not self.display:
            self.display = display_path(self.path)

    @cached_property
    def _tree(self) -> Any:
        try:
            return YAML(typ="rt").load(self.text)
        except YAMLError:
            return None

    def position(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """1-based (line, column) of the deepest node on ``path`` that exists in the file.

        For a mapping key the key's own position is given, which is where editors jump to.
        """
        node = self._tree
        line: int | None = 1 if node is not None else None
        column: int | None = 1 if node is not None else None
        for part in path:
            lc = getattr(node, "lc", None)
            if lc is None:
                break
            try:
                if isinstance(part, int) and isinstance(node, list):
                    if not 0 <= part < len(node):
                        break
                    pos = lc.item(part)
                    node = node[part]
                elif isinstance(node, dict) and part in node:
                    pos = lc.key(part)
                    node = node[part]
                elif isinstance(node, dict) and str(part) in node:
                    pos = lc.key(str(part))
                    node = node[str(part)]
                else:
                    break
            except (KeyError, IndexError, TypeError):
                break
            line, column = pos[0] + 1, pos[1] + 1
        return line, column

    def problem(self, path: Sequence[str | int], message: str, *, found: str = "", expected: str = "") -> Problem:
        line, column = self.position(path)
        return Problem(self.display, line, column, dotted(path), message, found, expected)


def _check_limits(node: Any, display: str, problems: list[Problem]) -> None:
    """Refuse documents nested too deeply (walks the parsed data, iteratively)."""
    stack: list[tuple[Any, int]] = [(node, 0)]
    seen: set[int] = set()
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(
                Problem(display, None, None, "", "嵌套层级过深", f"超过 {MAX_DEPTH} 层", f"不超过 {MAX_DEPTH} 层")
            )
            return
        if isinstance(current, (dict, list)):
            if id(current) in seen:
                continue
            seen.add(id(current))
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, depth + 1) for child in children)


def _count_aliases(text: str) -> int:
    """Number of alias events in the text (an over-count is harmless: it only refuses sooner)."""
    yaml = YAML(typ="safe")
    count = 0
    try:
        from ruamel.yaml.events import AliasEvent

        for event in yaml.parse(io.StringIO(text)):
            if isinstance(event, AliasEvent):
                count += 1
                if count > MAX_ALIASES:
                    break
    except YAMLError:
        return 0
    return count


def _syntax_problem(display: str, error: YAMLError) -> Problem:
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or ""
        context = error.context or ""
        if "duplicate key" in f"{problem} {context}":
            message = "重复的键"
            found = problem.replace("found duplicate key", "").strip()
        elif "\\t" in problem or "tab" in problem:
            message = "YAML 语法错误：不能用制表符（Tab）缩进，请改用空格"
            found = problem
        else:
            message = "YAML 语法错误"
            found = " ".join(part for part in (context, problem) if part)
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        return Problem(display, line, column, "", message, found, "合法的 YAML")
    return Problem(display, None, None, "", "YAML 语法错误", str(error).splitlines()[0], "合法的 YAML")


def load_document(path: Path, *, what: str = "输入文件") -> Document:
    """Read and parse one YAML file; every way it can be unreadable becomes an InputError."""
    path = Path(path)
    display = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                [Problem(display, None, None, "", "文件过大", f"{size} 字节", f"不超过 {MAX_FILE_BYTES} 字节")],
                what=what,
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(display, None, None, "", "文件不存在")], what=what) from None
    except IsADirectoryError:
        raise InputError([Problem(display, None, None, "", "这是一个目录，不是文件")], what=what) from None
    except OSError as error:
        raise InputError([Problem(display, None, None, "", f"无法读取：{error.strerror}")], what=what) from None
    return parse_document(raw, path, what=what)


def parse_document(raw: bytes, path: Path, *, what: str = "输入文件") -> Document:
    display = display_path(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        problem = Problem(
            display,
            line,
            column,
            "",
            "文件不是 UTF-8 编码",
            f"字节 0x{raw[error.start]:02X}",
            "UTF-8 编码（请在编辑器中另存为 UTF-8）",
        )
        raise InputError([problem], what=what) from None
    if "\x00" in text:
        raise InputError([Problem(display, None, None, "", "文件含有 NUL 字符，不是文本文件")], what=what)
    problems: list[Problem] = []
    if "*" in text and _count_aliases(text) > MAX_ALIASES:
        problems.append(
            Problem(display, None, None, "", "别名（*引用）过多", f"超过 {MAX_ALIASES} 个", f"不超过 {MAX_ALIASES} 个")
        )
        raise InputError(problems, what=what)
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as error:
        raise InputError([_syntax_problem(display, error)], what=what) from None
    except RecursionError:
        raise InputError(
            [Problem(display, None, None, "", "嵌套层级过深", "", f"不超过 {MAX_DEPTH} 层")], what=what
        ) from None
    _check_limits(data, display, problems)
    if problems:
        raise InputError(problems, what=what)
    if data is None:
        data = {}
    return Document(path=path, text=text, data=data, display=display)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A Chinese "did you mean" suffix, or an empty string when nothing is close."""
    options = list(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.55)
    if not matches and len(word) >= 3:
        matches = sorted(o for o in options if o.startswith(word) or word.startswith(o))[:1]
    return f"，是否应为 “{matches[0]}”？" if matches else ""
