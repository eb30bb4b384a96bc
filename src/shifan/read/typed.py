"""Reading a YAML file into a typed model, with every problem of the file reported at once.

The steps are the same for applications, review sheets and rubric files: parse the document
(:func:`shifan.read.yamldoc.load_document`), require a mapping at the top level, check its
``kind`` where the file type has one, validate with pydantic, and turn every validation error
into a located :class:`~shifan.errors.Problem`. What is wrong is raised as one
:class:`~shifan.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from shifan.errors import InputError, Problem
from shifan.files import sha256_bytes
from shifan.read.problems import problems_from_validation
from shifan.read.yamldoc import Document, load_document

M = TypeVar("M")
L = TypeVar("L", bound="Loaded[Any]")

#: What a file whose top level is not a mapping is told.
NOT_A_MAPPING = "顶层应为键值映射（键: 值）"

#: A check of the top-level mapping done before validation (the ``kind`` of the file).
KindCheck = Callable[[Document, dict[str, Any]], Problem | None]


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A schema-valid model with the document it was read from and the digest of its text."""

    model: M
    document: Document
    sha256: str

    @property
    def path(self) -> Path:
        return self.document.path

    @property
    def display(self) -> str:
        return self.document.display

    @property
    def folder(self) -> Path:
        """The folder of the file, where the paths written in it start."""
        return self.document.path.resolve().parent


class TypedReader(Generic[L]):
    """Reads one type of file into the record ``record`` (a :class:`Loaded` or a subclass).

    ``schema`` is what pydantic validates against (a model or an annotated union); ``kind``
    checks the top-level mapping before validation; ``what`` names the file type in errors.
    """

    def __init__(
        self,
        record: type[L],
        schema: Any,
        *,
        what: str,
        kind: KindCheck | None = None,
        not_a_mapping: str = NOT_A_MAPPING,
    ) -> None:
        self.record = record
        self.schema = schema
        self.adapter: TypeAdapter[Any] = TypeAdapter(schema)
        self.what = what
        self.kind = kind
        self.not_a_mapping = not_a_mapping

    def load(self, path: Path) -> L:
        """Read, parse and validate the file at ``path``."""
        return self.validate(load_document(Path(path), what=self.what))

    def validate(self, document: Document) -> L:
        """Validate a parsed document; raise :class:`InputError` with all its problems."""
        data = document.data
        if not isinstance(data, dict):
            found = type(data).__name__
            raise InputError([document.problem((), self.not_a_mapping, found=found)], what=self.what)
        if self.kind is not None:
            problem = self.kind(document, data)
            if problem is not None:
                raise InputError([problem], what=self.what)
        try:
            model = self.adapter.validate_python(data)
        except ValidationError as error:
            raise InputError(problems_from_validation(error, document, self.schema), what=self.what) from None
        return self.record(model, document, sha256_bytes(document.text.encode("utf-8")))
