"""The workbench's Jinja2 environment: autoescaped, strict, templates shipped in the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from shifan.present.formats import FORMAT_LABELS
from shifan.present.report.templating import points, status_label
from shifan.web.db import ROLES, STATUSES

TEMPLATES = Path(__file__).parent / "templates"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates ship with the package: no file checks on every page
)
_ENV.filters["points"] = points
_ENV.filters["status_label"] = status_label
_ENV.globals["ROLES"] = ROLES
_ENV.globals["STATUSES"] = STATUSES
_ENV.globals["FORMAT_LABELS"] = FORMAT_LABELS


def environment() -> Environment:
    return _ENV


def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_ENV.get_template(name).render(**context), status_code=status_code)
