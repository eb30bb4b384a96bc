"""End to end in a real browser (Chromium driven by Playwright) against ``shifan serve``:
staff invite an applicant (a one-time link, copied with the button), the applicant sets a password
through it, fills the form from scratch and downloads the
自评报告 PDF (its text is checked), an expert scores and signs, staff produce the list, and staff
filter and page through a round of a few hundred applicants.

Screenshots of every page visited are saved under ``$SHIFAN_SCREENSHOTS`` (default: the test's
temporary folder)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from tests.test_web_excel import WORKBOOK
from tests.test_web_round_checks import _add as add_applicant
from tests.web.helpers import PASSWORD, small_world
from tests.web.server import Server

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("SHIFAN_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workspace = tmp_path_factory.mktemp("browser") / "ws"
    world = small_world(workspace)
    add_applicant(world, "华西护理院", "10-huaxi-larger-fire.yaml", expert="expert-a")  # has a plausibility flag
    _large_round(world)
    world.state.shifan.db.engine.dispose()  # type: ignore[attr-defined]
    running = Server(workspace).start()
    yield running
    running.stop()


def _large_round(world: Any) -> None:
    """Round 2: 190 applicants without applications (120 护理院 and 10 康养中心 in 合肥市, 60 in 芜湖市)."""
    from shifan.web.db import Applicant, Round, User

    with world.state.shifan.db.session() as session:
        round_ = Round(name="分页示例批次（虚构）", as_of=session.get(Round, 1).as_of, quota=5)
        session.add(round_)
        session.flush()
        owner = session.query(User.id).filter_by(username="jigou-b").scalar()
        names = [
            *((f"合肥市第{i:03d}护理院（虚构）", "合肥市") for i in range(120)),
            *((f"合肥市第{i:03d}康养中心（虚构）", "合肥市") for i in range(10)),
            *((f"芜湖市第{i:03d}康养中心（虚构）", "芜湖市") for i in range(60)),
        ]
        session.add_all(
            Applicant(round_id=round_.id, user_id=owner, name=name, kind="institution", city=city, status=status)
            for i, (name, city) in enumerate(names)
            for status in ["submitted" if i % 3 == 0 else "draft"]
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"找不到 Chromium（{CHROMIUM}）：浏览器测试需要它，请运行 bash scripts/setup.sh（apt-get install chromium）"
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


class Visit:
    """A signed-in browser tab that screenshots every page it looks at."""

    def __init__(self, browser: Any, server: Server, shots: Path, who: str) -> None:
        self.context = browser.new_context(
            locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.server = server
        self.shots = shots
        self.who = who
        self.count = 0
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.shots / f"{self.who}-{self.count:02d}-{name}.png"), full_page=True)

    def login(self, username: str, password: str) -> None:
        self.page.goto(f"{self.server.url}/login")
        self.shot("login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/login" not in url)  # signed in (pages below wait for nothing else)

    def close(self) -> None:
        assert not [m for m in self.console if "Content Security Policy" in m], self.console
        self.context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("SHIFAN_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("找不到 pdftotext：请运行 bash scripts/setup.sh（poppler-utils）")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_applicant_fills_the_form_from_scratch_and_downloads_the_self_report(
    browser: Any, server: Server, shots: Path, tmp_path: Path
) -> None:
    staff = Visit(browser, server, shots, "1-staff")
    staff.login("staff", PASSWORD)
    staff.shot("rounds")
    staff.page.click("text=测试批次")
    staff.shot("dashboard")
    form = staff.page.locator("form[action='/staff/rounds/1/applicants']")
    form.locator("input[name=name]").fill("示例市新建护理院（虚构）")
    form.locator("input[name=city]").fill("黄山市")
    form.locator("input[name=username]").fill("xinjian")
    form.locator("button[type=submit]").click()
    link = staff.page.locator("#invite-link").input_value()
    assert link.startswith(f"{server.url}/invite/"), link
    staff.context.grant_permissions(["clipboard-read", "clipboard-write"])
    staff.page.click("button.copy")
    staff.page.wait_for_selector("text=已复制")
    assert staff.page.evaluate("navigator.clipboard.readText()") == link
    staff.shot("invited")
    staff.close()

    applicant = Visit(browser, server, shots, "2-applicant")
    page = applicant.page
    page.goto(link)
    assert "设置登录密码" in page.content() and "xinjian" in page.content()
    applicant.shot("invitation")
    page.fill("input[name=new]", "我的新密码-2026")
    page.fill("input[name=again]", "我的新密码-2026")
    page.click("text=设置密码并进入工作台")
    page.wait_for_url(re.compile(r".*/applications/\d+$"))  # signed in and on to the application
    page.goto(link)
    assert "已经使用过" in page.content()
    applicant.shot("invitation-used")
    page.goto(f"{server.url}/applicant")
    assert "尚未填写" in page.content()
    applicant.shot("empty-form")
    page.fill("[name='name']", "示例市新建护理院（虚构）")
    page.fill("[name='region_code']", "341002")
    page.fill("[name='assessment_date']", "2025-12-31")
    page.fill("[name='uscc']", "52341002MJA0000118")
    page.select_option("[name='category']", label="护理院")
    page.fill("[name='beds.approved']", "120")
    page.click("text=保存并核验")
    page.wait_for_selector(".field-error")
    # A required field left empty is reported beside it.
    assert page.locator("#f-beds .field-error, .field.has-error .field-error").count() >= 1
    applicant.shot("errors-beside-fields")
    page.fill("[name='beds.operating']", "100")
    page.fill("[name='staff.0.id']", "N001")
    page.fill("[name='staff.0.name']", "王护士（虚构）")
    page.select_option("[name='staff.0.role']", label="注册护士")
    page.check("[name='services'][value='daily_care']")
    page.click("text=保存并核验")
    page.wait_for_selector("text=已保存并重新核验")
    content = page.content()
    assert "已保存并重新核验" in content and "逐项核验" in content, content[:2000]
    assert "第 1 行" in content  # the staff row was kept
    applicant.shot("checked")
    page.click("text=生成 PDF")  # a background job: its page refreshes itself until the PDF is ready
    page.wait_for_selector("text=下载自评报告（PDF）", timeout=120_000)
    applicant.shot("self-report-ready")
    with page.expect_download() as download:
        page.click("text=下载自评报告（PDF）")
    pdf = tmp_path / "自评报告.pdf"
    download.value.save_as(pdf)
    text = _pdf_text(pdf)
    assert "示例市新建护理院（虚构）" in text and "自评报告" in text
    assert "医疗机构设立的护理院" in text or "护理院" in text
    applicant.close()


def test_expert_scores_and_signs(browser: Any, server: Server, shots: Path) -> None:
    expert = Visit(browser, server, shots, "3-expert")
    expert.login("expert-a", PASSWORD)
    expert.shot("assigned")
    expert.page.click("text=测试jigou-a")
    expert.shot("review-form")
    expert.page.fill("[name='B1.score']", "9")
    expert.page.select_option("[name='B1.verification']", label="已核实")
    expert.page.fill("[name='B1.remark']", "台账与现场一致")
    expert.page.select_option("[name='conclusion']", label="同意推荐")
    expert.page.fill("[name='opinion']", "资料齐全，同意推荐。")
    expert.page.check("[name='sign']")
    expert.page.click("text=保存评审")
    expert.page.wait_for_selector("text=评审已签字")
    content = expert.page.content()
    assert "评审已签字" in content and "专家合议" in content and "测试expert-a：9" in content
    expert.shot("signed")
    expert.page.goto(f"{server.url}/expert")
    assert "已签字" in expert.page.content()
    expert.shot("list-after")
    expert.page.click("text=华西护理院")
    expert.page.wait_for_selector("text=请重点核实")
    content = expert.page.content()
    assert "请重点核实" in content and "护士和护理员与失能老年人配比偏离标准" in content
    expert.shot("review-flags")
    expert.close()


def test_staff_produce_the_recommendation_list(browser: Any, server: Server, shots: Path, tmp_path: Path) -> None:
    staff = Visit(browser, server, shots, "4-staff")
    staff.login("staff", PASSWORD)
    staff.page.goto(f"{server.url}/staff/rounds/1")
    content = staff.page.content()
    assert "排序前检查" in content and "护士和护理员与失能老年人配比偏离标准" in content
    staff.shot("dashboard")
    staff.page.click("text=生成拟推荐名单")
    staff.page.wait_for_selector("text=已生成", timeout=120_000)
    staff.shot("list-ready")
    with staff.page.expect_download() as download:
        staff.page.click("text=拟推荐名单（PDF，供印发）")
    pdf = tmp_path / "名单.pdf"
    download.value.save_as(pdf)
    text = _pdf_text(pdf)
    assert "拟推荐名单" in text or "推荐名单" in text
    assert "康宁护理院" in text  # the name the application gives
    staff.page.goto(f"{server.url}/staff/audit")
    assert "签字评审" in staff.page.content() and "生成拟推荐名单" in staff.page.content()
    staff.shot("audit")
    staff.close()


def test_applicant_deletes_evidence_and_uploads_workbooks(
    browser: Any, server: Server, shots: Path, tmp_path: Path
) -> None:
    import openpyxl

    applicant = Visit(browser, server, shots, "5-applicant")
    applicant.login("jigou-b", PASSWORD)
    page = applicant.page
    page.goto(f"{server.url}/applications/2")
    listed = page.locator(".evidence-list li").count()
    first = page.locator(".evidence-list li a").first.inner_text()
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.locator(".evidence-list li button").first.click()
    page.wait_for_selector("text=已删除佐证材料")
    assert questions == [f"确定删除“{first}”吗？删除后不能恢复。"]
    assert f"已删除佐证材料“{first}”" in page.content()
    assert page.locator(".evidence-list li").count() == listed - 1
    applicant.shot("evidence-deleted")
    page.locator(".evidence-list").screenshot(path=str(shots / "5-applicant-evidence-list.png"))

    book = openpyxl.load_workbook(WORKBOOK)
    book["人员"]["C3"] = "护工长"
    book["人员"]["F3"] = "去年"
    broken = tmp_path / "乐康申报（有误）.xlsx"
    book.save(broken)
    page.set_input_files("form[action='/applications/2/upload'] input[type=file]", str(broken))
    page.click("text=上传并核验")
    page.wait_for_selector("text=上传的工作簿中有")
    content = page.content()
    assert "乐康申报（有误）.xlsx!人员!C3：不是允许的取值" in content
    page.locator("#i-staff\\.1\\.role").scroll_into_view_if_needed()
    applicant.shot("workbook-errors")
    page.set_input_files("form[action='/applications/2/upload'] input[type=file]", str(WORKBOOK))
    page.click("text=上传并核验")
    page.wait_for_selector("text=01-lekang-excel-sample.xlsx!佐证材料!B2", state="attached")
    content = page.content()
    assert "已上传并重新核验" in content and 'value="示例市乐康护理院（虚构）"' in content
    assert "01-lekang-excel-sample.xlsx!佐证材料!B2" in content
    applicant.shot("workbook-uploaded")
    applicant.close()


def test_staff_filter_and_page_the_dashboard(browser: Any, server: Server, shots: Path) -> None:
    staff = Visit(browser, server, shots, "6-staff")
    staff.login("staff", PASSWORD)
    page = staff.page
    page.goto(f"{server.url}/staff/rounds/2")
    assert "第 1 / 2 页，共 190 个申报单位" in page.content()
    form = page.locator("form.filters")
    form.locator("select[name=city]").select_option(label="合肥市")
    form.locator("input[name=q]").fill("护理院")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=共 120 个申报单位（筛选后）")
    assert "第 1 / 2 页" in page.content()
    assert page.locator("nav.pager").first.locator("a[rel=next]").count() == 1
    page.locator("nav.pager").first.locator("a[rel=next]").click()
    page.wait_for_selector("text=第 2 / 2 页，共 120 个申报单位（筛选后）")
    assert parse_qs(urlparse(page.url).query) == {"city": ["合肥市"], "q": ["护理院"], "page": ["2"]}
    names = page.locator("table:has(th:text('提示（请重点核实）')) tbody tr td:first-child a").all_inner_texts()
    assert names == [f"合肥市第{i:03d}护理院（虚构）" for i in range(100, 120)]
    assert form.locator("select[name=city]").input_value() == "合肥市"
    assert form.locator("input[name=q]").input_value() == "护理院"
    # Nothing is wider than the window, and the filters sit on one line at this width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tops = form.locator("select, input, button").evaluate_all("els => els.map(e => e.getBoundingClientRect().bottom)")
    assert max(tops) - min(tops) < 4, tops
    staff.shot("dashboard-filtered")
    page.evaluate("window.scrollBy(0, document.querySelector('form.filters').getBoundingClientRect().top - 60)")
    page.screenshot(path=str(shots / "6-staff-dashboard-filtered-view.png"))
    page.locator("nav.pager").first.locator("a[rel=prev]").click()
    page.wait_for_selector("text=第 1 / 2 页，共 120 个申报单位（筛选后）")
    page.click("text=清除筛选")
    page.wait_for_selector("text=第 1 / 2 页，共 190 个申报单位")
    staff.close()
