"""Counting evaluations and forgetting what a server process keeps, for the stored-check tests."""

from __future__ import annotations

from typing import Any

import pytest

from shifan.web import checks, round_checks, service
from shifan.web.store import Store


def counted_evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The application files evaluated from now on (every evaluation goes through ``Store.check``)."""
    seen: list[str] = []
    original = Store.check

    def counting(self: Store, applicant_id: int, name: str, **kwargs: Any) -> Any:
        seen.append(name)
        return original(self, applicant_id, name, **kwargs)

    monkeypatch.setattr(Store, "check", counting)
    return seen


def another_process() -> None:
    """As if the page were served by another worker process: only the database is shared."""
    checks._MEMO.clear()
    service._CACHE.clear()
    service._data.cache_clear()
    round_checks._ROWS.clear()
    round_checks._ROUNDS.clear()
