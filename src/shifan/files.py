"""Files: where the shipped data is, atomic writes (a temporary file beside the target, then a
rename) and digests.

Durability: each atomic write is flushed to disk (``fsync``) before its rename, except inside
:func:`deferred_sync`, where a batch writes many outputs and makes them durable together with one
:func:`sync_written` before its manifest records them (a group commit: after a crash, an output
the manifest lists is complete, and one it does not list is redone).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shifan.errors import OutputError

_DEFERRED = False


@contextmanager
def deferred_sync() -> Iterator[None]:
    """Atomic writes inside skip their own fsync; the caller's process commits them with
    :func:`sync_written` before recording them as done."""
    global _DEFERRED
    before, _DEFERRED = _DEFERRED, True
    try:
        yield
    finally:
        _DEFERRED = before


def sync_written() -> None:
    """Flush every file written so far to disk, in one call (the commit of a group of writes)."""
    os.sync()


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one.

    ``durable`` (default: unless inside :func:`deferred_sync`) flushes the data to disk before the
    rename, so a crash never leaves a renamed but empty file."""
    sync = not _DEFERRED if durable is None else durable
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"无法写入 {path}：这是一个目录，请给出文件名")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError(f"无法写入 {path}：{error.strerror or error}") from None
    try:
        # mkstemp creates 0600; outputs get the ordinary permissions the user's umask allows.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"无法写入 {path}：{error.strerror or error}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8", durable: bool | None = None) -> None:
    atomic_write_bytes(path, text.encode(encoding), durable=durable)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(Path(path).read_bytes())


PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The shipped folder ``name`` (criteria, templates): package data when installed from a
    wheel, the repository's top-level folder when running from a checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent.parent / name):
        if candidate.is_dir():
            return candidate
    return PACKAGE_DIR / name


def criteria_dir() -> Path:
    return data_dir("criteria")


def templates_dir() -> Path:
    return data_dir("templates")


def looks_absolute(raw: str) -> bool:
    """Whether a path written in a file is absolute on any system (``/x``, ``\\x``, ``~x``, ``C:x``),
    where only a path relative to that file is allowed."""
    return os.path.isabs(raw) or raw.startswith(("\\", "~")) or (len(raw) > 1 and raw[1] == ":")
