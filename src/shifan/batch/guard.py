"""Keeping a batch honest about its processes: one run owns an output folder at a time, workers
die with the process that started them, and a worker writes only while its run still owns the
folder (an orphan of a killed run never overwrites a newer run's outputs).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shifan.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the run id in the lock file still guards writes
    fcntl = None  # type: ignore[assignment]

#: The lock file in the output folder: holds the id of the run that owns the folder.
LOCK = ".shifan-batch.lock"
_PR_SET_PDEATHSIG = 1


@contextmanager
def own_output(out: Path) -> Iterator[str]:
    """Own ``out`` for the duration of a run and yield the run's id; a second live run on the
    same folder is refused (the lock is released by the system when the run dies)."""
    lock = out / LOCK
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as error:
        raise OutputError(f"无法写入 {lock}：{error.strerror or error}") from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise OutputError(f"输出目录 {out} 正由另一次批处理使用；请等它结束后再运行") from None
        run_id = uuid.uuid4().hex
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{run_id} {os.getpid()}\n".encode("ascii"), 0)
        yield run_id
    finally:
        os.close(fd)


def still_owner(out: Path, run_id: str) -> bool:
    """Whether the run ``run_id`` still owns ``out`` (no newer run has taken it over)."""
    try:
        return (out / LOCK).read_text(encoding="ascii").split(" ", 1)[0] == run_id
    except (OSError, UnicodeDecodeError):
        return False


def die_with_parent(parent: int) -> None:
    """Make this (worker) process end when ``parent`` does, even if the parent is killed with
    SIGKILL and cannot shut its workers down."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's "stop cleanly" handler is not for workers
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the ownership check remains
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def stop_cleanly_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into an interruption while a batch runs, so its workers are shut down and
    its manifest saved as on Ctrl-C (only in the main thread, where signals are delivered)."""
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
