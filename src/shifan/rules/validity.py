"""When a dated document (licence, certificate, agreement) counts as valid."""

from __future__ import annotations

import datetime as dt


def valid_on(day: dt.date, start: dt.date | None, expires: dt.date | None) -> bool:
    """Valid on ``day``: in force on or before it (an unknown start counts as in force) and not
    expired before it (no expiry date means valid without limit)."""
    return (start is None or start <= day) and (expires is None or expires >= day)
