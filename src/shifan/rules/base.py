"""The strict model every schema of shifan derives from: unknown keys are errors, values frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A strict, frozen model: unknown keys are errors, values are frozen after validation.

    The base of every model read from a user's YAML file, and of the effective rubric.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_enum_values=False,
        validate_default=True,
        str_strip_whitespace=True,
    )
