"""Benchmark of the PDF engine: warm render time and PDF size of Chinese report pages.

Run ``python bench/bench_render.py`` (``--runs N``, ``--out DIR`` to keep the PDFs).

Three configurations render the same report layout (tables of criteria), one page and about
five pages long, through :func:`shifan.present.report.pdf.render`:

* ``shifan``: the Chinese report with the pre-built subset fonts (what shifan ships);
* ``raw-ttc``: the same Chinese report with the full system Noto CJK faces (no pre-subset),
  to show what pre-subsetting saves;
* ``latin``: the same layout with Latin text of similar length and a Latin-only font stack
  (DejaVu), the baseline: shifan's warm render should take at most twice as long.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

AS_OF = dt.date(2024, 6, 30)
FOOTER = "细则 national-institution v2024.1 · 申报 sha256:3f9a1c0b · 细则 sha256:9b2e77d4"
FOOTER_LATIN = "rubric national-institution v2024.1 - application sha256:3f9a1c0b - rubric sha256:9b2e77d4"

SECTIONS = [
    "一、基本条件",
    "二、医疗卫生服务",
    "三、养老服务",
    "四、医养结合服务",
    "五、人员配备与培训",
    "六、安全管理与信息化",
]
CRITERIA = [
    (
        "依法取得医疗机构执业许可证或在卫生健康行政部门备案，并在民政部门办理养老机构备案。",
        "证照齐全得满分，缺一项不得分。",
    ),
    (
        "床位总数不少于100张，其中护理型床位占比不低于70%，设置老年人活动室与康复训练室。",
        "达到标准得满分，每低5个百分点扣1分。",
    ),
    ("建立健全入住评估、健康管理、医疗护理、康复服务等制度，并严格落实。", "制度缺一项扣1分，未落实扣2分。"),
    ("为入住老年人建立健康档案，每年至少开展1次健康体检与能力综合评估。", "档案建档率达到100%得满分。"),
    ("与二级以上综合医院或中医医院签订合作协议，开通双向转诊绿色通道。", "有协议并实际开展转诊得满分。"),
    ("配备执业医师、注册护士、康复治疗师等专业技术人员，医护人员持证上岗率100%。", "每缺一类人员扣2分。"),
    ("定期开展消防演练、食品安全检查与传染病防控培训，落实安全生产责任制。", "每季度至少1次，缺1次扣0.5分。"),
    ("应用信息化管理系统，实现健康档案、护理记录、费用结算等数据互联互通。", "实现三项以上功能得满分。"),
    ("开展中医药特色服务，提供中医体质辨识、针灸推拿、中药调理等项目。", "提供两项以上得满分。"),
    ("老年人及家属满意度调查每年不少于2次，满意率不低于90%。", "满意率每低5个百分点扣1分。"),
]
MARKS = [("mark-pass", "符合", "pass"), ("mark-warn", "基本符合", "partly"), ("mark-fail", "不符合", "fail")]
LATIN_WORDS = [
    "care",
    "institution",
    "shall",
    "provide",
    "licensed",
    "medical",
    "nursing",
    "services",
    "residents",
    "health",
    "assessment",
    "records",
    "rehabilitation",
    "staff",
    "training",
    "safety",
    "quarterly",
    "report",
    "annual",
    "review",
    "hospital",
    "agreement",
    "referral",
    "information",
    "system",
    "satisfaction",
    "survey",
    "traditional",
    "medicine",
]


def latinize(text: str, seed: int) -> str:
    """Latin words about as wide as ``text``: two letters per Chinese character."""
    target = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    words = itertools.cycle(LATIN_WORDS[seed % len(LATIN_WORDS) :] + LATIN_WORDS)
    out = ""
    while len(out) < target:
        out += next(words) + " "
    return out.strip().capitalize() + "."


def report_html(rows: int, latin: bool, head: str = "") -> str:
    """A self-assessment report: cover data, a summary, and criteria tables by section."""

    def t(text: str, seed: int = 0) -> str:
        return escape(latinize(text, seed) if latin else text)

    parts = [
        f"<h1>{t('康宁颐养中心医养结合示范机构自评报告', 1)}</h1>",
        '<table class="auto"><tbody>',
        f"<tr><th>{t('申报机构', 2)}</th><td>{t('上海市长宁区康宁颐养中心（民办非企业单位）', 3)}</td></tr>",
        f"<tr><th>{t('评价细则', 4)}</th><td>{t('全国医养结合示范机构评价细则（2024年版）', 5)}</td></tr>",
        f"<tr><th>{t('评价日期', 6)}</th><td>2024-06-30</td></tr>",
        "</tbody></table>",
        f'<div class="box">{t("总体结论：基本条件全部满足，医养结合服务与人员配备两项存在扣分，建议整改后复核。", 7)}</div>',
    ]
    per_section = max(2, -(-rows // len(SECTIONS)))
    number = 0
    for section_index, section in enumerate(SECTIONS):
        if number >= rows:
            break
        parts.append(f"<h2>{t(section, section_index)}</h2>")
        parts.append(
            '<table><colgroup><col style="width:7%"><col style="width:43%"><col style="width:28%">'
            '<col style="width:8%"><col style="width:14%"></colgroup><thead><tr>'
            f"<th>{t('序号')}</th><th>{t('评价指标', 1)}</th><th>{t('评分标准', 2)}</th>"
            f"<th>{t('分值', 3)}</th><th>{t('结论', 4)}</th></tr></thead><tbody>"
        )
        for _ in range(per_section):
            if number >= rows:
                break
            criterion, standard = CRITERIA[number % len(CRITERIA)]
            css, word, latin_word = MARKS[number % len(MARKS)]
            parts.append(
                f"<tr><td>{number + 1}</td><td>{t(criterion, number)}</td><td>{t(standard, number + 3)}</td>"
                f'<td class="num">{5 + number % 4}</td><td class="{css}">{latin_word if latin else word}</td></tr>'
            )
            number += 1
        parts.append("</tbody></table>")
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html lang="{"en" if latin else "zh-CN"}"><head><meta charset="utf-8">{head}</head><body>\n{body}\n</body></html>\n'


def font_override(body: str, title: str, page_numbers: str | None = None) -> str:
    """Author CSS that replaces every font stack (and optionally the page number text)."""
    boxes = f"font-family: {title} !important;"
    numbers = f"content: {page_numbers};" if page_numbers else ""
    return (
        "<style>"
        f"html {{ font-family: {body} !important; }} "
        f"h1, h2, h3, h4, th, .box {{ font-family: {title} !important; }} "
        f"@page {{ @top-right {{ {boxes} }} @bottom-left {{ {boxes} }} @bottom-right {{ {boxes} {numbers} }} }}"
        "</style>"
    )


LATIN_CSS = font_override(
    '"DejaVu Serif", serif', '"DejaVu Sans", sans-serif', '"Page " counter(page) " of " counter(pages)'
)
RAW_CSS = font_override('"Noto Serif CJK SC"', '"Noto Sans CJK SC"')


@dataclass
class Measure:
    config: str
    doc: str
    times: list[float]
    pages: int
    size: int
    refused: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def kb_per_page(self) -> float:
        return self.size / 1024 / self.pages


def measure(config: str, doc: str, html: str, runs: int, footer: str, out: Path | None) -> Measure:
    from shifan.present.report.pdf import render

    def once() -> tuple[float, bytes, int, int]:
        start = time.perf_counter()
        result = render(html, title=f"bench {doc}", as_of=AS_OF, footer_note=footer)
        return time.perf_counter() - start, result.data, result.pages, len(result.refused_urls)

    once()  # warm-up: layout caches, font loading
    times = []
    data, pages, refused = b"", 0, 0
    for _ in range(runs):
        elapsed, data, pages, refused = once()
        times.append(elapsed)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{config}-{doc}.pdf").write_bytes(data)
    return Measure(config, doc, times, pages, len(data), refused)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="warm renders per configuration (default 5)")
    parser.add_argument("--out", type=Path, default=None, help="directory to keep the PDFs in")
    args = parser.parse_args(argv)

    from shifan.present.report import pdf

    start = time.perf_counter()
    pdf.font_kit()
    print(f"engine ready in {time.perf_counter() - start:.2f} s (font subsets cached or built, fonts loaded)")

    docs = {"1-page": 6, "5-page": 70}
    configs: dict[str, tuple[Callable[[int], str], str]] = {
        "shifan": (lambda rows: report_html(rows, latin=False), FOOTER),
        "raw-ttc": (lambda rows: report_html(rows, latin=False, head=RAW_CSS), FOOTER),
        "latin": (lambda rows: report_html(rows, latin=True, head=LATIN_CSS), FOOTER_LATIN),
    }
    results: dict[tuple[str, str], Measure] = {}
    for doc, rows in docs.items():
        for config, (make, footer) in configs.items():
            m = measure(config, doc, make(rows), args.runs, footer, args.out)
            results[(config, doc)] = m
            times = " ".join(f"{t * 1000:.0f}" for t in m.times)
            print(f"{doc:7} {config:8} pages={m.pages} bytes={m.size} per-render ms: {times}")

    print()
    header = f"{'document':9}{'config':10}{'pages':>6}{'median ms':>11}{'vs latin':>10}{'KB total':>10}{'KB/page':>9}"
    print(header)
    print("-" * len(header))
    for doc in docs:
        base = results[("latin", doc)].median
        for config in configs:
            m = results[(config, doc)]
            ratio = m.median / base
            print(
                f"{doc:9}{config:10}{m.pages:>6}{m.median * 1000:>11.0f}{ratio:>9.2f}x"
                f"{m.size / 1024:>10.1f}{m.kb_per_page:>9.1f}"
            )
    print()
    worst = max(results[("shifan", d)].median / results[("latin", d)].median for d in docs)
    biggest = max(results[("shifan", d)].kb_per_page for d in docs)
    print(f"shifan vs latin, worst ratio: {worst:.2f}x (target <= 2.00x)")
    print(f"shifan size, worst: {biggest:.1f} KB/page (target <= 60 KB/page)")
    refused = sum(m.refused for m in results.values())
    print(f"external fetches refused during the benchmark: {refused} (expected 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
