"""Running calls on worker processes for a batch: a bounded queue of tasks, workers that die
with the parent, and a dead worker failing only the call it was running."""

from __future__ import annotations

import gc
import importlib
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from shifan.batch.guard import die_with_parent

if TYPE_CHECKING:
    from concurrent.futures import Future


def run_pool(
    fn: Callable[[Any], Any],
    args: Iterable[Any],
    jobs: int,
    on_result: Callable[[Any, Any], None],
    *,
    count: int | None = None,
) -> None:
    """Call ``fn`` on every argument, on ``jobs`` processes; ``on_result(arg, result)`` in the parent.

    Arguments are taken from ``args`` as results come back, at most :data:`IN_FLIGHT` per worker
    queued at a time, so the parent never holds every task and its result at once. When a worker
    dies (killed, out of memory, a crash in a library), only the calls it had started are
    suspects: each is retried once on its own, and ``on_result(arg, None)`` reports the one that
    kills its worker again; the calls that had not started run again as usual."""
    pending = iter(args)
    first = list(itertools.islice(pending, 2))
    if jobs <= 1 or len(first) <= 1:
        for arg in itertools.chain(first, pending):
            on_result(arg, fn(arg))
        return
    workers = min(jobs, count) if count else jobs
    queue: Iterator[Any] = itertools.chain(first, pending)
    while True:
        suspects, unstarted, broken = pool_round(fn, queue, workers, on_result)
        for arg in suspects:
            lost, never, _ = pool_round(fn, iter([arg]), 1, on_result)
            if lost or never:
                on_result(arg, None)
        if not broken:
            return
        queue = itertools.chain(unstarted, queue)


def preload(module: str, jobs: int, count: int) -> None:
    """Import ``module`` here before a pool of ``jobs`` workers starts on ``count`` calls, when the
    workers are forked: each then starts with it loaded instead of loading it again.

    What is loaded by then is frozen out of the garbage collector's way: the workers' collections
    do not walk it (nor write to it, which would copy the memory pages they share with this
    process)."""
    if jobs > 1 and count > 1 and multiprocessing.get_start_method() == "fork":
        importlib.import_module(module)
        gc.freeze()


#: Tasks queued per worker process at a time.
IN_FLIGHT = 4
_STARTED: Any = None


def _init_worker(started: Any, parent: int) -> None:
    global _STARTED
    _STARTED = started
    die_with_parent(parent)


def _tracked(fn: Callable[[Any], Any], index: int, arg: Any) -> Any:
    _STARTED.put(index)
    return fn(arg)


def pool_round(
    fn: Callable[[Any], Any], pending: Iterator[Any], workers: int, on_result: Callable[[Any, Any], None]
) -> tuple[list[Any], list[Any], bool]:
    """Run calls from ``pending`` on a fresh pool until none are left or a worker dies; returns
    the calls lost to a dead worker that had started, those that had not, and whether one died."""
    from concurrent.futures import FIRST_COMPLETED, wait  # loaded only when a pool is started
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context()
    started = context.SimpleQueue()
    crashed: list[tuple[int, Any]] = []
    begun: set[int] = set()
    numbers = itertools.count()
    in_flight: dict[Future[Any], tuple[int, Any]] = {}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(started, os.getpid())
    ) as pool:

        def fill() -> None:
            while len(in_flight) < IN_FLIGHT * workers and not crashed:
                arg = next(pending, _END)
                if arg is _END:
                    return
                number = next(numbers)
                try:
                    in_flight[pool.submit(_tracked, fn, number, arg)] = (number, arg)
                except BrokenProcessPool:
                    crashed.append((number, arg))

        try:
            fill()
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                while not started.empty():  # drained as it goes, so a worker never blocks on it
                    begun.add(started.get())
                for future in done:
                    number, arg = in_flight.pop(future)
                    try:
                        value = future.result()
                    except BrokenProcessPool:
                        crashed.append((number, arg))
                        continue
                    on_result(arg, value)
                fill()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    while not started.empty():
        begun.add(started.get())
    crashed.sort(key=lambda pair: pair[0])
    return (
        [arg for number, arg in crashed if number in begun],
        [arg for number, arg in crashed if number not in begun],
        bool(crashed),
    )


_END = object()
