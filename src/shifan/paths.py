"""Where the shipped rubrics and templates are, in an installed package or in a checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The shipped folder ``name`` (criteria, templates): package data when installed from a
    wheel, the repository's top-level folder when running from a checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent.parent / name):
        if candidate.is_dir():
            return candidate
    return PACKAGE_DIR / name


def criteria_dir() -> Path:
    return data_dir("criteria")


def templates_dir() -> Path:
    return data_dir("templates")
