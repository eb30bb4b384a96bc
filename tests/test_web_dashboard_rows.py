"""The dashboard's flags and pre-flight read the summary rows kept with the stored checks: a view
with kept rows evaluates nobody, a saved version or review keeps its row, a review changed behind
the dashboard's back is reconciled again, many missing rows are worked out in the background; and
deleting an evidence file shows a check without it."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from tests.test_web_flows import SAMPLE, _form
from tests.web.caches import another_process, counted_evaluations
from tests.web.helpers import PASSWORD, login, post, small_world

from shifan.web import round_checks
from shifan.web.db import Applicant, Attachment, Review, StoredCheck
from shifan.web.store import read_yaml

PREFLIGHT = re.compile(r'<section class="preflight".*?</section>', re.S)


@pytest.fixture
def world(tmp_path: Path) -> Any:
    another_process()  # nothing kept from other tests' workspaces
    return small_world(tmp_path / "ws")


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return counted_evaluations(monkeypatch)


def dashboard(world: Any) -> str:
    return str(login(world, "staff", PASSWORD).get("/staff/rounds/1").text)


def flags_and_preflight(page: str) -> tuple[list[str], list[str]]:
    return re.findall(r'<ul class="flags">.*?</ul>|<p class="warn excluded">.*?</p>', page), PREFLIGHT.findall(page)


def test_a_dashboard_with_kept_rows_evaluates_nothing(
    world: Any, evaluations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = dashboard(world)  # the sample import stored no check: evaluated once, rows kept
    assert len(evaluations) == 2
    assert len(round_checks._ROWS) == 2
    another_process()

    def no_evaluation(*_args: Any) -> None:
        raise AssertionError("evaluated")

    monkeypatch.setattr(round_checks, "_evaluate", no_evaluation)
    again = dashboard(world)
    assert len(evaluations) == 2
    assert flags_and_preflight(again) == flags_and_preflight(first)
    assert "2 份可评价的申报均未发现问题" in again


def test_a_saved_version_and_a_saved_review_keep_their_rows(world: Any, evaluations: list[str]) -> None:
    applicant = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["contact"] = "新联系人"
    assert (
        applicant.post("/applications/1/save", data=_form(data, 1, applicant.headers["x-test-csrf"])).status_code == 200
    )
    with world.state.shifan.db.session() as session:
        kept = session.scalars(select(StoredCheck).where(StoredCheck.applicant_id == 1)).one()
        assert kept.reviews == "" and kept.summary and '"flags"' in kept.summary
    expert = login(world, "expert-a", PASSWORD)
    form = {"conclusion": "recommend", "opinion": "同意", "sign": "on", "B1.score": "8", "version": "0"}
    assert post(expert, "/reviews/1", form).status_code == 200  # type: ignore[attr-defined]
    dashboard(world)  # applicant 2 had no row yet
    another_process()
    evaluations.clear()
    page = dashboard(world)
    assert evaluations == []
    assert "未经专家评审的 1 个具备资格的申报单位不参加排序：测试jigou-b" in page


def test_a_review_changed_elsewhere_is_reconciled_again(world: Any, evaluations: list[str]) -> None:
    dashboard(world)
    expert = login(world, "expert-b", PASSWORD)
    form = {"conclusion": "recommend", "opinion": "同意", "sign": "on", "B1.score": "8", "version": "0"}
    assert post(expert, "/reviews/2", form).status_code == 200  # type: ignore[attr-defined]
    with world.state.shifan.db.session() as session:  # changed without keeping the row
        review = session.scalars(select(Review)).one()
        data = json.loads(review.data)
        data["application"]["sha256"] = "0" * 64
        session.execute(update(Review).values(data=json.dumps(data), version=Review.version + 1))
        session.commit()
    evaluations.clear()
    page = dashboard(world)
    assert len(evaluations) == 1  # applicant 2 only: its reviews changed
    assert "测试jigou-b的专家评审已过期" in page and 'class="blocking"' in page


def test_many_missing_rows_are_worked_out_in_the_background(
    world: Any, evaluations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(round_checks, "INLINE", 0)
    page = dashboard(world)
    assert "还有 2 个申报正在核验" in page and "排序前检查：" not in page
    deadline = time.monotonic() + 30
    while round_checks._FILLING and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(evaluations) == 2
    another_process()
    page = dashboard(world)
    assert len(evaluations) == 2
    assert "正在核验" not in page and "2 份可评价的申报均未发现问题" in page


def test_deleting_evidence_shows_the_check_without_it(world: Any, evaluations: list[str]) -> None:
    client = login(world, "jigou-a", PASSWORD)
    assert "核验结论：<b>具备申报资格</b>" in client.get("/applications/1").text
    with world.state.shifan.db.session() as session:
        record = session.scalars(
            select(Attachment).where(Attachment.applicant_id == 1, Attachment.evidence_type == "medical_licence")
        ).one()
        file_id, version = record.id, session.get(Applicant, 1).version  # type: ignore[union-attr]
    response = post(client, f"/applications/1/evidence/{file_id}/delete", {"version": str(version)})
    assert response.status_code == 200  # type: ignore[attr-defined]
    another_process()
    evaluations.clear()
    page = client.get("/applications/1").text
    assert evaluations == []  # the check stored with the new version
    assert "核验结论：<b>暂不能确认申报资格</b>" in page
    assert "证据不足" in page and "缺少佐证材料：医疗机构执业许可证" in page
    with world.state.shifan.db.session() as session:
        current = session.get(Applicant, 1).current_sha  # type: ignore[union-attr]
        assert {
            c.application_sha for c in session.scalars(select(StoredCheck).where(StoredCheck.applicant_id == 1))
        } == {current}
