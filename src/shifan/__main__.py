"""``python -m shifan``."""

from __future__ import annotations

from shifan.cli import main

main()
