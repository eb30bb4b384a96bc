"""Where a YAML problem is and what it means: key paths of lines and nodes, and Chinese
explanations of parser errors (syntax, tabs, duplicate keys, unreadable values).

Used by :mod:`shifan.read.yamldoc` only when a file has to be reported on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from shifan.errors import Problem
from shifan.read.yamlmistakes import mistake_near

KeyPath = tuple[str | int, ...]


def dotted(path: Iterable[str | int]) -> str:
    return ".".join(str(part) for part in path)


_LINE = re.compile(r"^([ \t]*)((?:-[ \t]+)*)(.*)$")
_KEY = re.compile(r"""^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{},&*!|>%@`-][^#]*?)[ \t]*:(?:[ \t]|$)""")


def key_path_at(text: str, line: int) -> str:
    """Best-effort dotted key of block-style YAML at 1-based ``line``, judged by indentation.

    Used only when the parser could not build the document (syntax errors, bad bytes), so that
    the message still names the key the user was editing.
    """
    every = text.splitlines()
    lines = every[:line]
    if len(lines) == line and lines[-1].startswith(("---", "...")):
        return ""  # a document marker belongs to no key
    stack: list[tuple[int, str | int]] = []
    previous, opens = "", False
    for number, raw in enumerate(lines):
        match = _LINE.match(raw)
        if match is None:  # pragma: no cover - the pattern matches every line
            continue
        indent, dashes, rest = match.groups()
        if not dashes and (not rest.strip() or rest.lstrip().startswith("#")):
            continue
        if "\t" in indent:
            # A tab has no width in YAML: read the line as the child of a line that opens a block
            # (unless the next line is that line's sibling), else as a sibling of the line above.
            following = next((n for n in every[number + 1 :] if n.strip() and not n.lstrip().startswith("#")), "")
            sibling = bool(following) and following[: len(following) - len(following.lstrip(" "))] == previous
            indent = previous + "  " if opens and not sibling else previous
        previous, opens = indent + " " * len(dashes), rest.split(" #")[0].rstrip().endswith(":")
        for dash in re.finditer(r"-[ \t]+", dashes):
            column = len(indent) + dash.start()
            index = 0
            while stack and (stack[-1][0] > column or (stack[-1][0] == column and isinstance(stack[-1][1], int))):
                left, name = stack.pop()
                if left == column and isinstance(name, int):
                    index = name + 1
            stack.append((column, index))
        key = _KEY.match(rest)
        if key:
            column = len(indent) + len(dashes)
            while stack and stack[-1][0] >= column:
                stack.pop()
            stack.append((column, key.group(1).strip("'\"")))
    return dotted(name for _, name in stack)


def _nodes(root: Node | None) -> Iterator[tuple[KeyPath, Node]]:
    """Every node of a composed document with its key path; mapping keys are yielded too."""
    stack: list[tuple[KeyPath, Node]] = [((), root)] if root is not None else []
    seen: set[int] = set()
    while stack:
        path, node = stack.pop()
        yield path, node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in reversed(node.value):
                name = key_node.value if isinstance(key_node, ScalarNode) else "?"
                stack.append(((*path, name), value_node))
                stack.append(((*path, name), key_node))
        elif isinstance(node, SequenceNode):
            stack.extend(((*path, index), child) for index, child in reversed(list(enumerate(node.value))))


def compose(text: str) -> Node | None:
    try:
        return YAML(typ="safe").compose(text)  # type: ignore[no-any-return]
    except (YAMLError, RecursionError):
        return None


_SYNTAX_HINTS = (
    ("found undefined alias", "引用了未定义的锚点（*别名）"),
    ("while scanning an alias", "别名（*名称）只能由字母、数字、- 和 _ 组成"),
    ("while scanning an anchor", "锚点（&名称）只能由字母、数字、- 和 _ 组成"),
    ("while scanning a tag", "YAML 标签（!标签）写法错误"),
    ("could not determine a constructor for the tag", "不支持的 YAML 标签（!标签）"),
    ("mapping values are not allowed", "此处不能写“键: 值”（检查缩进，或给含冒号的文字加引号）"),
    ("could not find expected ':'", "缺少冒号（:）"),
    ("did not find expected key", "缩进不一致或缺少键"),
    ("did not find expected ',' or ']'", "方括号 [ ] 未闭合或缺少逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 未闭合或缺少逗号"),
    ("found unexpected end of stream", "引号未闭合"),
    ("base64", "二进制数据（!!binary）无法解码"),
    ("expected a single document", "文件只能含一个 YAML 文档（不要用 --- 分隔多个）"),
)


def syntax_problem(display: str, error: YAMLError, text: str = "") -> Problem:
    near = mistake_near(text, _error_line(error)) if text else None
    if near is not None:
        # A full-width colon or a missing space is named on its own line, not where the parser gave up.
        key = near.key_in(text, key_path_at)
        return Problem(display, near.line, near.column, key, near.message, near.found, near.expected)
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or ""
        context = error.context or ""
        if context.startswith("while parsing a flow") and error.context_mark is not None:
            # An unclosed [ or { is found lines later; the bracket that was opened is what to fix.
            problem += f"（第 {mark.line + 1} 行）" if mark is not None else ""
            mark = error.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        lines = text.split("\n")
        if line is not None and line > len(lines):  # the parser marks the end of the stream one line on
            line, column = len(lines), len(lines[-1]) + 1
        key = key_path_at(text, line) if line is not None else ""
        if "duplicate key" in f"{problem} {context}":
            return _duplicate_problem(display, error, text, line, column, key)
        if "\\t" in problem or "tab" in problem or _tab_indented(text, line):
            message = "YAML 语法错误：不能用制表符（Tab）缩进，请改用空格"
            found = problem
        else:
            hint = next((hint for english, hint in _SYNTAX_HINTS if english in f"{context} {problem}"), "")
            message = "YAML 语法错误" + (f"：{hint}" if hint else "")
            found = " ".join(part for part in (context, problem) if part)
        return Problem(display, line, column, key, message, found, "合法的 YAML")
    return Problem(display, None, None, "", "YAML 语法错误", str(error).splitlines()[0], "合法的 YAML")


def _error_line(error: YAMLError) -> int | None:
    mark = (error.problem_mark or error.context_mark) if isinstance(error, MarkedYAMLError) else None
    return mark.line + 1 if mark is not None else None


def _tab_indented(text: str, line: int | None) -> bool:
    """Whether the 1-based ``line`` of ``text`` is indented with a tab."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines):
        return False
    content = lines[line - 1]
    return "\t" in content[: len(content) - len(content.lstrip(" \t"))]


def _duplicate_problem(
    display: str, error: MarkedYAMLError, text: str, line: int | None, column: int | None, key: str
) -> Problem:
    """A duplicate key, named by its full dotted path, with the line where it first appears."""
    mark = error.problem_mark
    first: int | None = None
    for path, node in _nodes(compose(text)):
        if mark is not None and node.start_mark.line == mark.line and node.start_mark.column == mark.column:
            key = dotted(path)
            break
    for path, node in _nodes(compose(text)):
        if dotted(path) == key and isinstance(node, ScalarNode) and (first is None or node.start_mark.line < first):
            first = node.start_mark.line
    where = f"（第 {first + 1} 行已有同名的键）" if first is not None and first + 1 != line else ""
    name = key.rsplit(".", 1)[-1]
    return Problem(display, line, column, key, f"重复的键 “{name}”{where}", "", "同一层级中每个键只出现一次")


def value_problems(text: str, display: str) -> list[Problem]:
    """Scalars the constructor rejects although they parse, such as the date 2025-02-30."""
    constructor = SafeConstructor()
    problems = []
    for path, node in _nodes(compose(text)):
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                constructor.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                mark = node.start_mark
                found = f"“{node.value}”"
                expected = "真实存在的日期，格式 YYYY-MM-DD"
                problems.append(
                    Problem(display, mark.line + 1, mark.column + 1, dotted(path), "日期不存在", found, expected)
                )
    return problems
