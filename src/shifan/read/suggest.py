"""Suggesting the closest allowed word for a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A Chinese "did you mean" suffix, or an empty string when nothing is close."""
    options = list(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.55)
    if not matches and len(word) >= 3:
        matches = sorted(o for o in options if o.startswith(word) or word.startswith(o))[:1]
    return f"，是否应为 “{matches[0]}”？" if matches else ""
