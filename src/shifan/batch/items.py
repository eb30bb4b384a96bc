"""What a batch passes around without loading the evaluation: tasks for workers, what a worker
returns, failures, the writers' interface, and what a review names. (The summary row, which
needs the evaluation's types, is in :mod:`shifan.batch.model`.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from shifan.batch.model import Evaluated

#: ``[size, mtime_ns, sha256]`` of a file read while evaluating, or None when it does not exist.
DepRecord = tuple[int, int, str] | None


@dataclass(frozen=True)
class ReviewPeek:
    """What a review sheet names, read without validating the rest (cached by content sha)."""

    target: str | None  # the absolute path of the application reviewed
    target_sha: str | None  # the application's sha256 recorded in the review
    error: list[str] | None  # what is wrong with the review sheet
    sha: str = ""  # sha256 of the review sheet's content


class ApplicantWriter(Protocol):
    """Writes one per-applicant output file (JSON, a report PDF, …).

    Instances travel to worker processes, so they must be picklable (module-level classes). A
    writer may also have a ``prepare()`` method: called once in the batch's own process before
    any worker starts, when there is something to write (to load what every worker would load)."""

    @property
    def format(self) -> str:
        """The format name, recorded in the manifest settings and the summary row."""

    @property
    def suffix(self) -> str:
        """The file name suffix, with its dot (``.pdf``)."""

    def write(self, evaluated: Evaluated, path: Path) -> None:
        """Write the output atomically to ``path``."""


@dataclass(frozen=True)
class Task:
    """One applicant for a worker."""

    app: str
    rel: str
    reviews: tuple[str, ...]
    criteria: str | None
    as_of: str | None
    out_base: str | None = None
    writers: tuple[ApplicantWriter, ...] = ()
    owner: tuple[str, str] | None = None  # (output folder, run id): outputs are written only while it owns the folder
    size: int = 0  # bytes of the application: the largest are started first


@dataclass
class Failure:
    """A file that could not be processed, with every message about it."""

    file: str
    kind: Literal["application", "review", "internal", "output"]
    messages: list[str]


@dataclass
class ItemResult:
    """What a worker returns for one task."""

    rel: str
    row: bytes | None = None  # the applicant's SummaryRow, as JSON
    failure: Failure | None = None
    deps: dict[str, DepRecord] = field(default_factory=dict, repr=False)
    rubric_ref: str = ""
    rubric_sha: str = ""
    app_sha: str = ""
    outputs: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)  # sha256 of each output, checked when a killed run is resumed
