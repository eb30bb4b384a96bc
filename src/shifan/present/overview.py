"""The per-city overview sheet (地市概况): applicants, eligible and recommended per prefecture-level city."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from shifan.batch.model import SummaryRow
from shifan.present.cells import CellValue
from shifan.present.row_text import city_label
from shifan.present.spreadsheet import Sheet
from shifan.rules.vocab import ApplicantKind, Verdict

OVERVIEW_TITLE = "地市概况"


def city_overview(rows: Sequence[SummaryRow], recommended: Collection[str] | None = None) -> Sheet:
    """One line per city (by the first four digits of the region code), with a total line.

    ``recommended`` holds the identifiers of the applicants on the list; without it (a batch,
    not a recommendation) the column is left out.
    """
    kinds = [ApplicantKind.INSTITUTION, ApplicantKind.REGION]
    headers = ["地市", "地市代码", "申报数", *(f"其中{k.label}" for k in kinds), Verdict.ELIGIBLE.label]
    if recommended is not None:
        headers.append("拟推荐")
    groups: dict[str, list[SummaryRow]] = defaultdict(list)
    for row in rows:
        groups[row.region_code[:4] + "00"].append(row)
    sheet = Sheet(OVERVIEW_TITLE, headers, widths={0: 24, 1: 10})

    def line(name: str, code: str, members: Sequence[SummaryRow]) -> list[CellValue]:
        cells: list[CellValue] = [name, code, len(members)]
        cells.extend(sum(1 for r in members if r.kind == k.value) for k in kinds)
        cells.append(sum(1 for r in members if r.eligible))
        if recommended is not None:
            # an applicant on the list once, however many of its files were read
            cells.append(len({r.id for r in members if r.id in recommended}))
        return cells

    for code in sorted(groups):
        sheet.rows.append(line(city_label(code), code, groups[code]))
    sheet.rows.append(line("合计", "", list(rows)))
    return sheet
