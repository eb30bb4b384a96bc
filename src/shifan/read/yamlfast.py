"""The fast YAML path: libyaml through PyYAML, resolving plain scalars by YAML 1.2 like ruamel.

PyYAML resolves by YAML 1.1 (``yes`` and ``on`` become booleans, ``010`` becomes 8), so its
resolver here is rebuilt from ruamel's own YAML 1.2 table: a scalar gets the tag ruamel would
give it. The constructors then build only the common, unambiguous forms (decimal integers,
plain floats, ``.inf``/``.nan``, ``true``/``false``, ``null``, ``YYYY-MM-DD`` dates, strings,
mappings and sequences). Anything else (an explicit tag, a merge key, a duplicate or unhashable
key, a time stamp with a time, an integer with ``0x``/``_``, an impossible date, a directive, a
syntax error) raises :class:`Unusual`, and the caller parses the file again with ruamel, which
either builds the same value or reports the problem with its position. So this path changes
speed, never results.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

import yaml
from ruamel.yaml.resolver import implicit_resolvers
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["Unusual", "fast_load"]

_MERGE = "tag:yaml.org,2002:merge"
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    **{f"{sign}.{word}": float(f"{sign}inf") for sign in ("", "+", "-") for word in ("inf", "Inf", "INF")},
    **{f".{word}": float("nan") for word in ("nan", "NaN", "NAN")},
}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class Unusual(Exception):
    """The text needs ruamel: to build a rarer form, or to locate a problem."""


class _Resolver(yaml.resolver.BaseResolver):  # type: ignore[misc]
    """Plain scalars resolved by ruamel's YAML 1.2 table (not PyYAML's YAML 1.1 one)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # BaseResolver.resolve without path resolvers (none are registered), called per node
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


for _versions, _tag, _regexp, _first in implicit_resolvers:
    if (1, 2) in _versions:
        # ruamel keeps its patterns behind a lazy proxy; a plain compiled pattern is faster to call
        _compiled = re.compile(_regexp.pattern, _regexp.flags)
        for _char in _first:
            _Resolver.yaml_implicit_resolvers.setdefault(_char, []).append((_tag, _compiled))


class _Constructor(yaml.constructor.SafeConstructor):  # type: ignore[misc]
    """Builds the common forms exactly as ruamel's safe loader does; raises Unusual otherwise."""

    yaml_constructors: ClassVar[dict[Any, Any]] = {}

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise Unusual
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in mapping:
                    raise Unusual  # duplicate: ruamel refuses it with its position
            except TypeError:
                raise Unusual from None  # an unhashable key
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_undefined(self, node: Node) -> Any:
        raise Unusual


def _int(constructor: _Constructor, node: ScalarNode) -> int:
    if _INT.fullmatch(node.value):
        return int(node.value, 10)  # YAML 1.2: 010 is ten
    raise Unusual


def _float(constructor: _Constructor, node: ScalarNode) -> float:
    value: str = node.value
    if value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    if _FLOAT.fullmatch(value):
        return float(value)  # 1e400 is inf, as in ruamel
    raise Unusual


def _bool(constructor: _Constructor, node: ScalarNode) -> bool:
    try:
        return _BOOLS[node.value]
    except KeyError:
        raise Unusual from None


def _null(constructor: _Constructor, node: ScalarNode) -> None:
    return None


def _timestamp(constructor: _Constructor, node: ScalarNode) -> dt.date:
    match = _DATE.fullmatch(node.value)
    if match is None:
        raise Unusual  # a time of day: ruamel builds the datetime
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise Unusual from None  # 2024-02-30: ruamel reports it


_SAFE = yaml.constructor.SafeConstructor
for _name, _function in {
    "tag:yaml.org,2002:null": _null,
    "tag:yaml.org,2002:bool": _bool,
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:timestamp": _timestamp,
    "tag:yaml.org,2002:str": _SAFE.construct_yaml_str,
    "tag:yaml.org,2002:seq": _SAFE.construct_yaml_seq,
    "tag:yaml.org,2002:map": _SAFE.construct_yaml_map,
    None: _Constructor.construct_undefined,
}.items():
    _Constructor.add_constructor(_name, _function)


class _Loader(CParser, _Constructor, _Resolver):  # type: ignore[misc]
    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def fast_load(text: str) -> Any:
    """The data of ``text`` as ruamel's safe loader builds it, or :class:`Unusual`.

    The caller has checked the limits (no anchors, bounded nesting and size) beforehand.
    """
    if text.startswith("%") or "\n%" in text:
        raise Unusual  # a directive (%YAML 1.1 changes the resolution)
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except Unusual:
        raise
    except Exception as error:  # a syntax error, two documents, a constructor PyYAML refuses
        raise Unusual from error
    finally:
        loader.dispose()
