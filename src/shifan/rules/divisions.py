"""Administrative division names (行政区划) from 6-digit GB/T 2260 codes.

The table ships as package data, ``shifan/data/regions.csv``, with its source and date in its
header (:data:`TABLE_DATE`). A province with subdivisions in the table is covered completely: a
code of that province missing from the table is an input error. A province with only its own
code in the table (Taiwan, Hong Kong, Macao) is checked by its first two digits only, and its
codes resolve to the province's name alone.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
#: The date the table is current to (from its source).
TABLE_DATE = "2025-12-31"


@dataclass(frozen=True)
class Division:
    """The names of a code's province, prefecture-level city and county (empty when not applicable)."""

    code: str
    province: str
    city: str
    county: str

    @property
    def full_name(self) -> str:
        """``安徽省黄山市屯溪区``; a municipality's city is not repeated (``上海市长宁区``)."""
        parts = [self.province]
        if self.city and self.city != self.province:
            parts.append(self.city)
        if self.county:
            parts.append(self.county)
        return "".join(parts)


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """Code → name, read once from the shipped table."""
    with TABLE.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return {row["code"]: row["name"] for row in csv.DictReader(lines)}


@lru_cache(maxsize=1)
def covered_provinces() -> frozenset[str]:
    """The two-digit prefixes of provinces whose subdivisions the table lists."""
    return frozenset(code[:2] for code in table() if not code.endswith("0000"))


def division(code: str) -> Division | None:
    """The names for ``code``, or None when the table does not know it."""
    names = table()
    province = names.get(code[:2] + "0000")
    if province is None:
        return None
    if code.endswith("0000"):
        return Division(code, province, "", "")
    city = names.get(code[:4] + "00", "")
    if code.endswith("00"):
        return Division(code, province, names[code], "") if code in names else None
    county = names.get(code)
    if county is None:
        return None if code[:2] in covered_provinces() else Division(code, province, "", "")
    return Division(code, province, city, county)


def division_problem(code: str) -> str | None:
    """Why a 6-digit code with a valid province prefix is not a known division, or None."""
    if code[:2] + "0000" not in table():
        return f"前两位 {code[:2]} 不是有效的省级代码"
    if division(code) is None:
        return f"不在行政区划代码表（截至 {TABLE_DATE}）中：请核对代码；如为此后新设的区划，请联系维护人员更新代码表"
    return None


def city_name(code: str) -> str:
    """The prefecture-level city of ``code`` (its first four digits + 00) by name, or ""."""
    found = division(code[:4] + "00") if len(code) == 6 else None
    if found is None:
        return ""
    return found.city or found.province
