"""申报评审工作台: the web workbench over the same core the command line uses.

Starlette + Jinja2 pages (no scripts), SQLAlchemy 2 with Alembic migrations, files in a
workspace folder. See :func:`create_app` and ``shifan serve``.
"""

from __future__ import annotations

from shifan.web.app import Settings, create_app
from shifan.web.demo import fill_demo

__all__ = ["Settings", "create_app", "fill_demo"]
