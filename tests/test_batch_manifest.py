"""The batch manifest at scale: a journal while running, nothing rewritten on a no-change rerun,
files not read again when their size and modification time are unchanged."""

from __future__ import annotations

import os
from pathlib import Path

from tests.test_batch import GEN

from shifan.batch import run_batch
from shifan.batch.discover import scan
from shifan.batch.manifest import JOURNAL, Journal, ManifestEntry, load_manifest
from shifan.present.formats import applicant_writers
from shifan.present.summary import SUMMARY


def batch(source: Path, out: Path) -> object:
    return run_batch(source, out, writers=applicant_writers(["json"]), summary=SUMMARY, jobs=2)


def test_no_change_rerun_writes_nothing(tmp_path: Path) -> None:
    GEN.generate(tmp_path / "in", 6, seed=5, counties=0, reviews=False)
    out = tmp_path / "out"
    batch(tmp_path / "in", out)
    manifest = out / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    assert not (out / JOURNAL).exists()
    assert len(load_manifest(out).files) == 6
    batch(tmp_path / "in", out)
    assert manifest.stat().st_mtime_ns == stamp


def test_scan_reads_only_files_whose_stat_changed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: institution\n", encoding="utf-8")
    stat = (tmp_path / "a.yaml").stat()
    known = {"a.yaml": (stat.st_size, stat.st_mtime_ns, "recorded", "institution")}
    assert scan(tmp_path, [], known, stat.st_mtime_ns + 1)[0].sha == "recorded"
    # modified in the previous scan's clock tick: read again
    assert scan(tmp_path, [], known, stat.st_mtime_ns)[0].sha != "recorded"
    (tmp_path / "a.yaml").write_text("kind: institution\nname: x\n", encoding="utf-8")
    assert scan(tmp_path, [], known, stat.st_mtime_ns + 10**12)[0].sha != "recorded"


def test_journal_of_a_killed_run_is_replayed(tmp_path: Path) -> None:
    GEN.generate(tmp_path / "in", 3, seed=5, counties=0, reviews=False)
    out = tmp_path / "out"
    batch(tmp_path / "in", out)
    before = load_manifest(out)
    assert before.settings is not None
    rel, entry = next(iter(before.items.items()))
    changed = ManifestEntry.model_validate({**entry.model_dump(), "app_sha": "0" * 64})
    journal = Journal(out, before.settings)
    journal.add(rel, changed)
    journal.close()
    with (out / JOURNAL).open("ab") as handle:
        handle.write(b'{"rel": "cut off')  # the line being written when the batch was killed
    assert load_manifest(out).items[rel].app_sha == "0" * 64
    again = batch(tmp_path / "in", out)
    assert again.processed == 1  # the journal's record no longer matches the file
    assert not (out / JOURNAL).exists()


def test_attachment_paths_resolve_as_realpath(tmp_path: Path) -> None:
    from shifan.load.application import _realpath

    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    (tmp_path / "in" / "sub" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "in" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "in" / "dirlink").symlink_to(tmp_path)
    folders: dict[str, str] = {}
    root = str(tmp_path / "in")
    for raw in ["sub/a.txt", "link.txt", "dirlink/outside.txt", "sub/../link.txt", "sub/./a.txt", "sub", "sub/"]:
        joined = f"{root}/{raw}"
        assert _realpath(joined, folders) == os.path.realpath(joined, strict=True), raw
