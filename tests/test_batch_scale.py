"""Batch at scale: the manifest journal, one durable flush per run, reruns that read only what
changed, and a bounded task queue."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from shifan.batch import manifest as manifest_module
from shifan.batch import pool, rerun, runner
from shifan.batch.discover import WORKBOOK_SUFFIXES, read_limited
from shifan.batch.guard import LOCK
from shifan.batch.manifest import FILENAME, FORMAT, JOURNAL
from shifan.batch.model import ItemResult, ManifestEntry, Task
from shifan.batch.runner import BatchReport, run_batch
from shifan.batch.worker import process as worker_process
from shifan.cli.batch import SUFFIX
from shifan.present.formats import APPLICANT_WRITERS, applicant_writers
from shifan.present.summary import SUMMARY
from shifan.read import documents
from shifan.rules.ids import make_uscc
from test_cli_imports import MODELS, PDF, SPREADSHEET, TEMPLATES, loaded_modules
from test_security import applicant


def batch(source: Path, out: Path, jobs: int = 1) -> BatchReport:
    return run_batch(source, out, writers=applicant_writers(["json"]), summary=SUMMARY, jobs=jobs)


def folder_of(source: Path, count: int) -> Path:
    for index in range(count):
        applicant(source, f"app{index}.yaml", uscc=make_uscc(f"52341002MJA0000{index:02d}"))
    return source


class Interrupted(KeyboardInterrupt):
    pass


def stop_after(count: int) -> object:
    calls = [0]

    def process(task: Task) -> ItemResult:
        calls[0] += 1
        if calls[0] > count:
            raise Interrupted
        return worker_process(task)

    return process


def journal_records(out: Path) -> list[dict[str, object]]:
    lines = (out / JOURNAL).read_bytes().splitlines()
    return [json.loads(line) for line in lines[1:]]


def test_an_interrupted_run_keeps_its_journal_and_the_next_run_redoes_nothing_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = folder_of(tmp_path / "in", 5), tmp_path / "out"
    monkeypatch.setattr(runner, "process", stop_after(3))
    with pytest.raises(Interrupted):
        batch(source, out)
    assert not (out / FILENAME).exists(), "the manifest is written once, at the end of a run"
    assert len(journal_records(out)) == 3
    for record in journal_records(out):  # each entry as documented
        ManifestEntry.model_validate(record["entry"])
    with (out / JOURNAL).open("ab") as journal:
        journal.write(b'{"rel":"app4.yaml","digests":[],"ent')  # a line cut short by the kill
    monkeypatch.setattr(runner, "process", worker_process)
    again = batch(source, out)
    assert (again.skipped, again.processed) == (3, 2)
    assert not (out / JOURNAL).exists()
    assert len(json.loads((out / FILENAME).read_text(encoding="utf-8"))["items"]) == 5
    assert batch(source, out).skipped == 5


def test_a_journal_entry_whose_output_did_not_reach_the_disk_is_redone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = folder_of(tmp_path / "in", 3), tmp_path / "out"
    monkeypatch.setattr(runner, "process", stop_after(2))
    with pytest.raises(Interrupted):
        batch(source, out)
    damaged = out / str(journal_records(out)[0]["entry"]["outputs"][0])  # type: ignore[index]
    damaged.write_bytes(b"\0" * damaged.stat().st_size)  # a crash lost its content, not its size
    monkeypatch.setattr(runner, "process", worker_process)
    again = batch(source, out)
    assert (again.skipped, again.processed) == (1, 2)
    json.loads(damaged.read_text(encoding="utf-8"))


def outputs_and_times(out: Path) -> dict[Path, int]:
    """Every file the batch wrote (not the lock, which names the run) and when it was written."""
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != LOCK}


def test_a_rerun_with_nothing_changed_reads_no_file_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = folder_of(tmp_path / "in", 4), tmp_path / "out"
    monkeypatch.setattr(rerun, "SETTLED_NS", 0)  # the files are seconds old, not minutes
    batch(source, out)
    written = outputs_and_times(out)
    reads: list[Path] = []
    hashes: list[Path] = []

    def counting_read(path: Path, limit: int) -> bytes:
        reads.append(path)
        return read_limited(path, limit)

    def counting_hash(path: Path) -> str:
        hashes.append(path)
        raise AssertionError("an unchanged file is not hashed")

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("no worker process is started when nothing is to be done")

    monkeypatch.setattr("shifan.batch.discover.read_limited", counting_read)
    monkeypatch.setattr(manifest_module, "sha256_file", counting_hash)
    monkeypatch.setattr(pool, "pool_round", no_pool)
    report = batch(source, out, jobs=2)
    assert (report.skipped, report.processed, reads, hashes) == (4, 0, [], [])
    assert outputs_and_times(out) == written

    edited = source / "app1.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setattr(rerun, "SETTLED_NS", 0)
    monkeypatch.setattr("shifan.batch.discover.read_limited", counting_read)
    report = batch(source, out)
    assert (report.skipped, report.processed, reads) == (3, 1, [edited])


def test_the_manifest_is_committed_only_after_the_outputs_are_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = folder_of(tmp_path / "in", 4), tmp_path / "out"
    events: list[str] = []
    real_sync, real_fsync = manifest_module.sync_folder, os.fsync

    def sync(folder: Path, files: object = ()) -> None:
        outputs = sorted(p.name for p in (out / "applicants").glob("*.json"))
        events.append(f"sync {len(outputs)} outputs, manifest {'present' if (out / FILENAME).exists() else 'absent'}")
        real_sync(folder, files)  # type: ignore[arg-type]

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    monkeypatch.setattr(manifest_module, "sync_folder", sync)
    monkeypatch.setattr(os, "fsync", fsync)
    batch(source, out)
    first_sync = events.index("sync 4 outputs, manifest absent")
    assert events.count("fsync") <= 3, "no fsync per output file"
    assert first_sync == len(events) - 2 and (out / FILENAME).exists()  # then only the folder's fsync


def test_the_queue_never_holds_more_than_a_few_tasks_per_worker() -> None:
    pulled = [0]
    finished: list[int] = []
    most = [0]

    def arguments() -> object:
        for value in range(60):
            pulled[0] += 1
            yield value

    def on_result(arg: int, value: int) -> None:
        most[0] = max(most[0], pulled[0] - len(finished))
        finished.append(value)

    pool.run_pool(abs, arguments(), 2, on_result)  # type: ignore[arg-type]
    assert sorted(finished) == list(range(60))
    assert 0 < most[0] <= pool.IN_FLIGHT * 2


@pytest.mark.slow
def test_a_rerun_with_nothing_to_do_loads_no_evaluation_and_no_writer(tmp_path: Path) -> None:
    source, out = folder_of(tmp_path / "in", 2), tmp_path / "out"
    time.sleep(rerun.SETTLED_NS / 1e9 + 0.1)  # files changed just before a scan are read again
    args = ["batch", str(source), "-o", str(out), "-j", "2"]
    first = loaded_modules(args)
    assert "shifan.evaluate" in first
    again = loaded_modules(args)
    heavy = PDF | SPREADSHEET | MODELS | TEMPLATES | {"shifan.batch.worker", "shifan.batch.model", "concurrent.futures"}
    assert sorted(again & heavy) == []
    assert json.loads((out / FILENAME).read_bytes().splitlines()[0] + b"}}")["format"] == FORMAT


def test_the_light_modules_agree_with_the_ones_they_stand_in_for() -> None:
    assert WORKBOOK_SUFFIXES == documents.WORKBOOK_SUFFIXES
    assert {name: APPLICANT_WRITERS[name].suffix for name in SUFFIX} == SUFFIX
