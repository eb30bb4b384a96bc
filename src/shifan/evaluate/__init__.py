"""Evaluating applications: the engine and its result model."""

from __future__ import annotations

from shifan.evaluate.engine import evaluate
from shifan.evaluate.result import CriterionResult, EvaluationResult

__all__ = ["CriterionResult", "EvaluationResult", "evaluate"]
