"""A version's check is stored with it: page views show it without evaluating again, a changed
round (rubric, evaluation date), release or rubric evaluates once more, a conflicting save stores
nothing; and a page view costs no password hashing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from tests.web.caches import another_process, counted_evaluations
from tests.web.helpers import PASSWORD, flatten, login, small_world

from shifan.files import data_dir
from shifan.web import checks, service
from shifan.web.db import Applicant, Round, StoredCheck
from shifan.web.store import read_yaml

SAMPLE = data_dir("applications") / "institutions" / "01-kangning-eligible.yaml"
VERDICT = "核验结论：<b>具备申报资格</b>"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    return small_world(tmp_path / "ws")


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return counted_evaluations(monkeypatch)


def rows(world: Any) -> list[StoredCheck]:
    with world.state.shifan.db.session() as session:
        return list(session.scalars(select(StoredCheck).order_by(StoredCheck.id)).all())


def save(client: Any, world: Any, contact: str, version: int | None = None) -> Any:
    data = read_yaml(SAMPLE.read_bytes())
    data["contact"] = contact
    if version is None:
        with world.state.shifan.db.session() as session:
            version = session.get(Applicant, 1).version
    form: dict[str, list[str]] = {"version": [str(version)], "csrf": [client.headers["x-test-csrf"]]}
    for key, value in flatten({k: v for k, v in data.items() if k not in ("attachments", "kind")}):
        form.setdefault(key, []).append(value)
    return client.post("/applications/1/save", data=form)


def test_a_page_view_shows_the_stored_check_without_evaluating(world: Any, evaluations: list[str]) -> None:
    client = login(world, "jigou-a", PASSWORD)
    first = client.get("/applications/1")  # the imported version has no stored check yet: evaluated once
    assert first.status_code == 200 and VERDICT in first.text
    assert len(evaluations) == 1 and len(rows(world)) == 1
    another_process()
    again = client.get("/applications/1")
    assert again.status_code == 200
    assert len(evaluations) == 1  # read back from the database, not evaluated
    strip = re.compile(r'name="csrf" value="[^"]+"')
    assert strip.sub("", again.text) == strip.sub("", first.text)


def test_a_save_evaluates_once_and_stores_the_check_with_the_version(world: Any, evaluations: list[str]) -> None:
    client = login(world, "jigou-a", PASSWORD)
    client.get("/applications/1")  # stores the check of the imported version
    del evaluations[:]
    response = save(client, world, "联系人 1")
    assert response.status_code == 200 and "已保存并重新核验" in response.text
    assert len(evaluations) == 1
    with world.state.shifan.db.session() as session:
        applicant = session.get(Applicant, 1)
        stored = session.scalars(select(StoredCheck).where(StoredCheck.application_sha == applicant.current_sha)).all()
    assert len(stored) == 1 and stored[0].rubric_sha
    assert len(rows(world)) == 1  # the check of the replaced version is dropped with it
    another_process()
    page = client.get("/applications/1")
    assert VERDICT in page.text and 'value="联系人 1"' in page.text
    assert len(evaluations) == 1


def test_a_save_with_problems_stores_them_beside_their_fields(world: Any, evaluations: list[str]) -> None:
    client = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["beds"]["operating"] = "很多"
    form: dict[str, list[str]] = {"version": ["1"], "csrf": [client.headers["x-test-csrf"]]}
    for key, value in flatten({k: v for k, v in data.items() if k not in ("attachments", "kind")}):
        form.setdefault(key, []).append(value)
    assert "申报数据有错误" in client.post("/applications/1/save", data=form).text
    another_process()
    page = client.get("/applications/1").text
    assert len(evaluations) == 1
    operating = page.index('name="beds.operating"')
    assert "申报数据有错误" in page and "field-error" in page[operating : operating + 400]


@pytest.mark.parametrize(
    "change",
    [
        {"as_of": dt.date(2025, 6, 30)},
        {"rubric": "anhui/institution"},
    ],
    ids=["evaluation date", "rubric"],
)
def test_a_changed_round_evaluates_again_once(world: Any, evaluations: list[str], change: dict[str, Any]) -> None:
    client = login(world, "jigou-a", PASSWORD)
    client.get("/applications/1")
    assert len(evaluations) == 1
    with world.state.shifan.db.session() as session:
        session.execute(update(Round).values(**change))
    page = client.get("/applications/1")
    assert page.status_code == 200 and len(evaluations) == 2
    if "as_of" in change:
        assert "评价基准日 2025-06-30" in page.text
    else:
        assert "安徽" in page.text
    client.get("/applications/1")
    another_process()
    client.get("/applications/1")
    assert len(evaluations) == 2
    assert len(rows(world)) == 2


@pytest.mark.parametrize("column", ["basis", "rubric_sha"])
def test_a_check_stored_by_another_release_or_rubric_is_not_used(
    world: Any, evaluations: list[str], column: str
) -> None:
    client = login(world, "jigou-a", PASSWORD)
    client.get("/applications/1")
    with world.state.shifan.db.session() as session:
        session.execute(update(StoredCheck).values({column: "0" * 64}))
    another_process()
    assert VERDICT in client.get("/applications/1").text
    assert len(evaluations) == 2


def test_a_forgotten_check_is_evaluated_again(world: Any, evaluations: list[str]) -> None:
    client = login(world, "jigou-a", PASSWORD)
    client.get("/applications/1")
    with world.state.shifan.db.session() as session:
        checks.forget(session, 1)
    service._CACHE.clear()
    client.get("/applications/1")
    assert len(evaluations) == 2


def test_a_conflicting_save_stores_no_check_and_shows_the_latest(world: Any, evaluations: list[str]) -> None:
    first = login(world, "jigou-a", PASSWORD)
    second = login(world, "jigou-a", PASSWORD)
    assert save(first, world, "甲 0559-1", version=1).status_code == 200
    before = len(rows(world))
    response = save(second, world, "乙 0559-2", version=1)
    assert response.status_code == 409 and "已被他人修改" in response.text
    assert 'value="甲 0559-1"' in response.text and VERDICT in response.text
    with world.state.shifan.db.session() as session:
        current = session.get(Applicant, 1).current_sha
        assert session.get(Applicant, 1).version == 2
    assert len(rows(world)) == before
    assert {r.application_sha for r in rows(world)} >= {current}


def test_pages_carry_the_server_time_and_hash_no_password(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = login(world, "jigou-a", PASSWORD)
    staff = login(world, "staff", PASSWORD)
    hashed: list[str] = []
    verify, hash_ = PasswordHasher.verify, PasswordHasher.hash
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, *a: hashed.append("verify") or verify(self, *a))
    monkeypatch.setattr(PasswordHasher, "hash", lambda self, *a: hashed.append("hash") or hash_(self, *a))
    for response in [client.get("/applications/1"), staff.get("/staff/rounds/1"), staff.get("/staff/audit")]:
        assert response.status_code == 200
        timing = dict(re.findall(r"(\w+);dur=([\d.]+)", response.headers["server-timing"]))
        assert set(timing) == {"total", "handler", "cpu"}
        assert float(timing["total"]) >= float(timing["handler"]) >= 0
    assert save(client, world, "联系人 2").status_code == 200
    assert hashed == []


def test_a_server_process_is_settled_before_its_first_request(world: Any) -> None:
    import gc

    from starlette.testclient import TestClient

    from shifan.collector import YOUNG_THRESHOLD
    from shifan.web.templating import environment

    threshold = gc.get_threshold()
    try:
        with TestClient(world) as client:  # runs the lifespan, as ``shifan serve`` does
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD
            assert environment().cache is not None and len(environment().cache) >= 10  # all pages compiled
            assert client.get("/login").status_code == 200
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
