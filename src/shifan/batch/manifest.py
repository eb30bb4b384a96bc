"""The batch manifest: what each output was made from, so a rerun redoes only what changed.

An applicant is skipped when its application bytes, its reviews, every other file it read
(attachments, a county's roster files), its rubric's content, the settings (rubric option,
as_of, output formats) and the tool version are all unchanged and its outputs exist. Files other
than the application and its reviews are compared by size and modification time first and hashed
only when those differ (as ``git`` and ``make`` do).

While a batch runs, each finished applicant is appended to a journal (``manifest.journal``,
one JSON line each, flushed to disk about once a second together with the outputs it lists),
so a killed batch keeps what it finished without rewriting the whole manifest each time. At the
end the manifest is rewritten once, only when something changed, and the journal removed; a
journal left by a killed batch is replayed over the manifest when the next run loads it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from pydantic import BaseModel, Field, ValidationError

from shifan.batch.model import DepRecord, ReviewPeek, SummaryRow
from shifan.files import atomic_write_text, sha256_file, sync_written

FILENAME = "manifest.json"
JOURNAL = "manifest.journal"
FORMAT = 2


_HASHES: dict[tuple[str, int, int], str] = {}


def dep_record(path: str) -> DepRecord:
    """``(size, mtime_ns, sha256)`` of a file, or None when it does not exist.

    A file shared by many applicants (a county's roster entry, common evidence) is hashed once
    per process."""
    try:
        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in _HASHES:
            _HASHES[key] = sha256_file(Path(path))
        return (stat.st_size, stat.st_mtime_ns, _HASHES[key])
    except OSError:
        return None


def dep_unchanged(path: str, stored: DepRecord) -> bool:
    try:
        stat = os.stat(path)
    except OSError:
        return stored is None
    if stored is None:
        return False
    if (stat.st_size, stat.st_mtime_ns) == stored[:2]:
        return True
    try:
        return bool(sha256_file(Path(path)) == stored[2])
    except OSError:
        return False


class BatchSettings(BaseModel):
    """The options a batch ran with; any change redoes every applicant."""

    tool: str
    criteria: str | None
    as_of: str | None
    formats: list[str] = Field(description="逐个申报单位输出的格式，按写出顺序")


class ManifestEntry(BaseModel):
    """What one applicant's outputs were made from, and its summary row or failure."""

    app_sha: str
    reviews: list[tuple[str, str]] = Field(description="评审意见表：相对路径和 sha256")
    deps: dict[str, DepRecord] = Field(description="读取的其他文件")
    rubric: tuple[str, bool, str] = Field(description="评分标准：引用、是否按申报文件指定、sha256")
    outputs: list[str]
    row: SummaryRow | None
    failure: list[str] | None


class Manifest(BaseModel):
    format: int = FORMAT
    settings: BatchSettings | None = None
    summary_key: str = ""
    reviews: dict[str, ReviewPeek] = Field(default_factory=dict)
    items: dict[str, ManifestEntry] = Field(default_factory=dict)
    files: dict[str, tuple[int, int, str, str | None]] = Field(
        default_factory=dict, description="扫描到的文件：大小、修改时间、sha256、类型（重新运行时据此跳过读取）"
    )
    scanned_ns: int = Field(0, description="上次扫描开始的时间（纳秒）")

    def to_json(self) -> str:
        ordered = self.model_copy(
            update={"reviews": dict(sorted(self.reviews.items())), "items": dict(sorted(self.items.items()))}
        )
        return ordered.model_dump_json() + "\n"


def load_manifest(out: Path) -> Manifest:
    """The manifest of a previous run in ``out``, with the journal of a killed run replayed over
    it; empty when absent, unreadable or of another format."""
    try:
        manifest = Manifest.model_validate_json((out / FILENAME).read_bytes())
    except (OSError, ValidationError):
        manifest = Manifest()
    if manifest.format != FORMAT:
        manifest = Manifest()
    _replay(out / JOURNAL, manifest)
    return manifest


def _replay(path: Path, manifest: Manifest) -> None:
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return
    for line in lines:
        try:
            record = json.loads(line)
            if "settings" in record:
                settings = BatchSettings.model_validate(record["settings"])
                if settings != manifest.settings:
                    manifest.settings, manifest.items = settings, {}
            else:
                manifest.items[record["rel"]] = ManifestEntry.model_validate(record["entry"])
        except (ValueError, KeyError, TypeError, ValidationError):
            return  # the line being written when the batch was killed, and nothing after it


def save_manifest(out: Path, manifest: Manifest) -> None:
    """Commit the outputs written so far (workers write them without a flush each), then the
    manifest that lists them; the journal it supersedes is removed."""
    sync_written()
    atomic_write_text(out / FILENAME, manifest.to_json(), durable=True)
    (out / JOURNAL).unlink(missing_ok=True)


class Journal:
    """Appends finished applicants to ``manifest.journal``; :meth:`flush` makes them durable."""

    def __init__(self, out: Path, settings: BatchSettings) -> None:
        self._path = out / JOURNAL
        self._settings = settings
        self._lines: list[bytes] = []
        self._file: IO[bytes] | None = None

    def add(self, rel: str, entry: ManifestEntry) -> None:
        self._lines.append(
            b'{"rel":' + json.dumps(rel).encode() + b',"entry":' + entry.model_dump_json().encode() + b"}\n"
        )

    def flush(self) -> None:
        """Commit the outputs written so far, then the lines that list them."""
        if not self._lines:
            return
        if self._file is None:
            self._file = self._path.open("ab")
            self._file.write(b'{"settings":' + self._settings.model_dump_json().encode() + b"}\n")
        sync_written()
        self._file.write(b"".join(self._lines))
        self._file.flush()
        os.fsync(self._file.fileno())
        self._lines.clear()

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None
