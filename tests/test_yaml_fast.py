"""The libyaml fast path builds exactly what ruamel's YAML 1.2 safe loader builds, or steps aside."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from conftest import ROOT
from shifan.read.yamldoc import _may_exceed_limits
from shifan.read.yamlfast import Unusual, fast_load

FILES = sorted(
    p for folder in ("criteria", "applications", "templates", "tests") for p in (ROOT / folder).rglob("*.y*ml")
)


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types (bool is not int, int is not float, date is not datetime)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(ka, kb) and same(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def ruamel(text: str) -> tuple[bool, Any]:
    try:
        return True, YAML(typ="safe").load(text)
    except Exception:
        return False, None


def fast(text: str) -> tuple[bool, Any]:
    try:
        return True, fast_load(text)
    except Unusual:
        return False, None


def test_every_yaml_file_of_the_repository() -> None:
    compared = stepped_aside = 0
    for path in FILES:
        try:
            text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            continue  # refused before parsing
        if "\x00" in text or _may_exceed_limits(text):
            continue  # refused before parsing, or parsed by ruamel after the event pre-scan
        ok_ruamel, expected = ruamel(text)
        ok_fast, got = fast(text)
        if ok_fast:
            assert ok_ruamel, f"{path}: ruamel refuses what the fast path accepted"
            assert same(got, expected), f"{path}: the two parsers disagree"
            compared += 1
        else:
            stepped_aside += 1
    assert compared > 150
    # every shipped or sample file (rubrics, applications, review sheets, templates) takes the fast path
    shipped = [p for p in FILES if "bad_inputs" not in p.parts and p.relative_to(ROOT).parts[0] != "tests"]
    assert len(shipped) > 20
    aside = [str(p.relative_to(ROOT)) for p in shipped if not fast(p.read_text(encoding="utf-8"))[0]]
    assert aside == [], stepped_aside


SCALARS = [
    "010", "0o10", "0x1F", "1_000", "+5", "-0", "007", "-010", "1e400", "-1e400", "1e5", "1.", "1.5e3", ".5",
    ".5e3", "1e", "-.inf", ".Inf", ".NaN", ".nan", "yes", "no", "on", "off", "y", "n", "Yes", "True", "FALSE",
    "2024-01-02", "2024-1-2", "2024-01-02 10:00:00", "2024-01-02T10:00:00Z", "2024-02-30", "~", "Null", "",
    "'x'", '"010"', "0b101", "1:20", "0.1_0", "!!str 5", "!!int 5", "!!binary aGk=", "=", "[1, 2]", "{b: 1}",
    "{b: 1, b: 2}", "{[1]: 2}", "{1: a, 1.0: b}", "{true: a, 1: b}", "? [a]\n  : b",
]  # fmt: skip


@pytest.mark.parametrize("scalar", SCALARS)
def test_scalar_resolved_as_by_ruamel(scalar: str) -> None:
    text = f"a: {scalar}\n"
    ok_ruamel, expected = ruamel(text)
    ok_fast, got = fast(text)
    if ok_fast:
        assert ok_ruamel and same(got, expected)


@pytest.mark.parametrize(
    "text",
    ["a: 1\na: 2\n", "%YAML 1.1\n---\na: yes\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n", "base: &b {x: 1}\nc:\n  <<: *b\n"],
)
def test_unusual_texts_step_aside(text: str) -> None:
    with pytest.raises(Unusual):
        fast_load(text)


def test_yes_no_stay_strings() -> None:
    assert fast_load("a: yes\nb: no\nc: on\nd: off\ne: 010\n") == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "off",
        "e": 10,
    }


def test_repository_files_exist() -> None:
    assert any(Path(p).suffix == ".yaml" for p in FILES)
