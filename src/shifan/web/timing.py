"""Server-side time of every response, in a ``Server-Timing`` header: ``total`` from the moment
the application received the request to the start of the response, ``handler`` the handler's
thread (its database transaction and page), ``cpu`` the processor time of that thread. A load
test compares them with what the client measured to tell queueing apart from work."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")
_KEY = "shifan.timing"


def timed(request: Request, run: Callable[[], T]) -> Callable[[], T]:
    """``run``, noting its wall-clock and thread processor time for the response's header."""

    def wrapper() -> T:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return run()
        finally:
            request.scope[_KEY] = (time.perf_counter() - wall, time.thread_time() - cpu)

    return wrapper


class ServerTiming:
    """ASGI middleware adding ``Server-Timing: total;dur=…, handler;dur=…, cpu;dur=…`` (milliseconds)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                parts = [f"total;dur={(time.perf_counter() - started) * 1000:.1f}"]
                if _KEY in scope:
                    handler, cpu = scope[_KEY]
                    parts += [f"handler;dur={handler * 1000:.1f}", f"cpu;dur={cpu * 1000:.1f}"]
                MutableHeaders(scope=message)["Server-Timing"] = ", ".join(parts)
            await send(message)

        await self.app(scope, receive, send_with_timing)
