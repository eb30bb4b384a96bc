"""Paired whole-process timing shared by the bench scripts (not a test).

Two commands run alternately (A B A B ...) so that the machine's load, which changes over a run,
falls on both alike; the figure reported is the median of the per-pair ratios A/B, with the
range. Absolute seconds on a shared machine mean little; the ratios are the figures to compare.
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shifan_env(src: Path | None = None) -> dict[str, str]:
    """The environment of a ``python -m shifan`` run against the source tree ``src``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src or ROOT / "src")
    return env


def shifan(*args: str) -> list[str]:
    return [sys.executable, "-m", "shifan", *args]


@dataclass
class Timing:
    wall: float
    cpu: float
    parent_kb: int = 0  # peak RSS of the process itself (VmHWM), when sampled
    worker_kb: int = 0  # largest peak RSS among its child processes, when sampled


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.extend(int(c) for c in task.read_text().split())
    return found


def run(
    command: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None, *, memory: bool = False
) -> Timing:
    """Wall and CPU seconds of one process (with its children); with ``memory``, the peak RSS of
    the process and of its largest child, sampled from /proc every 50 ms (Linux)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(list(command), env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent_kb = worker_kb = 0
    if memory:
        while proc.poll() is None:
            parent_kb = max(parent_kb, _hwm_kb(proc.pid))
            for child in _children(proc.pid):
                worker_kb = max(worker_kb, _hwm_kb(child))
            time.sleep(0.05)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.stderr.write(stderr.decode("utf-8", "replace"))
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(command)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, parent_kb, worker_kb)


@dataclass
class Pair:
    label: str
    a: list[Timing]
    b: list[Timing]

    def ratios(self) -> list[float]:
        return [x.wall / y.wall for x, y in zip(self.a, self.b, strict=True)]

    def line(self, target: str = "") -> str:
        r = self.ratios()
        a = statistics.median(t.wall for t in self.a)
        b = statistics.median(t.wall for t in self.b)
        spread = f"({min(r):.2f}-{max(r):.2f})" if len(r) > 1 else ""
        goal = f"   target {target}" if target else ""
        cpu = [x.cpu / y.cpu for x, y in zip(self.a, self.b, strict=True) if y.cpu > 0]
        cpu_text = f"; CPU {statistics.median(cpu):5.2f}x" if cpu else ""
        return f"{self.label:58s} {a:7.2f} s vs {b:7.2f} s = {statistics.median(r):5.2f}x {spread}{cpu_text}{goal}"


def paired(
    label: str,
    a: Callable[[], Timing],
    b: Callable[[], Timing],
    runs: int,
) -> Pair:
    """``runs`` alternating runs of ``a`` and ``b``; one warm-up of each first (file cache)."""
    a()
    b()
    pair = Pair(label, [], [])
    for _ in range(runs):
        pair.a.append(a())
        pair.b.append(b())
    return pair


def load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"
