"""The workbench's flows through its routes: fill and re-check, conflicts, reviews and their
reconciliation, staleness, the recommendation list, the round export and the audit log."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.web.helpers import PASSWORD, flatten, login, small_world

from shifan.files import data_dir
from shifan.recommend import recommend
from shifan.web.db import Applicant, AuditEntry
from shifan.web.store import read_yaml

# Rendering sweeps and whole server flows: left out of the everyday run, in every full run.
pytestmark = pytest.mark.slow

SAMPLE = data_dir("applications") / "institutions" / "01-kangning-eligible.yaml"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    return small_world(tmp_path / "ws")


def _version(world: Any, applicant_id: int) -> int:
    with world.state.shifan.db.session() as session:
        applicant = session.get(Applicant, applicant_id)
        return int(applicant.version)


def _form(data: dict[str, Any], version: int, token: str) -> dict[str, list[str]]:
    fields = [
        *flatten({k: v for k, v in data.items() if k not in ("attachments", "kind")}),
        ("version", str(version)),
        ("csrf", token),
    ]
    form: dict[str, list[str]] = {}
    for key, value in fields:
        form.setdefault(key, []).append(value)
    return form


def test_a_saved_form_is_rechecked_with_errors_beside_their_fields(world: Any) -> None:
    client = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["beds"]["operating"] = "很多"
    data["category"] = "not-a-category"
    response = client.post("/applications/1/save", data=_form(data, _version(world, 1), client.headers["x-test-csrf"]))
    assert response.status_code == 200
    page = response.text
    assert "申报数据有错误" in page
    operating = page.index('name="beds.operating"')
    assert "field-error" in page[operating : operating + 400]
    assert "（不是允许的取值）" in page

    data = read_yaml(SAMPLE.read_bytes())
    response = client.post("/applications/1/save", data=_form(data, _version(world, 1), client.headers["x-test-csrf"]))
    assert "已保存并重新核验" in response.text
    assert "核验结论：<b>具备申报资格</b>" in response.text
    assert "材料清单" in response.text and "B1 年入住率" in response.text


def test_two_editors_get_a_conflict_not_a_silent_overwrite(world: Any) -> None:
    first = login(world, "jigou-a", PASSWORD)
    second = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    version = _version(world, 1)
    data["contact"] = "甲 0559-1"
    assert (
        first.post("/applications/1/save", data=_form(data, version, first.headers["x-test-csrf"])).status_code == 200
    )
    data["contact"] = "乙 0559-2"
    response = second.post("/applications/1/save", data=_form(data, version, second.headers["x-test-csrf"]))
    assert response.status_code == 409
    assert "已被他人修改" in response.text
    assert 'value="甲 0559-1"' in response.text


def test_upload_accepts_application_files_only(world: Any) -> None:
    client = login(world, "jigou-a", PASSWORD)
    token = client.headers["x-test-csrf"]
    bad = client.post(
        "/applications/1/upload",
        data={"csrf": token, "version": "1"},
        files={"file": ("x.exe", b"MZ", "application/octet-stream")},
    )
    assert bad.status_code == 400 and "不支持的文件类型" in bad.text
    good = client.post(
        "/applications/1/upload",
        data={"csrf": token, "version": "1"},
        files={"file": ("申报.yaml", SAMPLE.read_bytes().replace(b"evidence/", b"missing/"), "text/yaml")},
    )
    assert good.status_code == 200
    assert "佐证材料文件不存在" in good.text


def test_text_from_applications_is_escaped(world: Any) -> None:
    client = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["name"] = '<script>alert("x")</script>护理院'
    response = client.post("/applications/1/save", data=_form(data, _version(world, 1), client.headers["x-test-csrf"]))
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


def _review_form(token: str, version: int = 0, sign: bool = True, score: str = "8") -> dict[str, str]:
    form = {
        "csrf": token,
        "version": str(version),
        "conclusion": "recommend",
        "opinion": "同意推荐",
        "B1.score": score,
        "B1.verification": "confirmed",
    }
    if sign:
        form["sign"] = "on"
    return form


def test_review_reconciliation_and_staleness(world: Any) -> None:
    expert = login(world, "expert-a", PASSWORD)
    response = expert.post("/reviews/1", data=_review_form(expert.headers["x-test-csrf"]))
    assert response.status_code == 200, response.text
    assert "评审已签字" in response.text
    assert "专家合议" in response.text and "测试expert-a：8" in response.text

    too_high = expert.post("/reviews/1", data=_review_form(expert.headers["x-test-csrf"], version=1, score="99"))
    assert too_high.status_code == 400

    report = expert.get("/reviews/1/report.html")
    assert report.status_code == 200 and "测试expert-a" in report.content.decode()

    # The applicant changes the application: the review becomes stale, as in the command line.
    applicant = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["contact"] = "新联系人"
    applicant.post("/applications/1/save", data=_form(data, _version(world, 1), applicant.headers["x-test-csrf"]))
    page = expert.get("/reviews/1").text
    assert "有评审意见已过期" in page
    assert "已过期（申报已修改" in expert.get("/expert").text


def test_submit_makes_the_application_read_only_until_staff_reopen_it(world: Any) -> None:
    applicant = login(world, "jigou-a", PASSWORD)
    token = applicant.headers["x-test-csrf"]
    assert applicant.post("/applications/1/submit", data={"csrf": token}).status_code == 303
    page = applicant.get("/applications/1").text
    assert "已提交，只能查看" in page and 'action="/applications/1/save"' not in page
    assert applicant.post("/applications/1/save", data={"csrf": token, "version": "1"}).status_code == 403
    staff = login(world, "staff", PASSWORD)
    staff.post("/staff/applicants/1/reopen", data={"csrf": staff.headers["x-test-csrf"]})
    assert 'action="/applications/1/save"' in applicant.get("/applications/1").text


def _wait_for_job(client: Any, path: str) -> str:
    for _ in range(300):
        page = client.get(path).text
        if "进行中" not in page and "正在" not in page:
            return str(page)
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_the_recommendation_list_is_the_one_shifan_recommend_makes(world: Any, tmp_path: Path) -> None:
    expert = login(world, "expert-a", PASSWORD)
    expert.post("/reviews/1", data=_review_form(expert.headers["x-test-csrf"]))
    staff = login(world, "staff", PASSWORD)
    response = staff.post("/staff/rounds/1/recommend", data={"csrf": staff.headers["x-test-csrf"]})
    assert response.status_code == 303
    job = response.headers["location"]
    page = _wait_for_job(staff, job)
    assert "已生成" in page, page
    for name in ("recommendation.xlsx", "recommendation.pdf", "recommendation.json", "notice.txt"):
        assert name in page
    listed = json.loads(staff.get(f"{job}/files/recommendation.json").content)

    archive = zipfile.ZipFile(io.BytesIO(staff.get("/staff/rounds/1/export.zip").content))
    archive.extractall(tmp_path / "export")
    names = archive.namelist()
    assert any(n.endswith("/申报.yaml") for n in names) and any("/评审-expert-a.yaml" in n for n in names)
    assert any(n.startswith("申报材料/评审意见表/") for n in names)  # reviews outside the applicants' folders
    exported = tmp_path / "export" / "申报材料"
    cli = recommend(exported, quota=2, reviews_dir=exported / "评审意见表", as_of=_as_of(world), jobs=1)
    from shifan.present.recommendation import recommendation_data

    assert listed == json.loads(json.dumps(recommendation_data(cli.recommendation), default=str))


def _as_of(world: Any) -> Any:
    from shifan.web.db import Round

    with world.state.shifan.db.session() as session:
        return session.get(Round, 1).as_of  # type: ignore[union-attr]


def test_every_change_is_in_the_audit_log_with_digests(world: Any) -> None:
    applicant = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["contact"] = "审计测试"
    applicant.post("/applications/1/save", data=_form(data, _version(world, 1), applicant.headers["x-test-csrf"]))
    with world.state.shifan.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "保存申报")).one()
        assert (
            entry.username == "jigou-a"
            and len(entry.before) == 64
            and len(entry.after) == 64
            and entry.before != entry.after
        )
    staff = login(world, "staff", PASSWORD)
    exported = staff.get("/staff/audit.csv").content.decode("utf-8-sig")
    assert "保存申报" in exported and entry.after in exported


def test_self_scores_are_entered_in_the_form(world: Any) -> None:
    client = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data["self_scores"] = {"F3": 99}
    response = client.post("/applications/1/save", data=_form(data, _version(world, 1), client.headers["x-test-csrf"]))
    row = response.text[response.text.index('name="self_scores.F3"') :][:600]
    assert 'value="99"' in row and "自评分超出范围" in row
    data["self_scores"] = {"F3": 2}
    response = client.post("/applications/1/save", data=_form(data, _version(world, 1), client.headers["x-test-csrf"]))
    assert "核验结论：<b>具备申报资格</b>" in response.text
    assert read_yaml(world.state.shifan.store.application_path(1, _current(world)).read_bytes())["self_scores"] == {
        "F3": 2
    }


def _current(world: Any) -> str:
    with world.state.shifan.db.session() as session:
        return str(session.get(Applicant, 1).current_file)  # type: ignore[union-attr]


def test_an_account_opened_with_a_one_time_password_must_replace_it(world: Any) -> None:
    """Demo accounts (shifan serve --demo) print a one-time password; it must be replaced first."""
    from starlette.testclient import TestClient
    from tests.web.helpers import csrf_of

    from shifan.web.db import Round, User
    from shifan.web.security import hash_password, new_password

    one_time = new_password()
    with world.state.shifan.db.session() as session:
        user = User(
            username="xin",
            password_hash=hash_password(one_time),
            role="applicant",
            display_name="新机构",
            must_change_password=True,
        )
        session.add(user)
        session.flush()
        session.add(
            Applicant(round_id=session.scalar(select(Round.id)), user_id=user.id, name="新机构", kind="institution")
        )
    client = TestClient(world, follow_redirects=False)
    token = csrf_of(client)
    client.post("/login", data={"username": "xin", "password": one_time, "csrf": token})
    response = client.get("/applicant")
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
    token = csrf_of(client, "/account/password")
    done = client.post(
        "/account/password",
        data={"csrf": token, "old": one_time, "new": "新的登录密码-0123", "again": "新的登录密码-0123"},
    )
    assert "密码已修改" in done.text
    assert client.get("/applicant").status_code == 303  # now to the application itself
    assert client.get("/applicant").headers["location"].startswith("/applications/")


def test_changing_the_password_ends_other_sessions_and_is_audited_without_digests(world: Any) -> None:
    first = login(world, "jigou-a", PASSWORD)
    second = login(world, "jigou-a", PASSWORD)
    new = "另一个新密码-0456"
    done = first.post(
        "/account/password", data={"csrf": first.headers["x-test-csrf"], "old": PASSWORD, "new": new, "again": new}
    )
    assert "密码已修改" in done.text
    assert first.get("/applications/1").status_code == 200
    stale = second.get("/applications/1")
    assert stale.status_code == 303 and stale.headers["location"].startswith("/login")
    with world.state.shifan.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "修改密码")).one()
        assert entry.before == "" and entry.after == ""


def test_pages_are_served_while_the_recommendation_job_runs(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import shifan.web.routes_staff as routes_staff
    from shifan.web.jobs import run_recommendation

    release = threading.Event()

    def slow_job(*args: Any) -> None:
        assert release.wait(30)
        run_recommendation(*args)

    monkeypatch.setattr(routes_staff, "run_recommendation", slow_job)
    staff = login(world, "staff", PASSWORD)
    job = staff.post("/staff/rounds/1/recommend", data={"csrf": staff.headers["x-test-csrf"]}).headers["location"]
    running = staff.get(job)
    assert running.status_code == 200 and "正在评价申报材料" in running.text
    assert '<meta http-equiv="refresh"' in running.text
    applicant = login(world, "jigou-a", PASSWORD)
    assert applicant.get("/applications/1").status_code == 200
    assert staff.get("/staff/rounds/1").status_code == 200
    release.set()
    assert "已生成" in _wait_for_job(staff, job)


def test_the_self_report_pdf_is_made_in_the_background(world: Any, tmp_path: Path) -> None:
    import shutil
    import subprocess

    applicant = login(world, "jigou-a", PASSWORD)
    page = applicant.get("/applications/1").text
    assert 'action="/applications/1/self-report-jobs"' in page and 'href="/applications/1/self-report.pdf"' not in page
    response = applicant.post("/applications/1/self-report-jobs", data={"csrf": applicant.headers["x-test-csrf"]})
    assert response.status_code == 303
    job = response.headers["location"]
    done = _wait_for_job(applicant, job)
    assert "已生成" in done and f"{job}/self-report.pdf" in done
    pdf = applicant.get(f"{job}/self-report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment;" in pdf.headers["content-disposition"]
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
        assert "自评报告" in text
    assert f"{job}/self-report.pdf" in applicant.get("/applications/1").text  # listed on the application page
    with world.state.shifan.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "生成自评报告")).one()
        assert entry.username == "jigou-a" and len(entry.after) == 64


def test_pages_are_served_while_the_self_report_renders(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import shifan.web.routes_reports as routes_reports
    from shifan.web.jobs import run_self_report

    release = threading.Event()

    def slow_job(*args: Any) -> None:
        assert release.wait(30)
        run_self_report(*args)

    monkeypatch.setattr(routes_reports, "run_self_report", slow_job)
    applicant = login(world, "jigou-a", PASSWORD)
    job = applicant.post("/applications/1/self-report-jobs", data={"csrf": applicant.headers["x-test-csrf"]}).headers[
        "location"
    ]
    running = applicant.get(job)
    assert running.status_code == 200 and "正在核验申报数据" in running.text
    assert '<meta http-equiv="refresh"' in running.text
    assert applicant.get(f"{job}/self-report.pdf").status_code == 404  # not yet
    assert "正在生成" in applicant.get("/applications/1").text
    assert login(world, "staff", PASSWORD).get("/staff/rounds/1").status_code == 200
    release.set()
    assert "已生成" in _wait_for_job(applicant, job)
