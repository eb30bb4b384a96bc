"""click's own messages in Chinese: usage errors, help headings and footers, "did you mean".

click marks its strings for gettext (``from gettext import gettext as _``) but looks the
language up in environment variables that Windows does not set. The catalogue shipped beside
this module (``locale/zh_CN.po``, click's msgids verbatim) is read once and bound into click's
modules, so every shifan user reads Chinese whatever the system locale.
"""

from __future__ import annotations

import ast
import gettext
import importlib
import re
from pathlib import Path

CATALOGUE = Path(__file__).with_name("locale") / "zh_CN.po"
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)
_ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$')


def read_po(text: str) -> dict[str | tuple[str, int], str]:
    """Messages of a .po file: msgid → text, and (msgid, n) → plural form n."""
    entries: dict[str | tuple[str, int], str] = {}
    current: dict[str, str] = {}
    last = ""

    def flush() -> None:
        msgid = current.get("msgid")
        if msgid:
            if "msgstr" in current:
                entries[msgid] = current["msgstr"]
            for key, value in current.items():
                if key.startswith("msgstr["):
                    entries[(msgid, int(key[7:-1]))] = value
        current.clear()

    for line in text.splitlines():
        line = line.strip()
        match = _ENTRY.match(line)
        if match:
            if match[1] == "msgid":
                flush()
            last = match[1]
            current[last] = ast.literal_eval(match[2])
        elif line.startswith('"') and last:
            current[last] += ast.literal_eval(line)
    flush()
    return entries


class Catalogue(gettext.NullTranslations):
    """A translation read from a .po file; messages it lacks stay as they are."""

    def __init__(self, entries: dict[str | tuple[str, int], str]) -> None:
        super().__init__()
        self.entries = entries

    def gettext(self, message: str) -> str:
        return self.entries.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        form = 0 if n == 1 else 1
        return self.entries.get((msgid1, form)) or (msgid1 if n == 1 else msgid2)


def install() -> Catalogue:
    """Bind the Chinese catalogue into click's modules (idempotent)."""
    catalogue = Catalogue(read_po(CATALOGUE.read_text(encoding="utf-8")))
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = catalogue.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = catalogue.ngettext  # type: ignore[attr-defined]
    return catalogue
