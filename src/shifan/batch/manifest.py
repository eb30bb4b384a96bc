"""The batch manifest: what each output was made from, so a rerun redoes only what changed.

An applicant is skipped when its application bytes, its reviews, every other file it read
(attachments, a county's roster files), its rubric's content, the settings (rubric option,
as_of, PDFs) and the tool version are all unchanged and its outputs exist. Files other than
the application and its reviews are compared by size and modification time first and hashed
only when those differ (as ``git`` and ``make`` do).

The manifest is rewritten atomically during the batch, so a killed batch keeps what it finished.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shifan.files import atomic_write_text, sha256_file

FILENAME = "manifest.json"
FORMAT = 1

DepRecord = list[Any] | None


_HASHES: dict[tuple[str, int, int], str] = {}


def dep_record(path: str) -> DepRecord:
    """``[size, mtime_ns, sha256]`` of a file, or None when it does not exist.

    A file shared by many applicants (a county's roster entry, common evidence) is hashed once
    per process."""
    try:
        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in _HASHES:
            _HASHES[key] = sha256_file(Path(path))
        return [stat.st_size, stat.st_mtime_ns, _HASHES[key]]
    except OSError:
        return None


def dep_unchanged(path: str, stored: DepRecord) -> bool:
    try:
        stat = os.stat(path)
    except OSError:
        return stored is None
    if stored is None:
        return False
    if [stat.st_size, stat.st_mtime_ns] == stored[:2]:
        return True
    try:
        return bool(sha256_file(Path(path)) == stored[2])
    except OSError:
        return False


@dataclass
class Manifest:
    settings: dict[str, Any] = field(default_factory=dict)
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary_key: str = ""

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "settings": self.settings,
            "summary_key": self.summary_key,
            "reviews": dict(sorted(self.reviews.items())),
            "items": dict(sorted(self.items.items())),
        }
        # Compact on purpose: indentation switches json to its pure-Python encoder (20x slower).
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def load_manifest(out: Path) -> Manifest:
    """The manifest of a previous run in ``out``; empty when absent, unreadable or of another format."""
    try:
        data = json.loads((out / FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Manifest()
    return Manifest(
        settings=dict(data.get("settings") or {}),
        reviews=dict(data.get("reviews") or {}),
        items=dict(data.get("items") or {}),
        summary_key=str(data.get("summary_key") or ""),
    )


def save_manifest(out: Path, manifest: Manifest) -> None:
    atomic_write_text(out / FILENAME, manifest.to_json())
