"""What every check kind shares: the outcome it returns, the context it reads, the registry."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import BaseModel

from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.base import StrictModel
from shifan.rules.params import Parameter
from shifan.rules.region import RosterIndicators
from shifan.rules.vocab import Status


@dataclass
class Outcome:
    """What a check found. ``fraction`` (0..1) or ``awarded`` (points) refine partial results."""

    status: Status
    observed: str
    expected: str
    reason: str
    value: float | None = None
    fraction: float | None = None
    awarded: float | None = None
    details: list[str] = field(default_factory=list)
    #: For ``any``: the indexes of the nested checks that gave a pass or partial result, in order.
    ways: list[int] = field(default_factory=list)


@dataclass
class Context:
    """Everything a check may read: the application, the evaluation date and the parameters."""

    app: InstitutionApplication | RegionApplication
    as_of: dt.date
    params: Mapping[str, Parameter]
    criterion_id: str = ""
    max_points: float = 0.0
    roster: RosterIndicators | None = None

    def value(self, name: str) -> float:
        return self.params[name].value

    def text(self, name: str) -> str:
        return self.params[name].formatted()

    def unit(self, name: str) -> str:
        return self.params[name].unit

    def institution(self) -> InstitutionApplication:
        """The application, for a check kind that only applies to institutions."""
        if not isinstance(self.app, InstitutionApplication):
            raise TypeError(f"check of {self.criterion_id or 'a criterion'} needs an institution application")
        return self.app

    def region(self) -> RegionApplication:
        """The application, for a check kind that only applies to counties."""
        if not isinstance(self.app, RegionApplication):
            raise TypeError(f"check of {self.criterion_id or 'a criterion'} needs a region application")
        return self.app


class Check(StrictModel):
    """Base of every check kind. Subclasses declare ``kind`` and implement :meth:`evaluate`.

    ``param_fields`` names the fields whose value is the name of a rubric parameter; the rubric
    loader verifies that each names an existing parameter.
    """

    param_fields: ClassVar[tuple[str, ...]] = ()
    subjects: ClassVar[tuple[str, ...]] = ("institution", "region")
    title: ClassVar[str] = ""
    #: For rubric authors, in Chinese: what the kind tests, then an example that passes and one
    #: that fails. The generated rubric reference prints them; ``register`` demands a summary.
    summary: ClassVar[str] = ""
    passes: ClassVar[str] = ""
    fails: ClassVar[str] = ""

    @abstractmethod
    def evaluate(self, ctx: Context) -> Outcome:
        """Look at the application in ``ctx`` and say what was found."""

    def problems(self, subject: str) -> list[tuple[tuple[str | int, ...], str, str]]:
        """Static problems of this check for a rubric of ``subject`` (path, message, found)."""
        return []


REGISTRY: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: add a check kind to the registry; registering a kind twice is an error."""
    kind = kind_of(cls)
    if kind in REGISTRY:
        raise RuntimeError(f"check kind {kind!r} registered twice")
    if not (cls.__doc__ or "").strip():
        raise RuntimeError(f"check kind {kind!r} has no docstring")
    if not has_chinese(cls.summary) or not has_chinese(cls.title):
        raise RuntimeError(f"check kind {kind!r} has no Chinese title and summary")
    REGISTRY[kind] = cls
    return cls


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def kind_of(cls: type[BaseModel]) -> str:
    annotation = cls.model_fields["kind"].annotation
    args: tuple[object, ...] = tuple(getattr(annotation, "__args__", ()))
    if len(args) != 1:
        raise RuntimeError(f"{cls.__name__}.kind must be a single Literal")
    return str(args[0])


KeyPath = tuple[str | int, ...]


def walk(node: Check | ParamHolder, path: KeyPath = ()) -> Iterator[tuple[Check | ParamHolder, KeyPath]]:
    """A check and every check and band nested in it, depth first, each with its key path."""
    yield node, path
    for name in type(node).model_fields:
        value = getattr(node, name)
        if isinstance(value, (Check, ParamHolder)):
            yield from walk(value, (*path, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, (Check, ParamHolder)):
                    yield from walk(item, (*path, name, index))


def param_refs(check: Check, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every (path, parameter name) a check and its nested checks and bands refer to."""
    for node, where in walk(check, path):
        for name in type(node).param_fields:
            value = getattr(node, name)
            if isinstance(value, str):
                yield (*where, name), value


class ParamHolder(StrictModel):
    """A part of a check (a band) that refers to parameters by name."""

    param_fields: ClassVar[tuple[str, ...]] = ()


def percent(numerator: float, denominator: float) -> float:
    """``numerator`` as a percentage of ``denominator`` (not rounded; the caller checks for 0)."""
    return 100.0 * numerator / denominator


def compare(value: float, op: str, threshold: float) -> bool:
    # Rounded to 4 decimals so that 0.1 + 0.2 style noise never flips a verdict.
    value = round(value, 4)
    threshold = round(threshold, 4)
    return {
        ">=": value >= threshold,
        ">": value > threshold,
        "<=": value <= threshold,
        "<": value < threshold,
        "==": value == threshold,
    }[op]
