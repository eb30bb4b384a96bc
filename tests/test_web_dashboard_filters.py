"""The staff dashboard's applicant table: filters in the query string (each narrows the table, a
keyword is literal text), pages of :data:`PAGE_SIZE` rows in a stable order, links that keep the
filters, totals and the by-city table of the whole round, and bad query values that show the
unfiltered table rather than an error."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from tests.test_web_round_checks import _add as add_sample
from tests.web.helpers import PASSWORD, login, post, small_world

from shifan.web.dashboard_filters import PAGE_SIZE
from shifan.web.db import Applicant, Review, Round, User

ROW = re.compile(r'<tr>\s*<td><a href="/applications/(\d+)">')
CARDS = re.compile(r'<section class="cards">.*?</section>', re.S)
BY_CITY = re.compile(r"<h2>按地市统计</h2>\s*<table.*?</table>", re.S)
PAGE_INFO = re.compile(r'<span class="page-info">(.*?)</span>')


@pytest.fixture
def world(tmp_path: Path) -> Any:
    return small_world(tmp_path / "ws")


def add(world: Any, *rows: dict[str, Any], round_id: int = 1) -> list[int]:
    """Applicants without an application (round 1, 黄山市, 示范机构, 填报中 unless given)."""
    with world.state.shifan.db.session() as session:
        owner = session.scalars(select(User.id).where(User.username == "jigou-b")).one()
        made = [
            Applicant(round_id=round_id, user_id=owner, **{"kind": "institution", "city": "黄山市", **row})
            for row in rows
        ]
        session.add_all(made)
        session.flush()
        return [a.id for a in made]


def shown(client: Any, query: dict[str, str] | str = "", round_id: int = 1) -> tuple[list[int], str]:
    """The applicant ids of the table (in order) and the page."""
    text = query if isinstance(query, str) else urlencode(query)
    response = client.get(f"/staff/rounds/{round_id}" + (f"?{text}" if text else ""))
    assert response.status_code == 200, response.text[:500]
    return [int(i) for i in ROW.findall(response.text)], response.text


def everyone(world: Any) -> list[Applicant]:
    with world.state.shifan.db.session() as session:
        return list(session.scalars(select(Applicant).where(Applicant.round_id == 1)))


@pytest.fixture
def varied(world: Any) -> Any:
    """Round 1 with applicants differing in every filtered column, one with a plausibility flag
    (华西护理院) and one with a review of an older version."""
    add_sample(world, "华西护理院", "10-huaxi-larger-fire.yaml", expert="expert-a")
    ids = add(
        world,
        {"name": "合肥市康养中心", "city": "合肥市", "status": "submitted", "eligible": True, "score": 88.0},
        {"name": "合肥市第二护理院", "city": "合肥市", "eligible": False, "problems": 3},
        {"name": "无地市护理院", "city": ""},
        {"name": "示范县甲", "kind": "region", "city": "芜湖市", "status": "submitted", "current_sha": "1" * 64},
    )
    with world.state.shifan.db.session() as session:
        expert = session.scalars(select(User.id).where(User.username == "expert-b")).one()
        session.add(Review(applicant_id=ids[3], expert_id=expert, data="{}", application_sha="0" * 64, signed=True))
    return world


Predicate = Callable[[Applicant], bool]
FILTERS: list[tuple[dict[str, str], Predicate]] = [
    ({"city": "合肥市"}, lambda a: a.city == "合肥市"),
    ({"city": "未填地市"}, lambda a: a.city == ""),
    ({"status": "submitted"}, lambda a: a.status == "submitted"),
    ({"status": "draft"}, lambda a: a.status == "draft"),
    ({"eligible": "yes"}, lambda a: a.eligible is True),
    ({"eligible": "no"}, lambda a: a.eligible is False),
    ({"eligible": "unknown"}, lambda a: a.eligible is None),
    ({"kind": "region"}, lambda a: a.kind == "region"),
    ({"kind": "institution"}, lambda a: a.kind == "institution"),
    ({"hint": "flagged"}, lambda a: a.name == "华西护理院"),
    ({"hint": "errors"}, lambda a: bool(a.problems)),
    ({"hint": "stale"}, lambda a: a.name == "示范县甲"),
    ({"city": "合肥市", "status": "draft"}, lambda a: a.city == "合肥市" and a.status == "draft"),
    ({"q": "护理院", "city": "黄山市"}, lambda a: "护理院" in a.name and a.city == "黄山市"),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[urlencode(q) for q, _ in FILTERS])
def test_each_filter_narrows_the_table(varied: Any, query: dict[str, str], expected: Predicate) -> None:
    staff = login(varied, "staff", PASSWORD)
    every, _ = shown(staff)
    ids, page = shown(staff, query)
    wanted = {a.id for a in everyone(varied) if expected(a)}
    assert wanted and len(wanted) < len(every)
    assert set(ids) == wanted
    assert f"共 {len(wanted)} 个申报单位（筛选后）" in page
    for key, value in query.items():  # the form shows the filter chosen
        assert f'<option value="{value}" selected>' in page or f'name="{key}" value="{value}"' in page


def test_a_keyword_is_literal_text_matched_case_insensitively(world: Any) -> None:
    names = ["百分之100%护理院", "100护理院", "下划_线康养", "下划线康养", "ABC康养中心", "反斜\\杠护理院"]
    ids = dict(zip(names, add(world, *({"name": n} for n in names)), strict=True))
    staff = login(world, "staff", PASSWORD)
    for keyword, expected in [
        ("%", ["百分之100%护理院"]),
        ("0%护", ["百分之100%护理院"]),
        ("_", ["下划_线康养"]),
        ("划_", ["下划_线康养"]),
        ("abc", ["ABC康养中心"]),
        ("aBc康养", ["ABC康养中心"]),
        ("康养", ["下划_线康养", "下划线康养", "ABC康养中心"]),
        ("\\", ["反斜\\杠护理院"]),
        ("  下划线  ", ["下划线康养"]),  # trimmed
        ("没有这个单位", []),
    ]:
        found, page = shown(staff, {"q": keyword})
        assert set(found) == {ids[n] for n in expected}, keyword
        assert f'value="{html.escape(keyword.strip())}"' in page
    _, page = shown(staff, {"q": "没有这个单位"})
    assert "没有符合筛选条件的申报单位" in page and "第 1 / 1 页，共 0 个申报单位（筛选后）" in page


def test_exactly_one_page_then_two(world: Any) -> None:
    staff = login(world, "staff", PASSWORD)
    # The same city and name, after the two applicants there are: ordered by id.
    add(world, *({"name": "测试jigou-z"} for _ in range(PAGE_SIZE - 2)))
    ids, page = shown(staff)
    assert len(ids) == PAGE_SIZE == 100
    assert "第 1 / 1 页，共 100 个申报单位" in page and "（筛选后）" not in page
    assert '<span class="disabled">上一页</span>' in page and '<span class="disabled">下一页</span>' in page

    (last,) = add(world, {"name": "测试jigou-z"})
    ids, page = shown(staff)
    assert len(ids) == PAGE_SIZE and last not in ids
    assert "第 1 / 2 页，共 101 个申报单位" in page
    assert '<a href="/staff/rounds/1?page=2" rel="next">下一页</a>' in page
    second, page = shown(staff, {"page": "2"})
    assert second == [last]  # same city and name: the newest (largest id) last
    assert "第 2 / 2 页，共 101 个申报单位" in page
    assert '<a href="/staff/rounds/1" rel="prev">上一页</a>' in page and '<span class="disabled">下一页</span>' in page
    assert not set(second) & set(ids)

    for beyond in ["3", "999", "999999999", "99999999999999999999", "9" * 5000]:
        assert shown(staff, {"page": beyond})[0] == [last], beyond
    for before in ["0", "-1", "abc", "", "1.5", "²", " "]:
        assert shown(staff, {"page": before})[0] == ids, before


def test_rows_are_ordered_by_city_then_name_then_id(world: Any) -> None:
    made = add(
        world,
        {"name": "乙", "city": "合肥市"},
        {"name": "甲", "city": "合肥市"},
        {"name": "甲", "city": "合肥市"},
        {"name": "丙", "city": ""},
    )
    staff = login(world, "staff", PASSWORD)
    ids, _ = shown(staff, {"q": "", "city": ""})
    rows = {a.id: a for a in everyone(world)}
    keys = [(rows[i].city, rows[i].name, i) for i in ids]
    assert keys == sorted(keys) and set(made) <= set(ids)


def test_the_totals_and_the_by_city_table_are_the_whole_round(varied: Any) -> None:
    staff = login(varied, "staff", PASSWORD)
    _, whole = shown(staff)
    for query in [{"city": "芜湖市"}, {"q": "没有这个单位"}, {"hint": "stale", "page": "5"}]:
        _, filtered = shown(staff, query)
        assert CARDS.findall(filtered) == CARDS.findall(whole)
        assert BY_CITY.findall(filtered) == BY_CITY.findall(whole)
    cards = CARDS.findall(whole)[0]
    assert "<b>7</b>申报单位" in cards and "<b>2</b>已提交" in cards and "<b>1</b>评审已过期" in cards
    assert "<b>1</b>数据有错误" in cards
    assert "<td>未填地市</td>" in BY_CITY.findall(whole)[0]


def test_paging_links_and_forms_keep_the_filters(world: Any) -> None:
    add(world, *({"name": f"芜湖护理院{i:03d}", "city": "芜湖市"} for i in range(PAGE_SIZE + 5)))
    add(world, *({"name": f"芜湖康养{i:03d}", "city": "芜湖市"} for i in range(3)))
    staff = login(world, "staff", PASSWORD)
    ids, page = shown(staff, {"city": "芜湖市", "q": "护理院"})
    assert len(ids) == PAGE_SIZE
    assert "第 1 / 2 页，共 105 个申报单位（筛选后）" in page
    following = "/staff/rounds/1?city=%E8%8A%9C%E6%B9%96%E5%B8%82&amp;q=%E6%8A%A4%E7%90%86%E9%99%A2&amp;page=2"
    assert f'<a href="{following}" rel="next">下一页</a>' in page
    second, page = shown(staff, html.unescape(following.split("?", 1)[1]))
    assert len(second) == 5 and "第 2 / 2 页，共 105 个申报单位（筛选后）" in page
    assert '<option value="芜湖市" selected>' in page and 'name="q" value="护理院"' in page
    back = html.unescape(re.findall(r'name="back" value="([^"]*)"', page)[0])
    assert back == "city=%E8%8A%9C%E6%B9%96%E5%B8%82&q=%E6%8A%A4%E7%90%86%E9%99%A2&page=2"
    assert '<a href="/staff/rounds/1">清除筛选</a>' in page

    # Assigning an expert from the second page returns to it.
    with world.state.shifan.db.session() as session:
        expert = session.scalars(select(User.id).where(User.username == "expert-a")).one()
    response = post(staff, "/staff/rounds/1/assign", {"applicant": second[0], "expert": expert, "back": back})
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == f"/staff/rounds/1?{back}"  # type: ignore[attr-defined]
    # Only the filters' own names go back, re-encoded.
    response = post(
        staff,
        "/staff/rounds/1/assign",
        {"applicant": second[0], "expert": expert, "back": "//evil.example/?x=1&page=2"},
    )
    assert response.headers["location"] == "/staff/rounds/1?page=2"  # type: ignore[attr-defined]
    # A damaged or forged form is refused, never a server error.
    for applicant, who in (("abc", expert), (second[0], "1e3"), ("９", expert), ("9" * 40, expert), ("", "")):
        response = post(staff, "/staff/rounds/1/assign", {"applicant": applicant, "expert": who})
        assert response.status_code == 400, (applicant, who)  # type: ignore[attr-defined]


def test_reopening_returns_to_the_filtered_view(world: Any) -> None:
    (submitted,) = add(world, {"name": "已提交护理院", "status": "submitted"})
    staff = login(world, "staff", PASSWORD)
    _, page = shown(staff, {"status": "submitted"})
    assert f'action="/staff/applicants/{submitted}/reopen"' in page
    response = post(staff, f"/staff/applicants/{submitted}/reopen", {"back": "status=submitted"})
    assert response.headers["location"] == "/staff/rounds/1?status=submitted"  # type: ignore[attr-defined]
    ids, page = shown(staff, {"status": "submitted"})
    assert ids == [] and "没有符合筛选条件的申报单位" in page


BAD = [
    {"city": "不存在的市"},
    {"city": "合肥"},  # a part of a city's name
    {"status": "approved"},
    {"eligible": "true"},
    {"kind": "hospital"},
    {"hint": "everything"},
    {"q": "长" * 201},
    {"q": "\x00"},
    {"page": "abc"},
    {"unknown": "x"},
]


@pytest.mark.parametrize("query", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_query_values_show_the_unfiltered_table(varied: Any, query: dict[str, str]) -> None:
    staff = login(varied, "staff", PASSWORD)
    every, _ = shown(staff)
    ids, page = shown(staff, query)
    assert ids == every
    assert "（筛选后）" not in page and "清除筛选" not in page
    assert 'value="" selected' not in page  # nothing selected but 全部 (the first option)


def test_malformed_query_strings_are_no_errors(varied: Any) -> None:
    staff = login(varied, "staff", PASSWORD)
    every, _ = shown(staff)
    for raw in ["city=%FF%FE", "q=%", "q=%zz", "page=1&page=x", "status", "=&&=", "page=%00", "q=a%00b"]:
        response = staff.get(f"/staff/rounds/1?{raw}")
        assert response.status_code == 200, raw
        assert "Traceback" not in response.text
    assert shown(staff, "status=draft&status=submitted")[0] != every  # the last value of a repeated name


def test_stale_reviews_are_counted_in_their_own_round_only(varied: Any) -> None:
    with varied.state.shifan.db.session() as session:
        round_ = Round(name="另一批次", as_of=session.get(Round, 1).as_of, quota=1)  # type: ignore[union-attr]
        session.add(round_)
        session.flush()
        other_round = round_.id
    (other,) = add(varied, {"name": "另一批次的护理院", "current_sha": "1" * 64}, round_id=other_round)
    with varied.state.shifan.db.session() as session:
        expert = session.scalars(select(User.id).where(User.username == "expert-a")).one()
        session.add(Review(applicant_id=other, expert_id=expert, data="{}", application_sha="2" * 64, signed=True))
    staff = login(varied, "staff", PASSWORD)
    _, page = shown(staff)
    assert "<b>1</b>评审已过期" in CARDS.findall(page)[0]  # round 1's own
    ids, page = shown(staff, {"hint": "stale"})
    assert other not in ids and len(ids) == 1
    ids, page = shown(staff, {"hint": "stale"}, round_id=other_round)
    assert ids == [other] and "<b>1</b>评审已过期" in CARDS.findall(page)[0]
    assert "<b>1</b>已有签字评审" in CARDS.findall(page)[0]
