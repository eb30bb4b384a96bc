"""Check kinds: the declarative tests a rubric's criteria are made of.

Every kind is a pydantic model registered in :data:`REGISTRY`; :data:`CheckSpec` is the
discriminated union of all of them, used wherever a rubric holds a check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from shifan.rules.checks import events, items, logic, measure, schedule, staff, timing  # noqa: F401  (registers kinds)
from shifan.rules.checks.base import REGISTRY, Check, Context, Outcome, param_refs

if TYPE_CHECKING:
    CheckSpec = Check
else:
    CheckSpec = Annotated[Union[tuple(REGISTRY.values())], Field(discriminator="kind")]  # noqa: UP007

for _cls in (logic.AllCheck, logic.AnyCheck, logic.NotCheck):
    _cls.model_rebuild(_types_namespace={"CheckSpec": CheckSpec})

__all__ = ["REGISTRY", "Check", "CheckSpec", "Context", "Outcome", "param_refs"]
__all__ += ["events", "items", "logic", "measure", "staff", "timing"]
