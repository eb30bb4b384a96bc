"""Reports: text found in the real PDF, fonts embedded, escaping, determinism, golden HTML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import INSTITUTIONS, invoke

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
FIXTURE_RUBRIC = FIXTURES / "criteria" / "fixture" / "institution.yaml"


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def fushou_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "fushou.pdf"
    invoke(["report", "self", INSTITUTIONS / "03-fushou-major-incident.yaml", "-o", out], 0)
    return out


def test_self_report_text(fushou_pdf: Path) -> None:
    text = squeeze(pdftotext(fushou_pdf))
    assert "自评报告" in text
    assert "示例市福寿护理院（虚构）" in text
    assert "不具备申报资格" in text
    assert "2024-08-09发生重大医疗事故" in text  # the failed gate's reason
    assert "整改清单" in text and "待核对的默认值" in text
    assert "单位负责人（签字）" in text
    assert "第2页共" in text and "第1页共" not in text  # the cover has no page number


def test_cjk_fonts_embedded_and_subset(fushou_pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(fushou_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    cjk = [row for row in rows if "Shifan" in row[0] or "CJK" in row[0]]
    assert cjk, fonts
    for row in cjk:
        assert "+" in row[0], f"not subset: {row}"  # subset fonts carry an ABCDEF+ prefix
        assert row[-5] == "yes", f"not embedded: {row}"


@pytest.mark.slow
def test_pdf_is_byte_identical(tmp_path: Path) -> None:
    sample = INSTITUTIONS / "04-renhe-uncertified-staff.yaml"
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    invoke(["report", "self", sample, "-o", first], 0)
    invoke(["report", "self", sample, "-o", second], 0)
    assert first.read_bytes() == second.read_bytes()
    info = subprocess.run(["pdfinfo", str(first)], capture_output=True, text=True, check=True).stdout
    assert "2025" in next(line for line in info.splitlines() if line.startswith("CreationDate"))


def test_review_and_sheet(tmp_path: Path) -> None:
    review = tmp_path / "review.pdf"
    invoke(["report", "review", INSTITUTIONS / "02-ankang-low-occupancy.yaml", "-o", review], 0)
    text = squeeze(pdftotext(review))
    assert "评审意见表" in text and "示例市安康颐养中心（虚构）" in text and "评审组长" in text
    assert "工作单位" in text and "职称" in text and "评审组合议结论" in text
    sheet = tmp_path / "sheet.pdf"
    invoke(["report", "sheet", "--criteria", "shanghai/changning", "-o", sheet], 0)
    text = squeeze(pdftotext(sheet))
    assert "评分表" in text and "SH1" in text


def test_html_preview(tmp_path: Path) -> None:
    out = tmp_path / "self.html"
    invoke(["report", "self", INSTITUTIONS / "01-kangning-eligible.yaml", "-o", out], 0)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "具备申报资格" in html


def test_hostile_text_is_escaped_and_nothing_fetched(tmp_path: Path) -> None:
    app = FIXTURES / "app" / "hostile.yaml"
    html_out = tmp_path / "hostile.html"
    invoke(["report", "self", app, "--criteria", FIXTURE_RUBRIC, "-o", html_out], 0)
    html = html_out.read_text(encoding="utf-8")
    assert "<img src=" not in html and "<script>" not in html and "<link rel" not in html and "<iframe" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "&lt;iframe src=&#34;file:///etc/shadow&#34;&gt;" in html

    from shifan.evaluate.pipeline import check_application
    from shifan.present.report.build import self_report_html
    from shifan.present.report.pdf import render

    checked = check_application(app, criteria=FIXTURE_RUBRIC)
    rendered = render(
        self_report_html(checked), title="t", as_of=checked.result.as_of, footer_note=checked.result.applicant.name
    )
    assert not any("etc" in url or "example.invalid" in url for url in rendered.served_urls)
    assert rendered.refused_urls == ()  # the markup was escaped, so there was nothing to refuse
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(rendered.data)
    text = pdftotext(pdf)
    assert "root:x:0" not in text
    assert '<img src="file:///etc/passwd">' in text  # shown as text, not followed


def test_no_cjk_font_is_exit_4(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from shifan.present.report import fonts\n"
        "fonts.find_system_fonts.cache_clear()\n"
        "original = fonts.find_system_fonts\n"
        "fonts.DEFAULT_FONT_DIRS = ()\n"
        "fonts.find_system_fonts = lambda *a, **k: original(search_dirs=(), use_fontconfig=False)\n"
        "from shifan.cli import cli\n"
        f"sys.argv = ['shifan', 'report', 'self', {str(INSTITUTIONS / '01-kangning-eligible.yaml')!r}, '-o', {str(tmp_path / 'x.pdf')!r}]\n"
        "cli()\n"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert completed.returncode == 4, completed.stderr
    assert "fonts-noto-cjk" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_user_templates_override(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "self.html").write_text(
        '{% extends "default:self.html" %}{% block title %}自定义标题{% endblock %}', encoding="utf-8"
    )
    out = tmp_path / "self.html"
    invoke(["report", "self", INSTITUTIONS / "01-kangning-eligible.yaml", "--templates", folder, "-o", out], 0)
    html = out.read_text(encoding="utf-8")
    assert "<title>自定义标题</title>" in html and "逐项自评表" in html


@pytest.mark.parametrize(
    "name", ["self.html", "review.html", "review-reviewed.html", "sheet.html", "recommendation.html"]
)
def test_golden_html(name: str) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import regenerate_golden
    finally:
        sys.path.pop(0)
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    actual = regenerate_golden.STAMP + regenerate_golden.rendered()[name]
    assert actual == expected, (
        f"tests/golden/{name} is stale: run python scripts/regenerate_golden.py and review the diff"
    )


def test_review_report_with_reviews(tmp_path: Path) -> None:
    reviews = sorted((ROOT / "applications" / "reviews").glob("02-*.yaml"))
    assert len(reviews) >= 2
    out = tmp_path / "review.html"
    invoke(["report", "review", INSTITUTIONS / "02-ankang-low-occupancy.yaml", *reviews, "-o", out], 0)
    html = out.read_text(encoding="utf-8")
    assert "合议得分" in html
    assert "评审专家 专家1" not in html  # real reviewer names, not blank columns
    pdf = tmp_path / "review.pdf"
    invoke(["report", "review", INSTITUTIONS / "02-ankang-low-occupancy.yaml", *reviews, "-o", pdf], 0)
    assert "合议得分" in squeeze(pdftotext(pdf))


def test_recommendation_list_pdf(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    applications = ROOT / "applications"
    invoke(
        ["recommend", applications, "--reviews", applications / "reviews", "--quota", "2", "-o", out, "--jobs", "1"], 0
    )
    text = squeeze(pdftotext(out / "recommendation.pdf"))
    assert "全国医养结合示范机构拟推荐名单" in text  # the title names the lists with anyone on them
    # The process as it happened: with reviews in the folder only reviewed applicants are ranked,
    # and the sample review sheets state a provincial review.
    assert "经申报单位自评和省级评审" in text
    assert "排序规则" in text
    assert "附件：未列入名单的申报单位及原因" in text
    assert "示例市福寿护理院（虚构）" in text  # ineligible: listed in the annex with its reason
