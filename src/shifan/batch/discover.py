"""Finding applications and reviews under a folder, and pairing each review with its application.

A YAML file whose top-level ``kind`` is ``review`` is a review sheet; every other YAML file is
taken as an application (a file without ``kind`` is reported as a broken application). Review
sheets are used only from the folder the operator names (``--reviews``): one found among the
applicants' files is reported, never used, since an applicant could have put it there. A review
belongs to the application at the path it names (``application.path``, relative to the review);
when no application is there — the folder was moved — to the one application whose content has
the sha256 the review recorded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from shifan.batch.items import Failure, ReviewPeek
from shifan.errors import ShifanError
from shifan.files import read_limited, sha256_bytes

#: The workbook suffixes the readers accept (``shifan.read.documents.WORKBOOK_SUFFIXES``, not
#: imported here: it loads the YAML readers).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

# The readers (YAML, workbooks, reviews) load only when a file has to be read: a rerun that finds
# every file unchanged never needs them.

KIND_LINE = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z_]+)", re.MULTILINE)
SUFFIXES = (".yaml", ".yml", *WORKBOOK_SUFFIXES)


@dataclass(frozen=True)
class SourceFile:
    """One YAML file found under the batch folder."""

    path: Path
    rel: str
    sha: str
    kind: str | None
    size: int = -1
    mtime_ns: int = -1
    ctime_ns: int = -1

    @property
    def record(self) -> FileRecord:
        """What the next run's scan may reuse without reading the file again."""
        return (self.size, self.mtime_ns, self.ctime_ns, self.sha, self.kind)


#: What a scan found for a regular file: ``[size, mtime_ns, ctime_ns, sha256, kind]``.
FileRecord = tuple[int, int, int, str, str | None]


def _kind(raw: bytes, name: str = "") -> str | None:
    if name.lower().endswith(WORKBOOK_SUFFIXES):
        from shifan.load.workbook import LAYOUT_BY_KIND
        from shifan.read.xlsxarchive import sheet_names
        from shifan.review.workbook import REVIEW_LAYOUT

        names = sheet_names(raw)
        if REVIEW_LAYOUT.signature in names:
            return "review"
        return next((kind for kind, layout in LAYOUT_BY_KIND.items() if layout.signature in names), None)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    match = KIND_LINE.search(raw.decode("utf-8", errors="replace"))
    return match.group(1) if match else None


def scan(
    source: Path,
    exclude: list[Path],
    base: Path | None = None,
    known: dict[str, FileRecord] | None = None,
    settled_ns: int = 0,
) -> list[SourceFile]:
    """Every YAML file and workbook under ``source`` (hidden folders and ``exclude`` skipped), sorted
    by path; relative paths are taken from ``base`` (default ``source``).

    A regular file ``known`` from a previous scan with the same size, modification and change
    times, changed before ``settled_ns`` (so not within the clock tick of that scan), is not read
    again."""
    known = known or {}
    root = Path(os.path.abspath(source))
    skipped = {Path(os.path.abspath(p)) for p in exclude}
    found: list[SourceFile] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d not in skipped)
        prefix = Path(os.path.relpath(here, base or root)).as_posix() + "/"
        prefix = "" if prefix == "./" else prefix
        for name in sorted(files):
            if not name.lower().endswith(SUFFIXES) or name.startswith((".", "~$")):  # ~$ : Excel's lock file
                continue
            path = here / name
            rel = prefix + name
            try:
                info = os.stat(os.path.join(folder, name))
                stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns) if S_ISREG(info.st_mode) else (-1, -1, -1)
            except OSError:
                stamp = (-1, -1, -1)
            previous = known.get(rel)
            if previous is not None and tuple(previous[:3]) == stamp and 0 <= stamp[2] < settled_ns:
                found.append(SourceFile(path, rel, previous[3], previous[4], *stamp))
                continue
            from shifan.read.yamldoc import MAX_FILE_BYTES

            try:
                # only regular files, and never more than the loader would read: a FIFO, a
                # device or a huge file is reported by the worker that loads it
                raw = read_limited(path, MAX_FILE_BYTES)
            except OSError:
                raw = b""
            if len(raw) > MAX_FILE_BYTES:
                raw = b""
            text_sha = sha256_bytes(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
            found.append(SourceFile(path, rel, text_sha, _kind(raw, name), *stamp))
    return found


def planted_review(review: SourceFile) -> Failure:
    """A review sheet found among the applicants' files: reported, never used."""
    message = f"{review.rel}: 评审意见表位于申报材料目录中，未采用（评审意见表只从 --reviews 指定的目录读取）"
    return Failure(review.rel, "review", [message])


def peek_review(path: str) -> ReviewPeek:
    """What a review names (application path and sha), read without validating the rest.

    Runs in worker processes.
    """
    from shifan.review.load import read_review_document, resolve_target

    try:
        document = read_review_document(Path(path))
    except ShifanError as error:
        return ReviewPeek(target=None, target_sha=None, error=error.user_message().splitlines())
    data = document.data
    ref = data.get("application") if isinstance(data, dict) else None
    named = ref.get("path") if isinstance(ref, dict) else None
    sha = ref.get("sha256") if isinstance(ref, dict) else None
    if not isinstance(named, str) or not named.strip():
        problem = document.problem(("application", "path"), "评审意见表未写明所评审的申报文件", expected="申报文件路径")
        return ReviewPeek(target=None, target_sha=None, error=[problem.format()])
    target = str(resolve_target(Path(path), named.strip()))
    return ReviewPeek(target=target, target_sha=sha if isinstance(sha, str) else None, error=None)


def match_reviews(
    apps: list[SourceFile], reviews: list[SourceFile], peeks: dict[str, ReviewPeek]
) -> tuple[dict[str, list[SourceFile]], list[Failure]]:
    """Reviews of each application (by rel path), and the reviews that fit none."""
    by_path = {str(a.path): a for a in apps}
    by_sha: dict[str, list[SourceFile]] = {}
    for candidate in apps:
        by_sha.setdefault(candidate.sha, []).append(candidate)
    matched: dict[str, list[SourceFile]] = {a.rel: [] for a in apps}
    failures: list[Failure] = []
    for review in reviews:
        peek = peeks[review.rel]
        if peek.error:
            failures.append(Failure(review.rel, "review", list(peek.error)))
            continue
        app = by_path.get(peek.target) if peek.target is not None else None
        sharing = by_sha.get(peek.target_sha or "", [])
        if app is None and len(sharing) == 1:
            app = sharing[0]
        if app is None:
            failures.append(
                Failure(
                    review.rel,
                    "review",
                    [f"{review.rel}: 找不到评审意见表所指的申报文件（application.path 指向 {peek.target}）"],
                )
            )
            continue
        matched[app.rel].append(review)
    return matched, failures
