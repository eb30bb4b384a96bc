"""The one Jinja2 environment factory of shifan's reports.

Templates run in Jinja2's sandbox (a user's template is code from outside the tool: it may read
the view data given to it, never reach Python internals, files or commands), autoescaping is on
for every template, undefined names are errors, and a user's template folder
(``--templates DIR``) is searched before the built-in one; ``default:NAME`` always names the
built-in template, so a user's template can extend the one it replaces.
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from shifan.files import templates_dir
from shifan.formatting import format_number
from shifan.present.publication import rubric_title
from shifan.present.row_text import annex_reason, group_label, override_text, tie_note
from shifan.rules.vocab import Status

MARK_CLASSES = {
    Status.PASS: "mark-pass",
    Status.FAIL: "mark-fail",
    Status.PARTIAL: "mark-warn",
    Status.INSUFFICIENT: "mark-warn",
    Status.NOT_APPLICABLE: "mark-na",
    Status.ERROR: "mark-fail",
}


def report_templates_dir() -> Path:
    return templates_dir() / "report"


def status_label(status: Status | str) -> Markup:
    """The Chinese verdict word wrapped in a span whose class adds a symbol (no colour needed)."""
    value = Status(status)
    return Markup('<span class="{}">{}</span>').format(MARK_CLASSES[value], value.label)


def points(value: float | None) -> str:
    return "" if value is None else format_number(value)


def lines(text: str) -> Markup:
    """Escaped text with its line breaks kept."""
    return Markup("<br>").join(escape(part) for part in str(text).splitlines())


@functools.lru_cache(maxsize=8)
def make_environment(user_templates: Path | None = None) -> SandboxedEnvironment:
    """The environment for ``user_templates``, made once per process: its compiled templates are
    kept and recompiled only when their file changes (Jinja checks the modification time)."""
    builtin = FileSystemLoader(str(report_templates_dir()))
    loaders: list[BaseLoader] = [PrefixLoader({"default": builtin}, delimiter=":")]
    if user_templates is not None:
        loaders.insert(0, FileSystemLoader(str(user_templates)))
    loaders.append(builtin)
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "svg"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["status"] = status_label
    env.filters["points"] = points
    env.filters["lines"] = lines
    env.filters["override"] = override_text
    env.filters["annex_reason"] = annex_reason
    env.filters["tie_note"] = tie_note
    env.filters["group_label"] = group_label
    env.filters["rubric_title"] = rubric_title
    return env
