"""Reading YAML files: fast parsing, and exact positions when something must be reported.

A file is parsed by libyaml through PyYAML with ruamel's YAML 1.2 resolution
(:mod:`shifan.read.yamlfast`); a file that needs more (a rarer form, or a problem to report) is
parsed again with ruamel's safe loader. Size, nesting, aliases and node count are checked
against the limits below before anything is built. Only when a
problem has to be reported is it composed again into nodes, which know their line and column, so
valid files pay nothing for good error messages; :mod:`shifan.read.yamlsyntax` explains what went wrong.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from shifan.errors import InputError, Problem, ProblemList, display_path
from shifan.files import NotRegularFileError, read_limited
from shifan.read.text import (
    EARLIEST,
    LATEST,
    LONG_NUMBER,
    MAX_DIGITS,
    MAX_REPORTED,
    dates_out_of_range,
    may_hold_dates_out_of_range,
    may_hold_refused,
    refused_in_data,
    refused_in_text,
)
from shifan.read.yamlfast import Unusual, fast_load
from shifan.read.yamlmistakes import mistakes
from shifan.read.yamlsyntax import (
    KeyPath,
    compose,
    dotted,
    key_path_at,
    syntax_problem,
    value_problems,
)

#: Largest input file read, in bytes. Larger files are refused before parsing.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Most alias uses (``*name``) in one file; protects against "billion laughs" expansion.
MAX_ALIASES = 100
#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 40
#: Most nodes (scalars, mappings, sequences) in one file, counting each alias as the nodes it
#: stands for. Bounds reading time (ruamel builds about 30 000 nodes a second here): the largest
#: shipped file has 1 500 nodes, an institution with 4 500 staff about 48 000.
MAX_NODES = 50_000


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
    def _root(self) -> Node | None:
        # Composed (not constructed) by the C parser: nodes with their marks, cheap even for a
        # file of several megabytes. Only used to locate problems.
        return compose(self.text)

    def position(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """1-based (line, column) of the deepest node on ``path`` that exists in the file.

        For a mapping key the key's own position is given, which is where editors jump to.
        """
        node = self._root
        if node is None:
            return None, None
        line, column = 1, 1
        for part in path:
            if isinstance(node, MappingNode):
                pair = next((pair for pair in node.value if _names(pair[0], part)), None)
                if pair is None:
                    break
                mark, node = pair[0].start_mark, pair[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
            line, column = mark.line + 1, mark.column + 1
        return line, column

    def canonical(self, path: Sequence[str | int]) -> KeyPath:
        """``path`` with each mapping key written as in the file (a date key as 2024-01-01, not
        as pydantic's ``datetime.date(2024, 1, 1)``)."""
        node = self.data
        result: list[str | int] = []
        for part in path:
            if isinstance(node, dict) and (key := _match_key(node, part)) is not _MISSING:
                result.append(key if isinstance(key, (str, int)) and not isinstance(key, bool) else str(key))
                node = node[key]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                result.append(part)
                node = node[part]
            else:
                result.append(part)
                node = None
        return tuple(result)

    def problem(self, path: Sequence[str | int], message: str, *, found: str = "", expected: str = "") -> Problem:
        line, column = self.position(path)
        return Problem(self.display, line, column, dotted(path), message, found, expected)


_MISSING = object()


def _names(key: Node, part: str | int) -> bool:
    """Whether a mapping's key node is the key ``part`` (a number or date key is compared as written)."""
    return isinstance(key, ScalarNode) and key.value == str(part)


def _match_key(mapping: dict[Any, Any], part: str | int) -> Any:
    """The key of ``mapping`` that ``part`` names: itself, or a non-string key written as text."""
    try:
        if part in mapping:
            return part
    except TypeError:
        return _MISSING
    for key in mapping:
        if str(key) == str(part) or repr(key) == part:
            return key
    return _MISSING


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


def _expanded_size(data: Any) -> int | None:
    """Number of nodes once every alias is expanded, or None when an alias contains itself.

    Shared (aliased) collections are counted once per use but visited once, so the cost is
    linear in the file even for a "billion laughs" document.
    """
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, leaving = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if leaving:
            open_.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            continue
        if id(node) in open_:
            return None
        if id(node) in sizes:
            continue
        open_.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)))
    return sizes.get(id(data), 1)


