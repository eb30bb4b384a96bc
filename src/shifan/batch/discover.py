"""Finding applications and reviews under a folder, and pairing each review with its application.

A YAML file whose top-level ``kind`` is ``review`` is a review sheet; every other YAML file is
taken as an application (a file without ``kind`` is reported as a broken application). A review
belongs to the application at the path it names (``application.path``, relative to the review);
when no application is there — the folder was moved — to the one application whose content has
the sha256 the review recorded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from shifan.batch.model import Failure, ReviewPeek
from shifan.errors import ShifanError
from shifan.files import sha256_bytes
from shifan.read.yamldoc import load_document
from shifan.review.load import resolve_target

KIND_LINE = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z_]+)", re.MULTILINE)
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SourceFile:
    """One YAML file found under the batch folder."""

    path: Path
    rel: str
    sha: str
    kind: str | None
    size: int = -1
    mtime_ns: int = -1


#: What a previous scan found for a file: size, mtime_ns, sha256 and kind.
Known = tuple[int, int, str, str | None]


def _kind(raw: bytes) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    match = KIND_LINE.search(raw.decode("utf-8", errors="replace"))
    return match.group(1) if match else None


def scan(
    source: Path, exclude: list[Path], known: dict[str, Known] | None = None, settled_ns: int = 0
) -> list[SourceFile]:
    """Every YAML file under ``source`` (hidden folders and ``exclude`` skipped), sorted by path.

    A file ``known`` from a previous scan with the same size and modification time, modified
    before ``settled_ns`` (so not within the previous scan's clock tick), is not read again."""
    known = known or {}
    root = Path(os.path.abspath(source))
    skipped = {Path(os.path.abspath(p)) for p in exclude}
    found: list[SourceFile] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d not in skipped)
        for name in sorted(files):
            if not name.endswith(SUFFIXES) or name.startswith("."):
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            try:
                stat = path.stat()
                size, mtime = stat.st_size, stat.st_mtime_ns
            except OSError:
                size = mtime = -1
            previous = known.get(rel)
            if previous is not None and previous[:2] == (size, mtime) and 0 <= mtime < settled_ns:
                found.append(SourceFile(path, rel, previous[2], previous[3], size, mtime))
                continue
            try:
                raw = path.read_bytes()
            except OSError:
                raw = b""
            text_sha = sha256_bytes(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
            found.append(SourceFile(path, rel, text_sha, _kind(raw), size, mtime))
    return found


def peek_review(path: str) -> ReviewPeek:
    """What a review names (application path and sha), read without validating the rest.

    Runs in worker processes.
    """
    try:
        document = load_document(Path(path), what="评审意见表")
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
