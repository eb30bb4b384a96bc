"""Files: where the shipped data is, atomic writes (a temporary file beside the target, then a
rename) and digests.

Durability: an atomic write is flushed to disk (``fsync``) before its rename, except inside
:func:`deferred_sync`, where a batch writes many files and makes them durable together with one
:func:`sync_folder` before its manifest records them (a group commit: after a crash, an output
the manifest lists is complete, and one it does not list is redone).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from shifan.errors import OutputError, UsageError

_DEFERRED = False


@contextmanager
def deferred_sync() -> Iterator[None]:
    """Atomic writes inside skip their own fsync: the caller commits them all at once with
    :func:`sync_folder` before recording them as done."""
    global _DEFERRED
    before, _DEFERRED = _DEFERRED, True
    try:
        yield
    finally:
        _DEFERRED = before


def _syncfs(fd: int) -> bool:
    """Flush the whole file system holding ``fd`` (Linux ``syncfs``); False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.syncfs(fd) == 0)
    except (OSError, AttributeError):
        return False


def fsync_path(path: Path) -> None:
    """Flush one file or folder to disk (folders: the names renamed into them)."""
    is_dir = path.is_dir()
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if is_dir else 0))
    try:
        os.fsync(fd)
    except OSError:
        if not is_dir:  # some systems cannot fsync a folder; its files are still durable
            raise
    finally:
        os.close(fd)


def sync_folder(folder: Path, files: Iterable[Path] = ()) -> None:
    """Make durable, in one flush, everything written and renamed under ``folder``: on Linux one
    ``syncfs`` of its file system; elsewhere an fsync of each of ``files`` and of their folders."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if _syncfs(fd):
            return
    finally:
        os.close(fd)
    folders = {Path(folder)}
    for path in files:
        try:
            fsync_path(Path(path))
        except FileNotFoundError:
            continue
        folders.add(Path(path).parent)
    for each in sorted(folders):
        fsync_path(each)


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one.

    ``durable`` (default: unless inside :func:`deferred_sync`) flushes the data to disk before the
    rename, so a crash never leaves a renamed but empty file."""
    with atomic_output(path, durable=durable) as handle:
        handle.write(data)


@contextmanager
def atomic_output(path: Path, *, durable: bool | None = None) -> Iterator[BinaryIO]:
    """A file to write ``path`` through, piece by piece: a temporary file beside it, renamed over
    ``path`` when the block ends without an error (and removed when it raises).

    ``durable`` as for :func:`atomic_write_bytes`."""
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
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as handle:
            yield handle
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


def file_mode() -> int:
    """The permissions of a new output file: the ordinary ones the user's umask allows."""
    current = os.umask(0)
    os.umask(current)
    return 0o666 & ~current


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8", durable: bool | None = None) -> None:
    atomic_write_bytes(path, text.encode(encoding), durable=durable)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class NotRegularFileError(OSError):
    """Raised when a path names a FIFO, a device or a socket, which are never read as input."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"不是普通文件：{path}")
        self.strerror = "不是普通文件（管道、设备等不能作为输入）"


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, without ever blocking on a FIFO or reading a device.

    A directory raises IsADirectoryError, anything else that is not a regular file
    NotRegularFileError."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(Path(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, at most ``limit + 1`` of them (so a caller sees it is too long)."""
    with open_regular(path) as handle:
        return handle.read(limit + 1)


def sha256_file(path: Path) -> str:
    """Digest of a regular file, read in chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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


def refuse_own_input(output: Path, inputs: list[Path]) -> None:
    """Refuse to write ``output`` when it is one of the command's own inputs (a report written
    over the application it reports on)."""
    for source in inputs:
        try:
            same = os.path.samefile(output, source)
        except (OSError, ValueError):
            same = os.path.abspath(output) == os.path.abspath(source)
        if same:
            raise UsageError(f"输出文件 {output} 是本命令的输入文件，不能覆盖；请另选输出文件名")
