"""The batch manifest: what each output was made from, so a rerun redoes only what changed.

An applicant is skipped when its application bytes, its reviews, every other file it read
(attachments, a county's roster files), its rubric's content, the settings (rubric option,
as_of, output formats) and the tool version are all unchanged and its outputs exist with the
sizes written. Files are compared by size and modification time first and hashed only when
those differ (as ``git`` and ``make`` do); the scan records what it found for the next run.

``manifest.json`` is one JSON document written with one applicant per line, so a run reads it
line by line and keeps only where each applicant's entry is (the entries stay on disk until
needed). While a batch runs, each finished applicant is appended to ``manifest.journal`` (one
JSON line, with the digest of every output it lists); at the end the outputs are made durable
with one flush, then the manifest is rewritten from the old one and the journal, and the journal
removed. A journal left by a killed run is replayed when the next run loads the manifest: an
entry whose outputs are not all there with the digests recorded is dropped, so that applicant is
redone.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from shifan.batch.discover import FileRecord
from shifan.batch.items import DepRecord, ReviewPeek
from shifan.files import file_mode, fsync_path, sha256_file, sync_folder

FILENAME = "manifest.json"
JOURNAL = "manifest.journal"
FORMAT = 4

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


@dataclass(frozen=True)
class BatchSettings:
    """The options a batch ran with; any change redoes every applicant."""

    tool: str
    criteria: str | None
    as_of: str | None
    formats: tuple[str, ...]  # per-applicant output formats, in the order written

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "criteria": self.criteria, "as_of": self.as_of, "formats": list(self.formats)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BatchSettings:
        formats = data["formats"]
        if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
            raise TypeError("formats")
        return cls(_text(data["tool"]), _text_or_none(data["criteria"]), _text_or_none(data["as_of"]), tuple(formats))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


@dataclass
class Header:
    """Everything in the manifest but the entries."""

    settings: BatchSettings | None = None
    summary_key: str = ""
    scanned_ns: int = 0  # when the scan that recorded ``files`` began
    files: dict[str, FileRecord] = field(default_factory=dict)  # what the scan found (not read again if unchanged)
    reviews: dict[str, ReviewPeek] = field(default_factory=dict)
    rubrics: dict[str, str] = field(default_factory=dict)  # rubric reference -> sha256, as of ``criteria``
    criteria: list[list[Any]] = field(default_factory=list)  # the shipped rubric files, with size and times

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "settings": self.settings.to_dict() if self.settings is not None else None,
            "summary_key": self.summary_key,
            "scanned_ns": self.scanned_ns,
            "files": self.files,
            "reviews": {rel: asdict(peek) for rel, peek in sorted(self.reviews.items())},
            "rubrics": self.rubrics,
            "criteria": self.criteria,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Header:
        if data.get("format") != FORMAT:
            raise ValueError("another format")
        settings = data["settings"]
        return cls(
            settings=BatchSettings.from_dict(settings) if settings is not None else None,
            summary_key=_text(data["summary_key"]),
            scanned_ns=int(data["scanned_ns"]),
            files={_text(rel): tuple(record) for rel, record in data["files"].items()},
            reviews={_text(rel): ReviewPeek(**peek) for rel, peek in data["reviews"].items()},
            rubrics={_text(ref): _text(sha) for ref, sha in data["rubrics"].items()},
            criteria=list(data["criteria"]),
        )

    def same_inputs(self, other: Header) -> bool:
        """Whether ``other`` records the same settings, files, reviews and rubrics."""
        return (self.settings, self.files, self.reviews, self.rubrics, self.criteria) == (
            other.settings,
            other.files,
            other.reviews,
            other.rubrics,
            other.criteria,
        )


#: Where an entry's JSON is: (index of the open file, offset, length).
Where = tuple[int, int, int]


@dataclass
class Manifest:
    """A manifest being read or made: its header, and each applicant's entry where it lies on disk."""

    header: Header = field(default_factory=Header)
    where: dict[str, Where] = field(default_factory=dict)
    replayed: bool = False  # a killed run's journal was read: the manifest must be rewritten
    journal_settings: BatchSettings | None = None  # the settings the journal was written with
    journal_end: int = 0  # the end of the journal's last whole line
    _files: list[BinaryIO] = field(default_factory=list, repr=False)

    @property
    def settings(self) -> BatchSettings | None:
        return self.header.settings

    def raw(self, rel: str) -> bytes:
        index, offset, length = self.where[rel]
        return os.pread(self._files[index].fileno(), length, offset)

    def entry(self, rel: str) -> dict[str, Any] | None:
        """The entry of ``rel`` as read (see ``shifan.batch.model.ManifestEntry`` for its fields),
        or None when there is none or it cannot be read."""
        if rel not in self.where:
            return None
        try:
            entry = json.loads(self.raw(rel))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) else None

    def open(self, path: Path) -> int:
        self._files.append(open(path, "rb"))  # noqa: SIM115 - kept open for the run, closed by close()
        return len(self._files) - 1

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files.clear()
        self.where.clear()


