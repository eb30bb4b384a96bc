"""The cheap looks at a file's text that let the reader skip a walk never skip a real finding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import shifan.read.yamlmistakes as yamlmistakes
from conftest import ROOT
from shifan.errors import InputError
from shifan.read.text import dates_out_of_range, may_hold_dates_out_of_range, may_hold_refused, refused_in_data
from shifan.read.yamldoc import parse_document
from shifan.read.yamlmistakes import Mistake, mistakes

SAMPLES = sorted((ROOT / "applications").rglob("*.yaml"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_agree_with_the_full_walks(path: Path) -> None:
    document = parse_document(path.read_bytes(), path)
    if not may_hold_refused(document.text):
        assert list(refused_in_data(document.data)) == []
    if not may_hold_dates_out_of_range(document.text):
        assert list(dates_out_of_range(document.data)) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("opened: 1899-12-31\n", True),
        ("opened: 2200-01-01\n", True),
        ("opened: 2024-03-01\n", False),
        ("number: 18990-01-01\n", False),  # five digits: not a timestamp
        ("note: 平常的文字\n", False),
    ],
)
def test_years_outside_the_range_are_noticed(text: str, found: bool) -> None:
    assert may_hold_dates_out_of_range(text) is found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name: "康宁\\u200b护理院"\n', "含有不允许的字符"),
        ("name: 康宁\nopened: 1899-12-31\n", "日期超出范围"),
    ],
)
def test_what_the_walks_find_is_still_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(InputError) as raised:
        parse_document(path.read_bytes(), path)
    assert message in raised.value.problems[0].message


class _EverywhereSuspect:
    """Stands in for the whole-text pattern so that every text is scanned line by line."""

    def search(self, text: str) -> re.Match[str] | bool:
        return True


def _scanned(text: str, *, paths_only: bool) -> list[Mistake]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlmistakes, "_NO_SPACE_ANYWHERE", _EverywhereSuspect())
        return mistakes(text, paths_only=paths_only)


LINE = st.text(alphabet=st.sampled_from(list('ab_:：\u3000 -#|>\\"x1/')), max_size=12)


@given(st.lists(LINE, max_size=8))
def test_the_shortcut_finds_what_the_line_scan_finds(lines: list[str]) -> None:
    text = "\n".join(lines)
    for paths_only in (True, False):
        assert mistakes(text, paths_only=paths_only) == _scanned(text, paths_only=paths_only)