def _refuse(text: str, display: str, what: str, event: Any, message: str, limit: str) -> InputError:
    mark = event.start_mark
    key = key_path_at(text, mark.line + 1)
    problem = Problem(display, mark.line + 1, mark.column + 1, key, message, f"超过 {limit}", f"不超过 {limit}")
    return InputError([problem], what=what)


_LEADING = re.compile(r"^[ \t?-]*", re.MULTILINE)
_FLOW = re.compile(r"[\[\]{}]")


def _may_exceed_limits(text: str) -> bool:
    """False only when the text provably stays within every limit, so the event pre-scan can be
    skipped: no anchors (hence no aliases), fewer characters than the node limit, and nesting
    bounded by the longest run of indentation and block indicators plus the flow bracket depth."""
    if "&" in text or len(text) >= MAX_NODES:
        return True
    block = max((len(m) for m in _LEADING.findall(text)), default=0)
    flow = deepest = 0
    for bracket in _FLOW.findall(text):
        flow = flow + 1 if bracket in "[{" else max(flow - 1, 0)
        deepest = max(deepest, flow)
    return block + deepest + 1 > MAX_DEPTH


def _prescan(text: str, display: str, what: str) -> tuple[int, Any]:
    """Check the limits on the parser's event stream, before any object is built.

    Deep nesting is refused here because the composer is recursive: some thousand nested
    brackets crash the C extension outright instead of raising. Returns the number of aliases
    and the first alias event (to locate an expansion that turns out too large).
    """
    depth = aliases = nodes = 0
    first: Any = None
    try:
        for event in YAML(typ="safe").parse(io.StringIO(text)):
            if isinstance(event, AliasEvent):
                aliases += 1
                first = first or event
                if aliases > MAX_ALIASES:
                    raise _refuse(text, display, what, event, "别名（*引用）过多", f"{MAX_ALIASES} 个")
            elif isinstance(event, NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise _refuse(text, display, what, event, "文件内容过多", f"{MAX_NODES} 项")
                if isinstance(event, CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _refuse(text, display, what, event, "嵌套层级过深", f"{MAX_DEPTH} 层")
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        pass  # reported, with its position, by the loader
    return aliases, first


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
        raw = read_limited(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise InputError([Problem(display, None, None, "", "文件不存在")], what=what) from None
    except IsADirectoryError:
        raise InputError([Problem(display, None, None, "", "这是一个目录，不是文件")], what=what) from None
    except NotRegularFileError:
        raise InputError(
            [Problem(display, None, None, "", "不是普通文件（管道、设备等不能作为输入）")], what=what
        ) from None
    except OSError as error:
        raise InputError([Problem(display, None, None, "", f"无法读取：{error.strerror}")], what=what) from None
    except ValueError:  # a NUL character in the path
        raise InputError([Problem(display, None, None, "", "文件路径含有不允许的字符")], what=what) from None
    return parse_document(raw, path, what=what)


def parse_document(raw: bytes, path: Path, *, what: str = "输入文件") -> Document:
    """Decode and parse a file's bytes. A UTF-8 byte order mark (written by Windows editors) is
    accepted and ignored; any other encoding is refused with the position of the first bad byte."""
    display = display_path(path)
    if len(raw) > MAX_FILE_BYTES:
        problem = Problem(display, None, None, "", "文件过大", f"{len(raw)} 字节", f"不超过 {MAX_FILE_BYTES} 字节")
        raise InputError([problem], what=what)
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
            key_path_at(raw.decode("utf-8", errors="replace"), line),
            "文件不是 UTF-8 编码",
            f"字节 0x{raw[error.start]:02X}",
            "UTF-8 编码（请在编辑器中另存为 UTF-8）",
        )
        raise InputError([problem], what=what) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        problem = Problem(display, line, column, key_path_at(text, line), "文件含有 NUL 字符，不是文本文件")
        raise InputError([problem], what=what)
    refused = [
        Problem(display, line, column, key_path_at(text, line), f"含有不允许的字符：{kind}", "", "可见的文字")
        for line, column, kind in islice(refused_in_text(text), MAX_REPORTED)
    ]
    for match in islice(LONG_NUMBER.finditer(text), MAX_REPORTED - len(refused)):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        found = f"{len(match.group())} 位数字"
        refused.append(
            Problem(display, line, column, key_path_at(text, line), "数字位数过多", found, f"不超过 {MAX_DIGITS} 位")
        )
    if refused:
        raise InputError(refused, what=what)
    problems = ProblemList(what)
    risky = _may_exceed_limits(text)
    aliases, first_alias = _prescan(text, display, what) if risky else (0, None)
    try:
        data = _load(text, fast=not risky)
    except YAMLError as error:
        raise InputError([syntax_problem(display, error, text)], what=what) from None
    except RecursionError:
        raise InputError(
            [Problem(display, None, None, "", "嵌套层级过深", "", f"不超过 {MAX_DEPTH} 层")], what=what
        ) from None
    except (ValueError, OverflowError) as error:
        located = value_problems(text, display) or [Problem(display, None, None, "", "无法读取的取值", str(error))]
        raise InputError(located, what=what) from None
    for mistake in mistakes(text, paths_only=True):
        key = mistake.key_in(text, key_path_at)
        problems.append(
            Problem(display, mistake.line, mistake.column, key, mistake.message, mistake.found, mistake.expected)
        )
    if risky:  # otherwise the text itself bounds the nesting
        _check_limits(data, display, problems.problems)
    if aliases and first_alias is not None and not problems:
        size = _expanded_size(data)
        line, column = first_alias.start_mark.line + 1, first_alias.start_mark.column + 1
        key = key_path_at(text, line)
        if size is None:
            problems.append(Problem(display, line, column, key, "别名（*引用）引用了自身", "", "不循环的引用"))
        elif size > MAX_NODES:
            message, found = "别名（*引用）展开后内容过多", f"展开后 {size} 项"
            problems.append(Problem(display, line, column, key, message, found, f"不超过 {MAX_NODES} 项"))
    if data is None:
        problems.append(Problem(display, 1, 1, "", "文件为空", "只有空白或注释", "YAML 键值映射（键: 值）"))
    problems.raise_if_any()
    document = Document(path=path, text=text, data=data, display=display)
    refused_values = refused_in_data(data) if may_hold_refused(text) else iter(())
    for key_path, kind in islice(refused_values, MAX_REPORTED):
        problems.append(document.problem(key_path, f"含有不允许的字符：{kind}", expected="可见的文字"))
    late_or_early = dates_out_of_range(data) if may_hold_dates_out_of_range(text) else iter(())
    for key_path, day in islice(late_or_early, MAX_REPORTED):
        expected = f"{EARLIEST.isoformat()} 至 {LATEST.isoformat()}"
        problems.append(document.problem(key_path, "日期超出范围", found=day.isoformat(), expected=expected))
    problems.raise_if_any()
    return document


def _load(text: str, *, fast: bool) -> Any:
    """The data of ``text``: by libyaml when ``fast`` and the text has nothing unusual, else by ruamel."""
    if fast:
        try:
            return fast_load(text)
        except Unusual:
            pass
    return YAML(typ="safe").load(text)


def non_finite(data: Any) -> Iterator[tuple[KeyPath, float]]:
    """Every ``.nan``, ``.inf`` or ``-.inf`` in the data, with its key path."""
    stack: list[tuple[KeyPath, Any]] = [((), data)]
    seen: set[int] = set()
    while stack:
        path, node = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            yield path, node
        elif isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend(((*path, key), value) for key, value in items if isinstance(key, (str, int)))
