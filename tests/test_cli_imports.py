"""Each command imports only what it uses: the group's help loads no command, ``check`` no PDF engine."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import click
import pytest

import shifan.cli
from conftest import INSTITUTIONS, ROOT
from shifan.cli import COMMANDS, cli

PROBE = (
    "import json, sys\n"
    "from shifan.cli import cli\n"
    "try:\n"
    "    cli.main(args=sys.argv[1:], prog_name='shifan')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
)

# Modules a command loads only when its work needs them.
PDF = {"weasyprint", "fontTools", "shifan.present.report.pdf", "shifan.present.report.fonts"}
SPREADSHEET = {"openpyxl", "shifan.present.spreadsheet"}
BATCH = {"shifan.batch", "concurrent.futures.process", "shifan.recommend"}
REVIEW = {"shifan.review", "shifan.evaluate.rubric_diff", "shifan.present.reference", "shifan.evaluate.compare"}
MODELS = {"pydantic", "shifan.rules.application", "shifan.rules.rubric", "shifan.evaluate", "ruamel.yaml", "yaml"}
TEMPLATES = {"jinja2"}
WORD = {"docx", "lxml", "shifan.present.docx", "shifan.present.publication"}


def loaded_modules(args: list[str]) -> set[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, check=False, cwd=ROOT
    )
    return set(json.loads(completed.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        (["-h"], PDF | SPREADSHEET | BATCH | REVIEW | MODELS | TEMPLATES | WORD),
        (
            ["check", str(INSTITUTIONS / "01-kangning-eligible.yaml"), "--format", "json"],
            PDF | SPREADSHEET | BATCH | REVIEW | TEMPLATES | WORD,
        ),
        (["criteria", "list"], PDF | SPREADSHEET | BATCH | REVIEW | TEMPLATES | WORD),
    ],
    ids=["help", "check", "criteria-list"],
)
def test_command_loads_no_heavy_module(args: list[str], forbidden: set[str]) -> None:
    loaded = loaded_modules(args)
    assert "shifan.cli" in loaded
    assert sorted(loaded & forbidden) == []


def test_command_table_matches_the_commands() -> None:
    """Every command of every module is in the lazy table, with the help line it would show itself."""
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(shifan.cli.__path__):
        module = importlib.import_module(f"shifan.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            assert isinstance(command, click.Command)
            assert command.name is not None
            found[command.name] = command.get_short_help_str(limit=200)
    assert found == {name: entry[2] for name, entry in COMMANDS.items()}
    ctx = click.Context(cli)
    for name in COMMANDS:
        assert cli.get_command(ctx, name) is not None


def test_a_command_process_collects_young_objects_less_often_and_freezes_at_exit() -> None:
    probe = (
        "import atexit, gc, sys\n"
        "from shifan.collector import YOUNG_THRESHOLD, tune_collector\n"
        "gc.set_threshold(700, 10, 10)\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 0))\n"  # registered first, runs last
        "tune_collector()\n"
        "assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10), gc.get_threshold()\n"
        "gc.set_threshold(10 * YOUNG_THRESHOLD, 10, 10)\n"
        "tune_collector()\n"  # a higher threshold set by the embedding program is kept
        "assert gc.get_threshold()[0] == 10 * YOUNG_THRESHOLD and gc.get_freeze_count() == 0\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr
