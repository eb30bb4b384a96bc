"""Preparing a server process once it is up, so that requests do not pay for it.

Everything a page needs that does not change while the server runs is loaded first (templates,
the shipped rubrics), then the garbage collector is told that everything loaded so far lives as
long as the process (:func:`gc.freeze`) and to collect young objects less often. Without this
every full collection walks the whole process — libraries, models, rubrics, caches — while
holding the interpreter lock, and a busy server spent a fifth of its time there; now it walks
only what requests create.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from shifan.collector import collect_less_often
from shifan.errors import ShifanError
from shifan.load.rubric import shipped_rubric_ids
from shifan.web.checks import basis
from shifan.web.store import cached_rubric
from shifan.web.templating import TEMPLATES, environment

logger = logging.getLogger(__name__)


def settle() -> None:
    """Load what every request uses, then freeze it out of the garbage collector's way."""
    env = environment()
    for path in sorted(TEMPLATES.glob("*.html")):
        env.get_template(path.name)
    for ref in shipped_rubric_ids():
        try:
            cached_rubric(ref)
        except ShifanError:  # reported where it is used
            logger.warning("评分标准 %s 无法读取", ref)
    basis()
    gc.collect()
    gc.freeze()
    collect_less_often()  # the default makes a busy server collect hundreds of times a second


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    """The server's lifespan: settled before the first request; the PDF engine's temporary files
    removed at shutdown (a server stopped by a signal ends without running exit handlers)."""
    settle()
    yield
    pdf = sys.modules.get("shifan.present.report.pdf")  # loaded only if a report was rendered
    if pdf is not None:
        pdf.remove_temporary_files()
