"""What the staff dashboard's applicant table shows: the filters of its GET form (so that a
filtered view is a link), their SQL conditions, and the page of rows.

Every value comes from the query string as typed or linked: an unknown or malformed one is
ignored (that filter shows everything), never an error."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from shifan.web.db import STATUSES, Applicant, Review

#: Rows of the applicant table on one page.
PAGE_SIZE = 100
#: The label under which applicants without a city are counted and filtered.
NO_CITY = "未填地市"
#: The longest keyword looked for (a longer one cannot match a name: names have at most 200 characters).
MAX_KEYWORD = 200

KINDS = {"institution": "示范机构", "region": "示范县（市、区）"}
ELIGIBILITY = {"yes": "具备", "no": "不具备", "unknown": "未核验"}
HINTS = {"flagged": "有提示或不参加排序", "errors": "数据有错误", "stale": "评审已过期"}


def stale_review() -> ColumnElement[bool]:
    """The applicant has a review of another version than its current one."""
    return exists(
        select(Review.id).where(Review.applicant_id == Applicant.id, Review.application_sha != Applicant.current_sha)
    )


def signed_review() -> ColumnElement[bool]:
    """The applicant has a signed review."""
    return exists(select(Review.id).where(Review.applicant_id == Applicant.id, Review.signed.is_(True)))


def _escaped(keyword: str) -> str:
    """``keyword`` as literal text in a LIKE pattern (escape character ``\\``)."""
    return keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Filters:
    """The filters of one view ("" for each one not used) and the page asked for (1 onwards)."""

    city: str = ""
    status: str = ""
    eligible: str = ""
    kind: str = ""
    hint: str = ""
    q: str = ""
    page: int = 1

    @property
    def active(self) -> bool:
        return any(value for key, value in asdict(self).items() if key != "page")

    def query(self, page: int | None = None) -> str:
        """The query string of this view on ``page`` (this one's if None; page 1 is left out)."""
        values = asdict(self)
        values["page"] = self.page if page is None else page
        return urlencode([(k, v) for k, v in values.items() if v and not (k == "page" and v == 1)])

    def conditions(self, flagged: Collection[int]) -> list[ColumnElement[bool]]:
        """The SQL conditions of the filters; ``flagged``: the applicants with flags or kept out of ranking."""
        found: list[ColumnElement[bool]] = []
        if self.city == NO_CITY:
            found.append(or_(Applicant.city == "", Applicant.city == NO_CITY))
        elif self.city:
            found.append(Applicant.city == self.city)
        if self.status:
            found.append(Applicant.status == self.status)
        if self.eligible == "yes":
            found.append(Applicant.eligible.is_(True))
        elif self.eligible == "no":
            found.append(Applicant.eligible.is_(False))
        elif self.eligible == "unknown":
            found.append(Applicant.eligible.is_(None))
        if self.kind:
            found.append(Applicant.kind == self.kind)
        if self.hint == "flagged":
            found.append(Applicant.id.in_(sorted(flagged)) if flagged else false())
        elif self.hint == "errors":
            found.append(Applicant.problems > 0)
        elif self.hint == "stale":
            found.append(stale_review())
        if self.q:
            found.append(Applicant.name.ilike(f"%{_escaped(self.q)}%", escape="\\"))
        return found


def _choice(value: str | None, allowed: Collection[str]) -> str:
    return value if value is not None and value in allowed else ""


def _keyword(value: str | None) -> str:
    text = (value or "").replace("\x00", "").strip()
    return text if len(text) <= MAX_KEYWORD else ""


def _page(value: str | None) -> int:
    """The page number asked for: 1 unless digits; a huge number is past the last page (clamped later)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, int(text)) if len(text) <= 9 else 10**9


def parse(params: Mapping[str, str], cities: Collection[str]) -> Filters:
    """The filters a query string asks for; ``cities``: the round's (as the by-city table names them)."""
    return Filters(
        city=_choice(params.get("city"), cities),
        status=_choice(params.get("status"), STATUSES),
        eligible=_choice(params.get("eligible"), ELIGIBILITY),
        kind=_choice(params.get("kind"), KINDS),
        hint=_choice(params.get("hint"), HINTS),
        q=_keyword(params.get("q")),
        page=_page(params.get("page")),
    )


def back_query(value: str) -> str:
    """The dashboard view a form posted from (its ``back`` field) as a query string to return to:
    only the filter names, re-encoded (the city is checked when the page is drawn)."""
    names = set(asdict(Filters()))
    pairs = [(k, v) for k, v in parse_qsl(value[:4000]) if k in names]
    return urlencode(pairs)


@dataclass(frozen=True)
class Paging:
    """One page of ``total`` rows: page ``number`` of ``pages``."""

    number: int
    pages: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def paging(filters: Filters, total: int) -> tuple[Filters, Paging]:
    """The page asked for, clamped to those there are (an empty view has one page)."""
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(filters.page, pages)
    return replace(filters, page=number), Paging(number, pages, total)


def where(round_id: int, filters: Filters, flagged: Collection[int]) -> ColumnElement[bool]:
    return and_(Applicant.round_id == round_id, *filters.conditions(flagged))


def context(filters: Filters) -> dict[str, Any]:
    """What the template's filter form needs besides the round's cities."""
    return {"filters": filters, "eligibility": ELIGIBILITY, "hints": HINTS}
