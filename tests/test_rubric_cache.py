"""Rubric files are read once per process while unchanged, and again as soon as they change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import shifan.load.rubric as rubric_loader
from conftest import ROOT
from shifan.load.rubric import load_rubric


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    reads: list[Path] = []
    original = rubric_loader._READER.load

    def load(path: Path, *args: object, **kwargs: object) -> object:
        reads.append(Path(path))
        return original(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rubric_loader._READER, "load", load)
    monkeypatch.setattr(rubric_loader, "_READ", {})
    return reads


def test_a_shared_base_is_read_once(counted_reads: list[Path], tmp_path: Path) -> None:
    criteria = tmp_path / "criteria"
    shutil.copytree(ROOT / "criteria", criteria)
    first = load_rubric("anhui/institution", roots=[criteria])
    second = load_rubric("anhui/institution", roots=[criteria])
    national = load_rubric("national/institution", roots=[criteria])
    assert first == second
    assert national.id == "national/institution"
    assert sorted(p.name for p in counted_reads) == ["institution.yaml", "institution.yaml"]
    assert {p.parent.name for p in counted_reads} == {"anhui", "national"}


def test_a_changed_file_is_read_again(counted_reads: list[Path], tmp_path: Path) -> None:
    criteria = tmp_path / "criteria"
    shutil.copytree(ROOT / "criteria", criteria)
    overlay = criteria / "anhui" / "institution.yaml"
    before = load_rubric("anhui/institution", roots=[criteria])
    text = overlay.read_text(encoding="utf-8")
    overlay.write_text(text.replace(f"title: {before.title}", "title: 改过的标题", 1), encoding="utf-8")
    stamp = overlay.stat().st_mtime_ns + 1_000_000_000
    os.utime(overlay, ns=(stamp, stamp))
    after = load_rubric("anhui/institution", roots=[criteria])
    assert after.title == "改过的标题"
    assert [p.parent.name for p in counted_reads].count("anhui") == 2
