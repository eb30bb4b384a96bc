"""The workbench and the Word editions: the report downloads offer every format of the registry
(Word included), the recommendation job writes the Word list and notice, the application form
has the cover fields of the 自评报告 and the expert form the reviewer's 职称."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from tests.web.helpers import PASSWORD, flatten, login, small_world

from shifan.files import data_dir
from shifan.present.formats import REVIEW_REPORT, SELF_REPORT
from shifan.web.db import Applicant
from shifan.web.store import read_yaml

# Rendering sweeps and whole server flows: left out of the everyday run, in every full run.
pytestmark = pytest.mark.slow

SAMPLE = data_dir("applications") / "institutions" / "01-kangning-eligible.yaml"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    return small_world(tmp_path / "ws")


def _text(raw: bytes) -> str:
    document = Document(io.BytesIO(raw))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _save(client: Any, world: Any, data: dict[str, Any]) -> Any:
    with world.state.shifan.db.session() as session:
        version = session.get(Applicant, 1).version
    form: dict[str, list[str]] = {}
    fields = flatten({k: v for k, v in data.items() if k not in ("attachments", "kind")})
    for key, value in [*fields, ("version", str(version)), ("csrf", client.headers["x-test-csrf"])]:
        form.setdefault(key, []).append(value)
    return client.post("/applications/1/save", data=form)


def test_the_report_downloads_offer_every_registered_format_with_word_named_so(world: Any) -> None:
    assert "docx" in SELF_REPORT.formats and "docx" in REVIEW_REPORT.formats
    applicant = login(world, "jigou-a", PASSWORD)
    page = applicant.get("/applications/1").text
    for fmt in SELF_REPORT.formats:
        if fmt == "pdf":  # rendered by a background job, then downloaded
            assert 'action="/applications/1/self-report-jobs"' in page
        else:
            assert f'href="/applications/1/self-report.{fmt}"' in page
    assert ">下载 Word</a>" in page and "DOCX" not in page
    expert = login(world, "expert-a", PASSWORD)
    page = expert.get("/reviews/1").text
    for fmt in REVIEW_REPORT.formats:
        assert f'href="/reviews/1/report.{fmt}"' in page


def test_the_self_report_downloads_as_word_with_its_cover_fields(world: Any) -> None:
    applicant = login(world, "jigou-a", PASSWORD)
    data = read_yaml(SAMPLE.read_bytes())
    data.update(filled_by="王填报", phone="0559-1234567", submitted=dt.date(2025, 6, 20))
    saved = _save(applicant, world, data)
    assert saved.status_code == 200 and "已保存并重新核验" in saved.text, saved.text
    page = saved.text
    for name in ("filled_by", "phone", "submitted"):
        assert f'name="{name}"' in page
    assert re.search(r'type="date"[^>]*name="submitted"|name="submitted"[^>]*type="date"', page)
    assert 'value="王填报"' in page and 'value="2025-06-20"' in page

    response = applicant.get("/applications/1/self-report.docx")
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX_TYPE
    assert response.headers["content-disposition"].startswith("attachment;")
    assert ".docx" in response.headers["content-disposition"]
    text = _text(response.content)
    assert "自评报告" in text and "王填报" in text and "0559-1234567" in text


def test_the_review_report_downloads_as_word_with_the_reviewers_title(world: Any) -> None:
    expert = login(world, "expert-a", PASSWORD)
    form = {
        "csrf": expert.headers["x-test-csrf"],
        "version": "0",
        "conclusion": "recommend",
        "opinion": "同意推荐",
        "title": "主任医师",
        "B1.score": "8",
        "B1.verification": "confirmed",
        "sign": "on",
    }
    response = expert.post("/reviews/1", data=form)
    assert response.status_code == 200, response.text
    assert 'name="title"' in response.text and 'value="主任医师"' in response.text
    assert "测试expert-a（主任医师）" in response.text

    report = expert.get("/reviews/1/report.docx")
    assert report.status_code == 200 and report.headers["content-type"] == DOCX_TYPE
    text = _text(report.content)
    assert "评审意见表" in text and "测试expert-a" in text and "主任医师" in text

    staff = login(world, "staff", PASSWORD)
    assert staff.get("/reviews/1/report.docx").status_code == 200
    applicant = login(world, "jigou-a", PASSWORD)
    assert applicant.get("/reviews/1/report.docx").status_code == 403  # not a route of applicants


def test_the_recommendation_job_writes_the_word_list_and_notice(world: Any) -> None:
    staff = login(world, "staff", PASSWORD)
    response = staff.post("/staff/rounds/1/recommend", data={"csrf": staff.headers["x-test-csrf"]})
    assert response.status_code == 303
    job = response.headers["location"]
    for _ in range(300):
        page = staff.get(job).text
        if "进行中" not in page and "正在评价" not in page:
            break
        time.sleep(0.2)
    assert "已生成" in page, page
    assert "拟推荐名单（Word）" in page and "公示（Word）" in page
    for name in ("recommendation.docx", "notice.docx"):
        download = staff.get(f"{job}/files/{name}")
        assert download.status_code == 200 and download.headers["content-type"] == DOCX_TYPE
        assert "公示" in _text(download.content) or "推荐" in _text(download.content)
