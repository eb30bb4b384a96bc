"""The strict model every schema of shifan derives from: unknown keys are errors, values frozen."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


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


#: Longest name (of an institution, a county, a person, a partner), in characters.
MAX_NAME = 200
#: Longest other single-line text (numbers, titles, addresses, contacts), in characters.
MAX_LINE = 300
#: Longest free text (summaries, notes, opinions, reasons), in characters.
MAX_TEXT = 5000
_BREAKS = frozenset("\n\r\t\v\f\x85\u2028\u2029")


def _single_line(value: str) -> str:
    if any(char in _BREAKS for char in value):
        raise ValueError("应为一行文字，不能含换行或制表符")
    return value


#: A name: one line, at most :data:`MAX_NAME` characters.
Name = Annotated[str, AfterValidator(_single_line), Field(max_length=MAX_NAME)]
#: Other single-line text: at most :data:`MAX_LINE` characters.
Line = Annotated[str, AfterValidator(_single_line), Field(max_length=MAX_LINE)]
#: Free text, which may span lines: at most :data:`MAX_TEXT` characters.
Text = Annotated[str, Field(max_length=MAX_TEXT)]
