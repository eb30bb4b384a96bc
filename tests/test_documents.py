"""What officials read: the PDFs' content (cover, 基本情况, the panel's record), no identifier-like
tokens in any document, PDF/A with the result embedded, and Word files LibreOffice can print."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from conftest import APPLICATIONS, INSTITUTIONS, invoke
from test_docx import all_text, make_documents

# Rendering sweeps and whole server flows: left out of the everyday run, in every full run.
pytestmark = pytest.mark.slow

IDENTIFIER = re.compile(r"[a-z]+_[a-z_]+")
REVIEWS = sorted((APPLICATIONS / "reviews").glob("01-kangning-*.yaml"))


def pdftotext(path: Path, *, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    done = subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    files = {
        "self": folder / "self.pdf",
        "review": folder / "review.pdf",
        "sheet": folder / "sheet.pdf",
        "county": folder / "county.pdf",
    }
    invoke(["report", "self", INSTITUTIONS / "05-jiankang-missing-evidence.yaml", "-o", files["self"]], 0)
    invoke(["report", "review", INSTITUTIONS / "01-kangning-eligible.yaml", *REVIEWS, "-o", files["review"]], 0)
    invoke(["report", "sheet", "-o", files["sheet"]], 0)
    invoke(["report", "self", APPLICATIONS / "regions" / "08-shexian-county.yaml", "-o", files["county"]], 0)
    out = folder / "rec"
    invoke(
        [
            "recommend",
            APPLICATIONS,
            "--reviews",
            APPLICATIONS / "reviews",
            "--quota",
            "2",
            "--quota-by",
            "region",
            "-o",
            out,
        ],
        0,
    )
    files["recommendation"] = out / "recommendation.pdf"
    return files


def test_self_report_cover_and_basic_information(pdfs: dict[str, Path]) -> None:
    cover = squeeze(pdftotext(pdfs["self"], first=1, last=1))
    assert "示例县人民医院康养中心（虚构）全国医养结合示范机构申报自评报告" in cover
    assert "填报人" in cover and "报送日期" in cover and "联系人及电话" in cover
    assert "national/institution" not in cover and "校验码" not in cover and "d861dbee6442" not in cover
    text = squeeze(pdftotext(pdfs["self"]))
    assert "一、机构基本情况" in text and "核定200张，实际运营180张" in text and "执业医师2人" in text
    assert "待核对的默认值" in text and "本工具设定的默认值（非政策原文）" in text
    assert "《shifan评分方法说明》" not in text and "默认值（默认值" not in text
    assert "未填写自评分，待专家评分" in text and "（self_scores）" not in text and "（satisfaction）" not in text
    county = squeeze(pdftotext(pdfs["county"]))
    assert "全国医养结合示范县（市、区）申报自评报告" in county and "一、基本情况" in county


def test_action_list_says_what_to_do() -> None:
    from shifan.evaluate.pipeline import check_application
    from shifan.present.report.build import checked_view

    view = checked_view(check_application(INSTITUTIONS / "05-jiankang-missing-evidence.yaml"))
    actions = {fix.criterion.id: fix.action for fix in view.fixes}
    assert actions["A1"].startswith("附上佐证材料：")
    assert all(fix.criterion.gate for fix in view.fixes[:2])  # gates first
    gains = [fix.gain for fix in view.fixes if not fix.criterion.gate]
    assert gains == sorted(gains, reverse=True)  # then by points gained
    actions = {fix.criterion.id: fix.action for fix in view.fixes}
    assert actions["F3"] == "在申报文件中填写该项自评分（由专家评审核定）"
    assert actions["B3"] == "补充数据：未填报满意度调查；附上佐证材料：满意度调查报告"
    drills = checked_view(check_application(INSTITUTIONS / "09-qingxi-township-new.yaml"))
    drill = next(fix.action for fix in drills.fixes if fix.criterion.id == "G2")
    assert drill.startswith("按要求组织开展并留存记录：消防演练：2025年下半年未达到 1 次")  # hold the drill
    services = checked_view(check_application(INSTITUTIONS / "06-changning-no-clinic.yaml"))
    actions = {fix.criterion.id: fix.action for fix in services.fixes}
    assert actions["E4"] == "开展以下服务：中医体质辨识、中医药适宜技术"
    assert actions["A1"].startswith("办理或更新资质证照：不具备医疗卫生机构资质；附上佐证材料：")


def test_priorities_are_not_labelled_twice(pdfs: dict[str, Path]) -> None:
    text = squeeze(pdftotext(pdfs["self"]))
    assert "具有中医药特色：具有中医药特色" not in text


def test_review_form_is_a_panel_record(pdfs: dict[str, Path]) -> None:
    page1 = squeeze(pdftotext(pdfs["review"], first=1, last=1))
    assert "评审组合议结论" in page1 and "合议得分：98.75/100" in page1 and "推荐意见：同意推荐" in page1
    assert "系统核验结果" in page1 and "系统计算得分：100/100" in page1
    text = squeeze(pdftotext(pdfs["review"]))
    for expected in (
        "示例市民政局养老服务指导中心（虚构）",
        "高级社会工作师",
        "示例市第一人民医院（虚构）",
        "主任医师",
    ):
        assert expected in text, expected
    assert "2026年1月12日" in text and "评审组结论" in text
    pages = pdftotext(pdfs["review"]).split("\f")
    for page in pages[1:]:
        if page.strip():
            assert "示例市康宁护理院（虚构） 评审意见表" in page  # the running header names the applicant
    last = squeeze(pages[-2] if not pages[-1].strip() else pages[-1])
    assert "评审组结论" in last and "评审组长" in last  # conclusion and signatures together


def test_override_that_changes_nothing_is_not_printed(tmp_path: Path) -> None:
    from shifan.evaluate.pipeline import check_application
    from shifan.present.report.views import review_view
    from shifan.review import load_review, reconcile

    review = (APPLICATIONS / "reviews" / "01-kangning-li.yaml").read_text(encoding="utf-8")
    application = INSTITUTIONS / "01-kangning-eligible.yaml"
    blank = "    override:  # 改判（仅否决项）：{decision: pass 或 fail, reason: 理由}"
    assert blank in review
    review = review.replace(blank, "    override: {decision: pass, reason: 已现场查验许可证原件}", 1)
    review = review.replace("path: ../institutions/01-kangning-eligible.yaml", f"path: {application}", 1)
    path = tmp_path / "review.yaml"
    path.write_text(review, encoding="utf-8")
    reconciled = reconcile(check_application(application), [load_review(path)])
    assert any(o.changes_nothing for o in reconciled.overrides)
    view = review_view(reconciled)
    assert not any("改判" in note for note in view.notes)
    assert not any("改判" in flag for row in view.rows for flag in row.flags)


def test_blank_sheet_checkboxes_and_methods(pdfs: dict[str, Path]) -> None:
    text = pdftotext(pdfs["sheet"])
    assert "□ 不符合" in text and "□不符\n" not in text
    assert "satisfaction_lower" not in text and "national/institution" not in text


def test_recommendation_pdf_is_fit_to_publish(pdfs: dict[str, Path]) -> None:
    text = squeeze(pdftotext(pdfs["recommendation"]))
    assert "黄山市" in text and "地市341000" not in text and "评分标准" in text
    assert "另有" not in text and "文件有误" not in text


def test_unreadable_files_stay_out_of_the_public_annex(tmp_path: Path) -> None:
    source = tmp_path / "in"
    shutil.copytree(INSTITUTIONS, source / "institutions")
    (source / "institutions" / "有错误的申报.yaml").write_text("kind: institution\nname: 坏\n", encoding="utf-8")
    out = tmp_path / "rec"
    result = invoke(["recommend", source, "--quota", "2", "-o", out], 1)
    assert "有错误的申报.yaml" in result.stderr
    assert "有错误的申报.yaml" in (out / "failures.log").read_text(encoding="utf-8")
    published = [pdftotext(out / "recommendation.pdf"), (out / "notice.txt").read_text(encoding="utf-8")]
    published += [all_text(docx.Document(str(out / name))) for name in ("recommendation.docx", "notice.docx")]
    for text in published:
        assert "有错误的申报" not in text and "文件有误" not in text and "缺少必填项" not in text
    from shifan.present.publication import public_annex
    from shifan.recommend.ranking import Recommendation

    recommendation = Recommendation.model_validate_json((out / "recommendation.json").read_text(encoding="utf-8"))
    annex = public_annex(recommendation.lists[0])
    scores = [entry.score or 0.0 for entry in annex]
    assert scores == sorted(scores, reverse=True) and all(entry.id for entry in annex)  # rank order, readable
    listing = docx.Document(str(out / "recommendation.docx")).tables[-2]  # the annex, before the signatures
    names = [row.cells[1].text.split("\n")[0] for row in listing.rows[1:]]
    assert names == [entry.name for lst in recommendation.lists for entry in public_annex(lst)]


def test_no_identifier_like_tokens_in_any_document(pdfs: dict[str, Path], tmp_path: Path) -> None:
    texts = {name: pdftotext(path) for name, path in pdfs.items()}
    for name, path in make_documents(tmp_path).items():
        texts[f"{name}.docx"] = all_text(docx.Document(str(path)))
    for name, text in texts.items():
        assert not IDENTIFIER.findall(text), f"{name}: {sorted(set(IDENTIFIER.findall(text)))}"


def test_pdf_a_embeds_the_result_json_and_is_reproducible(tmp_path: Path) -> None:
    sample = INSTITUTIONS / "01-kangning-eligible.yaml"
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    invoke(["report", "self", sample, "--pdf-a", "-o", first], 0)
    invoke(["report", "self", sample, "--pdf-a", "-o", second], 0)
    assert first.read_bytes() == second.read_bytes()
    meta = subprocess.run(["pdfinfo", "-meta", str(first)], capture_output=True, text=True, check=True).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta
    listing = subprocess.run(["pdfdetach", "-list", str(first)], capture_output=True, text=True, check=True).stdout
    assert "result.json" in listing
    extracted = tmp_path / "result.json"
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(extracted), str(first)], check=True)
    expected = json.loads(invoke(["check", sample, "--format", "json"], 0).stdout)
    assert json.loads(extracted.read_text(encoding="utf-8")) == expected
    review = tmp_path / "review.pdf"
    invoke(["report", "review", sample, *REVIEWS, "--pdf-a", "-o", review], 0)
    listing = subprocess.run(["pdfdetach", "-list", str(review)], capture_output=True, text=True, check=True).stdout
    assert "result.json" in listing and "reconciled.json" in listing


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail("LibreOffice 未安装：请运行 bash scripts/setup.sh（安装 libreoffice-writer-nogui）")
    return found


@pytest.mark.slow
def test_libreoffice_prints_every_docx(tmp_path: Path) -> None:
    documents = make_documents(tmp_path / "docx")
    out = tmp_path / "pdf"
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out)]
        + [str(path) for path in documents.values()],
        check=True,
        capture_output=True,
        timeout=300,
    )
    expected = {
        "self": ["全国医养结合示范机构申报自评报告", "一、机构基本情况", "整改清单", "第2页共"],
        "review": ["评审组合议结论", "高级社会工作师", "评审组长"],
        "blank_review": ["评审意见表", "□具备申报资格"],
        "sheet": ["评分表", "□符合"],
        "county": ["全国医养结合示范县（市、区）申报自评报告", "一、基本情况"],
        "recommendation": ["示例省卫生健康委员会", "拟推荐名单", "黄山市"],
        "notice": ["示卫老龄〔2026〕1号", "公示"],
    }
    for name, path in documents.items():
        text = squeeze(pdftotext(out / (path.stem + ".pdf")))
        for words in expected[name]:
            assert words in text, f"{name}: {words}"


def test_publication_settings_file_and_options(tmp_path: Path) -> None:
    settings = tmp_path / "发文设置.yaml"
    settings.write_text(
        "issuer: 示例省卫生健康委员会\nprovince: 示例省\nyear: 2025\ndoc_number: 示卫〔2026〕2号\n", "utf-8"
    )
    out = tmp_path / "rec"
    source = APPLICATIONS / "regions"
    invoke(["recommend", source, "--quota", "1", "-o", out, "--no-pdf", "--settings", settings, "--year", "2026"], 0)
    notice = (out / "notice.txt").read_text(encoding="utf-8")
    assert notice.startswith("示例省卫生健康委员会\n示卫〔2026〕2号\n")
    assert "关于示例省2026年全国医养结合示范县（市、区）拟推荐名单的公示" in notice
    settings.write_text("isuer: 示例省卫生健康委员会\nyear: 二〇二六\n", "utf-8")
    err = invoke(["recommend", source, "--quota", "1", "-o", out, "--settings", settings], 2).stderr
    assert "isuer" in err and "issuer" in err and "year" in err
