"""Shared fixtures: paths of the shipped samples and a CLI runner that shows output on failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from shifan.cli import cli

ROOT = Path(__file__).resolve().parent.parent
APPLICATIONS = ROOT / "applications"
INSTITUTIONS = APPLICATIONS / "institutions"
REGIONS = APPLICATIONS / "regions"


def invoke(args: list[str], expected_code: int, **kwargs: object) -> Result:
    """Run the CLI and assert its exit code, printing everything when it is not the expected one."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)  # type: ignore[arg-type]
    assert result.exit_code == expected_code, (
        f"exit {result.exit_code} != {expected_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


@pytest.fixture
def sample() -> Path:
    return INSTITUTIONS / "01-kangning-eligible.yaml"
