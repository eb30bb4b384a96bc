"""Attachment paths resolve like ``os.path.realpath(strict=True)``, each folder once."""

from __future__ import annotations

import os
from pathlib import Path


def test_attachment_paths_resolve_as_realpath(tmp_path: Path) -> None:
    from shifan.load.application import _realpath

    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    (tmp_path / "in" / "sub" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "in" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "in" / "dirlink").symlink_to(tmp_path)
    folders: dict[str, str] = {}
    root = str(tmp_path / "in")
    for raw in ["sub/a.txt", "link.txt", "dirlink/outside.txt", "sub/../link.txt", "sub/./a.txt", "sub", "sub/"]:
        joined = f"{root}/{raw}"
        assert _realpath(joined, folders) == os.path.realpath(joined, strict=True), raw
