"""申报评审工作台: the web workbench over the same core the command line uses.

Starlette + Jinja2 pages (no inline scripts; one static script of conveniences), SQLAlchemy 2
with Alembic migrations (SQLite or PostgreSQL), files in a workspace folder. See :func:`create_app` and ``shifan serve``.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette

from shifan.web.app import Settings, create_app
from shifan.web.demo import fill_demo

__all__ = ["Settings", "app_from_environment", "create_app", "fill_demo", "settings_to_environment"]


def settings_to_environment(settings: Settings) -> None:
    """Pass the settings to worker processes (``shifan serve --workers N``)."""
    os.environ["SHIFAN_WORKSPACE"] = str(settings.workspace.resolve())
    os.environ["SHIFAN_DATABASE"] = settings.database or ""
    os.environ["SHIFAN_HTTPS"] = "1" if settings.https else ""


def app_from_environment() -> Starlette:
    """The app of one worker process, from the settings the parent process put in the environment."""
    return create_app(
        Settings(
            workspace=Path(os.environ["SHIFAN_WORKSPACE"]),
            database=os.environ.get("SHIFAN_DATABASE") or None,
            https=bool(os.environ.get("SHIFAN_HTTPS")),
            recover_jobs=False,
        )
    )
