"""The round dashboard shows each applicant's plausibility flags and the pre-flight problems of the
recommendation list (the same functions ``shifan check`` and ``shifan recommend`` use); experts see
an applicant's flags first on the review page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.web.helpers import PASSWORD, login, post, small_world

from shifan.files import data_dir
from shifan.web.db import Applicant, Assignment, Round, User
from shifan.web.demo import import_sample

SAMPLES = data_dir("applications") / "institutions"
FLAG = "护士和护理员与失能老年人配比偏离标准"


def _add(world: Any, name: str, sample: str, expert: str | None = None) -> int:
    state = world.state.shifan
    with state.db.session() as session:
        owner = session.query(User).filter_by(username="jigou-b").one()
        round_id = session.query(Round.id).scalar()
        applicant = Applicant(round_id=round_id, user_id=owner.id, name=name, kind="institution", city="黄山市")
        session.add(applicant)
        session.flush()
        import_sample(state, session, applicant, SAMPLES / sample)
        if expert:
            expert_id = session.query(User.id).filter_by(username=expert).scalar()
            session.add(Assignment(applicant_id=applicant.id, expert_id=expert_id))
        return int(applicant.id)


@pytest.fixture
def world(tmp_path: Path) -> Any:
    app = small_world(tmp_path / "ws")
    _add(app, "华西护理院", "10-huaxi-larger-fire.yaml", expert="expert-a")
    return app


def test_flags_are_on_the_dashboard_and_first_on_the_review_page(world: Any) -> None:
    staff = login(world, "staff", PASSWORD)
    page = staff.get("/staff/rounds/1").text
    row = page[page.index("华西护理院") :]
    row = row[: row.index("</tr>")]
    assert FLAG in row
    assert "排序前检查" in page

    expert = login(world, "expert-a", PASSWORD)
    review = expert.get("/reviews/3").text
    assert "请重点核实" in review and FLAG in review
    assert review.index(FLAG) < review.index("系统核验")  # before the verdict and the scoring table
    assert "系统未发现需要重点核实的数据" in expert.get("/reviews/1").text


def test_the_same_applicant_twice_is_a_blocking_preflight_problem(world: Any) -> None:
    _add(world, "康宁护理院（重复提交）", "01-kangning-eligible.yaml")
    page = login(world, "staff", PASSWORD).get("/staff/rounds/1").text
    assert "有 1 个问题须先处理" in page
    assert "同一申报单位" in page and "测试jigou-a、康宁护理院（重复提交）" in page
    assert page.count("与本批次另一申报为同一单位") == 2


def test_stale_and_missing_reviews_are_reported_by_applicant(world: Any) -> None:
    expert = login(world, "expert-a", PASSWORD)
    form = {"conclusion": "recommend", "opinion": "同意", "sign": "on", "B1.score": "8"}
    assert post(expert, "/reviews/1", {**form, "version": "0"}).status_code == 200  # type: ignore[attr-defined]
    staff = login(world, "staff", PASSWORD)
    page = staff.get("/staff/rounds/1").text
    assert "未经专家评审的 1 个具备资格的申报单位不参加排序：测试jigou-b" in page
    assert "排序前检查：以下情况请知悉" in page  # a note, not a blocking problem
    row = page[page.index('href="/applications/2"') :]
    assert "未经专家评审，暂不参加排序" in row[: row.index("</tr>")]

    # The applicant changes the application: the review is stale, a blocking problem.
    from tests.test_web_flows import SAMPLE, _form

    from shifan.web.store import read_yaml

    applicant = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["contact"] = "新联系人"
    with world.state.shifan.db.session() as session:
        version = session.get(Applicant, 1).version  # type: ignore[union-attr]
    applicant.post("/applications/1/save", data=_form(data, version, applicant.headers["x-test-csrf"]))
    page = staff.get("/staff/rounds/1").text
    assert "测试jigou-a的专家评审已过期" in page and "专家评审已过期，暂不参加排序" in page
    assert 'class="blocking"' in page
