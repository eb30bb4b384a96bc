"""Rubrics: locating, loading and resolving overlays into the effective rubric."""

from __future__ import annotations

from shifan.rubric.loader import find_rubric, load_rubric, shipped_rubric_ids
from shifan.rubric.model import Rubric

__all__ = ["Rubric", "find_rubric", "load_rubric", "shipped_rubric_ids"]
