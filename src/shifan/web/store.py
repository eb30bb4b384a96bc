"""Where the workbench keeps files, and how it hands them to the core.

Every application version is a file ``files/applicants/<id>/<sha256><suffix>`` written atomically
and never changed; the database row names the current one, so a version becomes visible only
when the transaction recording it commits. Evidence files live beside the versions under
``佐证材料/`` with generated names, so an application's attachment paths resolve exactly as they do
for a file on disk. Reviews are kept in the database as review sheets (the
:class:`~shifan.review.model.ReviewFile` schema) and written out as YAML only to be read by the
same loader, reconciler and batch the command line uses.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.resolver import VersionedResolver

from shifan.batch.discover import SUFFIXES as APPLICATION_SUFFIXES
from shifan.errors import InputError, Problem, ShifanError
from shifan.evaluate.pipeline import Checked, check_loaded, rubric_for
from shifan.files import atomic_write_bytes, atomic_write_text, sha256_bytes
from shifan.load.application import load_application
from shifan.load.rubric import load_rubric
from shifan.review import reconcile
from shifan.review.load import check_reviews, load_review
from shifan.review.model import ReviewFile
from shifan.review.reconcile import ReconciledResult
from shifan.rules.rubric import Rubric

__all__ = ["APPLICATION_SUFFIXES", "EVIDENCE_FOLDER", "Store"]

EVIDENCE_FOLDER = "佐证材料"
#: Evidence files people may upload, by suffix (anything else is refused).
EVIDENCE_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".doc", ".xls")


def yaml_bytes(data: Any) -> bytes:
    """Plain YAML of JSON-like data (dates stay dates)."""
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue().encode("utf-8")


class _Resolver(VersionedResolver):
    """The safe resolver, told once which YAML version it reads. The stock one works it out again
    for every scalar by asking a scanner the C parser does not have, and always ends at the
    loader's version (1.2 unless given), so the answer here is the same, and reading is twice as fast."""

    @property
    def processing_version(self) -> Any:
        return self._loader_version or (1, 2)


def read_yaml(raw: bytes) -> Any:
    yaml = YAML(typ="safe")
    yaml.Resolver = _Resolver
    return yaml.load(raw.decode("utf-8-sig"))


@dataclass(frozen=True)
class Outcome:
    """An application checked: either the evaluation or the problems that stopped it."""

    checked: Checked | None
    problems: list[Problem]


class Store:
    """The files of a workspace."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = root / "files"

    def applicant_dir(self, applicant_id: int) -> Path:
        return self.files / "applicants" / str(applicant_id)

    def application_path(self, applicant_id: int, name: str) -> Path:
        return self.applicant_dir(applicant_id) / name

    def write_version(self, applicant_id: int, raw: bytes, suffix: str) -> tuple[str, str]:
        """Store one application version (idempotent); returns its file name and sha256."""
        if suffix not in APPLICATION_SUFFIXES:
            raise InputError(
                [
                    Problem(
                        "", None, None, "", "不支持的文件类型", found=suffix, expected="、".join(APPLICATION_SUFFIXES)
                    )
                ],
                what="上传文件",
            )
        sha = sha256_bytes(raw)
        name = f"{sha}{suffix}"
        path = self.application_path(applicant_id, name)
        if not path.exists():
            atomic_write_bytes(path, raw)
        return name, sha

    def write_evidence(self, applicant_id: int, raw: bytes, suffix: str) -> str:
        """Store an evidence file under a generated name; returns the path relative to the applicant folder."""
        name = f"{secrets.token_hex(12)}{suffix}"
        atomic_write_bytes(self.applicant_dir(applicant_id) / EVIDENCE_FOLDER / name, raw)
        return f"{EVIDENCE_FOLDER}/{name}"

    def evidence_path(self, applicant_id: int, stored: str) -> Path:
        return self.applicant_dir(applicant_id) / EVIDENCE_FOLDER / Path(stored).name

    def check(self, applicant_id: int, name: str, *, criteria: str | None, as_of: dt.date) -> Outcome:
        """Load and evaluate a stored version exactly as ``shifan check`` does."""
        try:
            loaded = load_application(self.application_path(applicant_id, name))
            checked = check_loaded(loaded, rubric_for(loaded, criteria, loader=cached_rubric), as_of)
        except InputError as error:
            return Outcome(None, list(error.problems))
        except ShifanError as error:
            return Outcome(None, [Problem("", None, None, "", error.user_message())])
        return Outcome(checked, [])


@functools.lru_cache(maxsize=32)
def _rubric(ref: str, roots: tuple[Path, ...] | None) -> Rubric:
    return load_rubric(ref, roots=list(roots) if roots is not None else None)


def cached_rubric(ref: str | Path, *, roots: list[Path] | None = None) -> Rubric:
    """A rubric loaded once per server process (the shipped rubrics do not change while it runs)."""
    return _rubric(str(ref), tuple(roots) if roots is not None else None)


def review_yaml(review_json: str, application: Path) -> bytes:
    """A stored review as a review sheet naming ``application`` (absolute path)."""
    data = json.loads(review_json)
    data["application"]["path"] = str(application)
    return yaml_bytes(data)


def reconcile_reviews(checked: Checked, reviews: list[str]) -> ReconciledResult:
    """The panel's reconciliation of stored reviews, through the review loader and reconciler."""
    with tempfile.TemporaryDirectory(prefix="shifan-review-") as tmp:
        loaded = []
        for number, review_json in enumerate(reviews, 1):
            path = Path(tmp) / f"评审-{number}.yaml"
            atomic_write_bytes(path, review_yaml(review_json, checked.loaded.path))
            loaded.append(load_review(path))
        return reconcile(checked, loaded)


def validate_review(checked: Checked, review: ReviewFile) -> list[Problem]:
    """The problems the review loader finds in a sheet (scores above the maximum, unknown items…)."""
    with tempfile.TemporaryDirectory(prefix="shifan-review-") as tmp:
        path = Path(tmp) / "评审.yaml"
        atomic_write_bytes(path, review_yaml(review.model_dump_json(), checked.loaded.path))
        try:
            check_reviews([load_review(path)], checked.rubric)
        except InputError as error:
            return list(error.problems)
    return []


#: Where an exported round keeps its review sheets (passed to ``batch``/``recommend`` as ``--reviews``).
REVIEWS_FOLDER = "评审意见表"


def export_applicant(
    store: Store, applicant_id: int, name: str, slug: str, reviews: list[tuple[str, str]], dest: Path
) -> None:
    """One applicant as ``batch`` reads it: ``<slug>/申报<suffix>``, its evidence and its reviews."""
    folder = dest / slug
    folder.mkdir(parents=True, exist_ok=True)
    source = store.application_path(applicant_id, name)
    target = folder / f"申报{source.suffix}"
    shutil.copyfile(source, target)
    evidence = store.applicant_dir(applicant_id) / EVIDENCE_FOLDER
    if evidence.is_dir():
        shutil.copytree(evidence, folder / EVIDENCE_FOLDER, dirs_exist_ok=True)
    # Review sheets count only from the folder the operator names (``--reviews``), never from
    # an applicant's own folder: they go to ``评审意见表/<slug>/`` beside the applications.
    review_folder = dest / REVIEWS_FOLDER / slug
    for expert, review_json in reviews:
        data = json.loads(review_json)
        data["application"]["path"] = Path(os.path.relpath(target, review_folder)).as_posix()
        atomic_write_text(review_folder / f"评审-{expert}.yaml", yaml_bytes(data).decode("utf-8"))
