"""The garbage collector's settings for shifan's processes.

A command or a server builds many objects that live as long as the process (modules, the
schemas' validators, rubrics, templates, the PDF engine) and few reference cycles. With Python's
default threshold the collector runs hundreds of times while they load, and every full collection
walks all of them.
"""

from __future__ import annotations

import atexit
import gc

#: Objects allocated (less those freed) between two young collections; Python's default is 700.
YOUNG_THRESHOLD = 20_000


def collect_less_often() -> None:
    """Collect young objects every :data:`YOUNG_THRESHOLD` allocations (still often enough to bound
    memory over a long batch or a busy server); a higher threshold already set is kept."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)


def tune_collector() -> None:
    """Set up the collector for a command's process: young objects collected less often, and at
    exit everything frozen instead of walked and freed one object at a time (about a tenth of a
    ``check``), memory the operating system takes back at once anyway."""
    collect_less_often()
    atexit.register(gc.freeze)
