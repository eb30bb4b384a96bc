"""A batch killed midway leaves no truncated file, and a rerun completes it."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from shifan.batch import run_batch
from shifan.present.formats import applicant_writers
from shifan.present.summary import SUMMARY

pytestmark = pytest.mark.slow


def _generate(root: Path, count: int) -> None:
    spec = importlib.util.spec_from_file_location("generate_fixture_kill", ROOT / "scripts" / "generate_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.generate(root, count, seed=9, counties=0)


def test_killed_batch_leaves_whole_files_and_rerun_completes(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    _generate(source, 300)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-m", "shifan", "batch", str(source), "--reviews", str(source / "reviews")]
    command += ["-o", str(out), "--no-pdf", "--jobs", "1"]
    process = subprocess.Popen(
        command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    try:
        while _finished_in_journal(out) < 3:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert not (out / "summary.csv").exists(), "the batch should have been killed before it finished"
    written = list((out / "applicants").glob("*.json"))
    assert 0 < len(written) < 300
    for path in written:
        json.loads(path.read_text(encoding="utf-8"))  # every visible output is complete
    assert not (out / "manifest.json").exists(), "the manifest is written once, at the end"
    journal = (out / "manifest.journal").read_bytes().splitlines()
    finished = [json.loads(line) for line in journal[1:-1]]  # the last line may have been cut short
    assert 0 < len(finished) < 300

    report = run_batch(
        source, out, reviews_dir=source / "reviews", writers=applicant_writers(["json"]), summary=SUMMARY, jobs=2
    )
    assert report.ok and report.total == 300
    assert report.skipped >= len(finished) and report.processed + report.skipped == 300
    assert len(list((out / "applicants").glob("*.json"))) == 300
    assert not list(out.rglob(".*.tmp"))
    assert (out / "summary.csv").read_bytes().count(b"\n") == 301
    assert not (out / "manifest.journal").exists()
    assert len(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["items"]) == 300


def _finished_in_journal(out: Path) -> int:
    """Applicants a running batch has recorded as finished so far."""
    try:
        return max(0, (out / "manifest.journal").read_bytes().count(b"\n") - 1)
    except OSError:
        return 0
