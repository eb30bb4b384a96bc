"""shifan: check and score 医养结合示范 applications against YAML rubrics."""

from __future__ import annotations

__version__ = "0.1.0"
