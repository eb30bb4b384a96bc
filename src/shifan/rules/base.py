"""Base class of every model read from a user's file: strict keys, documented fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FileModel(BaseModel):
    """A model read from YAML: unknown keys are errors, values are frozen after loading."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_enum_values=False,
        validate_default=True,
        str_strip_whitespace=True,
    )
