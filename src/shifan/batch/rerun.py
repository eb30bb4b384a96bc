"""What a rerun may skip: an applicant whose manifest entry still matches its inputs, outputs and
rubric, checked by size and times before any file is read (see :mod:`shifan.batch.manifest`)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from stat import S_ISREG
from typing import Any

from shifan.batch.discover import SourceFile
from shifan.batch.items import DepRecord
from shifan.batch.manifest import BatchSettings, Header, dep_unchanged
from shifan.errors import ShifanError
from shifan.files import criteria_dir

#: A file changed this close to the previous scan is read again even if its size and times are
#: unchanged (a change within the same clock tick would not show in them).
SETTLED_NS = 2_000_000_000


def _rubric_sha(ref: str, cache: dict[str, str]) -> str:
    if ref not in cache:
        from shifan.batch.worker import cached_rubric

        try:
            cache[ref] = cached_rubric(ref).sha256
        except ShifanError:
            cache[ref] = ""
    return cache[ref]


def criteria_stamp(criteria: str | None) -> list[list[Any]]:
    """Size and times of every shipped rubric file; empty when ``criteria`` names a file of its own
    (then each rubric is loaded to learn its digest)."""
    if criteria is not None and os.path.exists(criteria):
        return []
    root = str(criteria_dir())
    stamp: list[list[Any]] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            info = os.stat(path)
            stamp.append([os.path.relpath(path, root), info.st_size, info.st_mtime_ns, info.st_ctime_ns])
    return stamp


def known_rubrics(old: Header, stamp: list[list[Any]], settings: BatchSettings) -> dict[str, str]:
    """The rubric digests of the previous run, when no rubric file changed since (checked as the
    scan checks files: by size and times, not within the clock tick of that run)."""
    settled = old.scanned_ns - SETTLED_NS
    if not stamp or old.settings != settings or old.criteria != stamp or any(s[3] >= settled for s in stamp):
        return {}
    return dict(old.rubrics)


def unchanged(
    entry: dict[str, Any],
    app: SourceFile,
    reviews: list[SourceFile],
    rubric_shas: dict[str, str],
    out: Path,
    seen: dict[tuple[str, DepRecord], bool],
) -> bool:
    """Whether the entry a previous run recorded still holds: same file, reviews, rubric and
    dependencies, and its outputs still there."""
    try:
        if entry["failure"] or not isinstance(entry["row"], dict) or entry["app_sha"] != app.sha:
            return False
        if entry["reviews"] != [[r.rel, r.sha] for r in reviews]:
            return False
        ref, sha = entry["rubric"]
        if not sha or _rubric_sha(ref, rubric_shas) != sha:
            return False
        folder = str(out)
        pairs = itertools.zip_longest(entry["outputs"], entry["sizes"])
        if not all(_output_there(os.path.join(folder, path), size) for path, size in pairs):
            return False
        for path, stored in entry["deps"].items():  # files shared by many applicants are checked once
            record: DepRecord = tuple(stored) if stored is not None else None
            key = (path, record)
            if key not in seen:
                seen[key] = dep_unchanged(path, record)
            if not seen[key]:
                return False
        return True
    except (KeyError, TypeError, ValueError, AttributeError):  # not an entry this version wrote
        return False


def _output_there(path: str, size: int | None) -> bool:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    return S_ISREG(info.st_mode) and (size is None or info.st_size == size)
