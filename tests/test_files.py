"""Atomic output files: whole or absent, with the permissions the user's umask gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shifan.errors import OutputError
from shifan.files import atomic_write_text


def test_outputs_have_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    old = os.umask(0o022)
    try:
        atomic_write_text(target, "x")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    atomic_write_text(target, "old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "\udc80", encoding="utf-8")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_directory_in_the_way_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="目录"):
        atomic_write_text(tmp_path, "x")