_ITEM = re.compile(rb'^("(?:[^"\\]|\\.)*"):')


def load_manifest(out: Path) -> Manifest:
    """The manifest of a previous run in ``out``, with a killed run's journal replayed over it;
    empty when absent, unreadable or of another format."""
    manifest = Manifest()
    try:
        _read_items(out / FILENAME, manifest)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        manifest.close()
        manifest = Manifest()
    _replay(out, manifest)
    return manifest


def _read_items(path: Path, manifest: Manifest) -> None:
    index = manifest.open(path)
    handle = manifest._files[index]
    first = handle.readline()
    if not first.endswith(b'"items":{\n'):
        raise ValueError("not a manifest of this format")
    manifest.header = Header.from_dict(json.loads(first[: -len(b'"items":{\n')].rstrip(b",") + b"}"))
    offset = len(first)
    for line in handle:
        match = _ITEM.match(line)
        if match is not None:
            end = len(line) - (2 if line.endswith(b",\n") else 1)
            manifest.where[json.loads(match.group(1))] = (index, offset + match.end(), end - match.end())
        offset += len(line)


def _replay(out: Path, manifest: Manifest) -> None:
    path = out / JOURNAL
    try:
        index = manifest.open(path)
    except OSError:
        return
    manifest.replayed = True
    handle = manifest._files[index]
    offset = 0
    for line in handle:
        try:
            record = json.loads(line)
            if offset == 0:
                settings = BatchSettings.from_dict(record["settings"])
                manifest.journal_settings = settings
                if settings != manifest.header.settings:
                    manifest.header = Header(settings=settings)
                    manifest.where.clear()
            else:
                rel = record["rel"]
                start = line.index(b',"entry":') + len(b',"entry":')  # rel and digests come first
                if _outputs_intact(out, record["entry"]["outputs"], record["digests"]):
                    manifest.where[rel] = (index, offset + start, len(line) - 2 - start)
                else:
                    manifest.where.pop(rel, None)  # redone: its outputs did not all reach the disk
        except (ValueError, KeyError, TypeError, AttributeError):
            return  # the line being written when the batch was killed, and nothing after it
        offset += len(line)
        manifest.journal_end = offset


def _outputs_intact(out: Path, outputs: list[str], digests: list[str]) -> bool:
    if len(outputs) != len(digests):
        return False
    try:
        return all(sha256_file(out / path) == digest for path, digest in zip(outputs, digests, strict=True))
    except OSError:
        return False


class Journal:
    """Appends finished applicants to ``manifest.journal``, one line each, as they finish."""

    def __init__(self, out: Path, manifest: Manifest, settings: BatchSettings) -> None:
        path = out / JOURNAL
        keep = manifest.journal_settings == settings  # a killed run's journal with these settings goes on
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, file_mode())
        self._offset = manifest.journal_end if keep else 0
        os.ftruncate(self._fd, self._offset)  # a line cut short by the kill, or another run's journal
        self._index = manifest.open(path)
        self._manifest = manifest
        if not keep:
            self._write(b'{"settings":' + _json(settings.to_dict()) + b"}\n")

    def _write(self, data: bytes) -> None:
        os.write(self._fd, data)
        self._offset += len(data)

    def add(self, rel: str, raw: bytes, digests: list[str]) -> None:
        """Record ``rel`` as finished, with its entry (JSON) and the digest of each output it lists."""
        prefix = b'{"rel":' + _json(rel) + b',"digests":' + _json(digests) + b',"entry":'
        start = self._offset + len(prefix)
        self._write(prefix + raw + b"}\n")
        self._manifest.where[rel] = (self._index, start, len(raw))

    def close(self) -> None:
        os.close(self._fd)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _lines(manifest: Manifest, rels: Iterable[str]) -> Iterator[bytes]:
    ordered = sorted(rels)
    for number, rel in enumerate(ordered, start=1):
        yield _json(rel) + b":" + manifest.raw(rel) + (b",\n" if number < len(ordered) else b"\n")


def save_manifest(out: Path, manifest: Manifest, header: Header, rels: Iterable[str], outputs: Iterable[Path]) -> None:
    """Commit a run: make every file written under ``out`` durable (one flush), then replace the
    manifest with ``header`` and the entries of ``rels``, then remove the journal it supersedes.

    ``outputs`` are flushed one by one only where the system cannot flush a whole file system."""
    fd, tmp = tempfile.mkstemp(prefix=f".{FILENAME}.", suffix=".tmp", dir=out)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(header.to_json()[:-1] + b',"items":{\n')
            for line in _lines(manifest, rels):
                handle.write(line)
            handle.write(b"}}\n")
        os.chmod(tmp, file_mode())
        sync_folder(out, [*outputs, Path(tmp)])
        os.replace(tmp, out / FILENAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_path(out)  # the rename
    (out / JOURNAL).unlink(missing_ok=True)
