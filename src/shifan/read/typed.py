"""Reading a YAML file or a workbook into a typed model, with every problem of the file reported at once.

The steps are the same for applications, review sheets and rubric files: parse the document
(:func:`shifan.read.yamldoc.load_document`, or :func:`shifan.read.documents.load_input` for file
types that may also come as an Excel workbook), require a mapping at the top level, check its
``kind`` where the file type has one, convert natural input where the caller gives a normaliser,
validate with pydantic, and turn every validation error into a located
:class:`~shifan.errors.Problem`. What is wrong is raised as one :class:`~shifan.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from shifan.errors import Problem, ProblemList
from shifan.files import sha256_bytes
from shifan.read.documents import load_input
from shifan.read.problems import problems_from_validation
from shifan.read.workbookdoc import WorkbookDocument
from shifan.read.xlsxlayout import WorkbookLayout
from shifan.read.yamldoc import Document, load_document
from shifan.read.yamlsyntax import KeyPath

M = TypeVar("M")
L = TypeVar("L", bound="Loaded[Any]")

#: What a file whose top level is not a mapping is told.
NOT_A_MAPPING = "顶层应为键值映射（键: 值）"

#: A check of the top-level mapping done before validation (the ``kind`` of the file).
KindCheck = Callable[[Document, dict[str, Any]], Problem | None]

#: A value that could not be read as meant: key, message, what was found, what is expected.
Finding = tuple[KeyPath, str, str, str]

#: Turns the top-level mapping into what the schema reads (Chinese labels, natural dates and
#: numbers): the converted data, the findings of values that could not be read, and notes of the
#: values read differently from how they were written.
Normaliser = Callable[[dict[str, Any]], tuple[Any, list[Finding], tuple[str, ...]]]

#: More problems of a file that does not validate, found in its (normalised) data.
InvalidCheck = Callable[[Document, Any], list[Problem]]


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A schema-valid model with the document it was read from and the digest of its text."""

    model: M
    document: Document
    sha256: str
    #: Values read differently from how they were written ("已按 … 理解") and other notes.
    notes: tuple[str, ...] = ()

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
    With ``layouts`` the file may also be a workbook laid out as one of them; ``normalise``
    converts natural input before validation.
    """

    def __init__(
        self,
        record: type[L],
        schema: Any,
        *,
        what: str,
        kind: KindCheck | None = None,
        not_a_mapping: str = NOT_A_MAPPING,
        layouts: Sequence[WorkbookLayout] = (),
        normalise: Normaliser | None = None,
    ) -> None:
        self.record = record
        self.schema = schema
        self.adapter: TypeAdapter[Any] = TypeAdapter(schema)
        self.what = what
        self.kind = kind
        self.not_a_mapping = not_a_mapping
        self.layouts = tuple(layouts)
        self.normalise = normalise

    def load(self, path: Path, *, invalid: InvalidCheck | None = None) -> L:
        """Read, parse and validate the file at ``path``."""
        return self.validate(self.read(path), invalid=invalid)

    def read(self, path: Path) -> Document:
        """Parse the file at ``path`` (a workbook too, where this file type has layouts)."""
        if self.layouts:
            return load_input(Path(path), self.layouts, what=self.what)
        return load_document(Path(path), what=self.what)

    def validate(self, document: Document, *, invalid: InvalidCheck | None = None) -> L:
        """Validate a parsed document; raise :class:`InputError` with all its problems.

        ``invalid`` finds more problems in the data of a file that does not validate.
        """
        problems = ProblemList(self.what)
        if isinstance(document, WorkbookDocument):
            problems.extend(document.problems)  # cells that could not be read
        data = document.data
        if not isinstance(data, dict):
            problems.append(document.problem((), self.not_a_mapping, found=type(data).__name__))
            problems.raise_if_any()
        if self.kind is not None:
            problem = self.kind(document, data)
            if problem is not None:
                problems.append(problem)
                problems.raise_if_any()
        notes: tuple[str, ...] = ()
        if self.normalise is not None:
            data, findings, notes = self.normalise(data)
            problems.extend(
                document.problem(key, message, found=found, expected=expected)
                for key, message, found, expected in findings
            )
        flagged = {p.key for p in problems.problems}
        try:
            model = self.adapter.validate_python(data)
        except ValidationError as error:
            located = problems_from_validation(error, document, self.schema)
            problems.extend(p for p in located if p.key not in flagged)
            if invalid is not None:
                flagged = {p.key for p in problems.problems}
                problems.extend(p for p in invalid(document, data) if p.key not in flagged)
            problems.raise_if_any()
        problems.raise_if_any()
        raw = document.raw if isinstance(document, WorkbookDocument) else document.text.encode("utf-8")
        return self.record(model, document, sha256_bytes(raw), notes)
