"""shifan batch over a generated folder of 200+ applications with reviews."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import random
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest

from conftest import APPLICATIONS, ROOT, invoke
from shifan.batch import run_batch
from shifan.batch.runner import output_stem
from shifan.present.formats import applicant_writers
from shifan.present.summary import SUMMARY


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_fixture", ROOT / "scripts" / "generate_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


GEN = generator()
FORMULA_NAMES = ['=HYPERLINK("http://x","点我")', "+1+2 示例", "-3 示例", "@SUM(A1) 示例", "=cmd|' /C calc'!A0"]


def write_formula_apps(folder: Path) -> None:
    rng = random.Random(3)
    for index, name in enumerate(FORMULA_NAMES):
        data = GEN.institution(rng, 900 + index)
        data["name"] = name
        (folder / f"formula-{index}.yaml").write_bytes(GEN._dump(data))


def out_name(rel: str, suffix: str) -> str:
    return output_stem(rel) + suffix


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("batch")
    fixture = GEN.generate(root / "in", 200, seed=11, broken=1)
    write_formula_apps(root / "in" / "institutions")
    out = root / "out"
    result = invoke(
        ["batch", root / "in", "--reviews", root / "in" / "reviews", "-o", out, "--no-pdf", "--jobs", "2"], 1
    )
    return {"fixture": fixture, "out": out, "result": result, "root": root}


@pytest.mark.slow
def test_broken_file_in_the_middle_does_not_stop_the_others(big: dict[str, Any]) -> None:
    fixture, out = big["fixture"], big["out"]
    assert len(fixture.institutions) + len(fixture.broken) == 200 and len(fixture.broken) == 1
    broken = fixture.broken[0].name
    assert broken == "inst-0100.yaml"
    log = (out / "failures.log").read_text(encoding="utf-8")
    assert f"institutions/{broken}" in log and "YAML 语法错误" in log
    outputs = {p.name for p in (out / "applicants").glob("*.json")}
    expected = len(fixture.institutions) + len(fixture.counties) + len(FORMULA_NAMES)
    assert len(outputs) == expected
    assert out_name("institutions/inst-0101.yaml", ".json") in outputs
    assert out_name("institutions/inst-0100.yaml", ".json") not in outputs
    assert "失败 1 个" in big["result"].stdout
    rows = read_csv(out / "summary.csv")
    assert len(rows) == expected + 1
    failed = [r for r in rows if r["处理状态"].startswith("失败")]
    assert [r["申报文件"] for r in failed] == [f"institutions/{broken}"]
    assert "YAML 语法错误" in failed[0]["错误"]


@pytest.mark.slow
def test_summary_csv_has_bom_and_neutralised_formulas(big: dict[str, Any]) -> None:
    out = big["out"]
    assert (out / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(out / "summary.csv")
    names = {r["申报文件"]: r["申报单位"] for r in rows}
    for index, name in enumerate(FORMULA_NAMES):
        assert names[f"institutions/formula-{index}.yaml"] == "'" + name
    workbook = openpyxl.load_workbook(out / "summary.xlsx")
    sheet = workbook.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    file_col, name_col = header.index("申报文件"), header.index("申报单位")
    cells = {row[file_col].value: row[name_col] for row in sheet.iter_rows(min_row=2)}
    for index, name in enumerate(FORMULA_NAMES):
        cell = cells[f"institutions/formula-{index}.yaml"]
        assert cell.value == name and cell.data_type == "s"
    assert sheet.max_row == len(rows) + 1


@pytest.mark.slow
def test_stale_reviews_are_flagged_in_summary_and_json(big: dict[str, Any]) -> None:
    fixture, out = big["fixture"], big["out"]
    assert fixture.stale, "the generator marks some reviews stale"
    rows = read_csv(out / "summary.csv")
    stale = {r["申报文件"] for r in rows if r["评审意见已过期"] == "是"}
    assert stale == {f"institutions/{p.name}" for p in fixture.stale}
    name = fixture.stale[0].stem
    data = json.loads((out / "applicants" / out_name(f"institutions/{name}.yaml", ".json")).read_text(encoding="utf-8"))
    assert data["stale"] is True
    assert all("申报文件在评审后已修改" in r["stale_reasons"] for r in data["reviews"])
    assert "评审意见已过期" in big["result"].stdout


@pytest.mark.slow
def test_json_holds_reviews_and_reconciled_scores(big: dict[str, Any]) -> None:
    out = big["out"]
    reviewed = 0
    for path in sorted((out / "applicants").glob("institutions__inst-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["schema_version"] == 1 and data["evaluation"]["applicant"]["kind"] == "institution"
        if data["reviews"]:
            reviewed += 1
            for criterion in data["criteria"]:
                scores = [r["score"] for r in criterion["reviews"] if r["score"] is not None]
                if criterion["basis"] == "reviewers" and len(scores) >= 3:
                    assert criterion["method_used"] == "trimmed_mean"
    assert reviewed > 100


@pytest.mark.slow
def test_counties_in_the_batch_are_rolled_up(big: dict[str, Any]) -> None:
    out = big["out"]
    data = json.loads((out / "applicants" / out_name("regions/county-02.yaml", ".json")).read_text(encoding="utf-8"))
    assert len(data["rollup"]["members"]) == 5
    used = {i["name"]: i["used"] for i in data["rollup"]["indicators"]}
    assert used["care_institutions"] == "derived"


@pytest.mark.slow
def test_rerun_skips_unchanged_and_redoes_what_changed(tmp_path: Path) -> None:
    fixture = GEN.generate(tmp_path / "in", 30, seed=5, counties=1)
    out = tmp_path / "out"

    def rerun(**settings: Any) -> Any:
        return run_batch(
            tmp_path / "in",
            out,
            reviews_dir=tmp_path / "in" / "reviews",
            writers=applicant_writers(["json"]),
            summary=SUMMARY,
            jobs=2,
            **settings,
        )

    first = rerun()
    assert first.ok and first.processed == 31 and first.skipped == 0
    summary = out / "summary.xlsx"
    stamp = summary.stat().st_mtime_ns

    again = rerun()
    assert (again.processed, again.skipped) == (0, 31)
    assert summary.stat().st_mtime_ns == stamp
    assert [r.model_dump() for r in again.rows] == [r.model_dump() for r in first.rows]

    evidence = tmp_path / "in" / "institutions" / "evidence" / "staff_roster.txt"
    os.utime(evidence, ns=(1, 1))  # touched, same content: still skipped
    assert rerun().processed == 0

    review = fixture.reviews[0]
    review.write_text(review.read_text(encoding="utf-8").replace("recommend", "pending", 1), encoding="utf-8")
    owner = review.name.split("-r")[0]
    changed = rerun()
    assert changed.processed == 1

    county = fixture.counties[0].read_text(encoding="utf-8")
    member = county.split("file: ../institutions/")[1].split("\n")[0]
    path = tmp_path / "in" / "institutions" / member
    path.write_text(path.read_text(encoding="utf-8") + "contact: 新联系人\n", encoding="utf-8")
    assert rerun().processed == 2  # the institution and its county

    victim = tmp_path / "in" / "institutions" / f"{owner}.yaml"
    victim.unlink()
    gone = rerun()
    assert not (out / "applicants" / out_name(f"institutions/{owner}.yaml", ".json")).exists()
    assert gone.total == 30 and len(gone.failures) == sum(1 for r in fixture.reviews if r.name.startswith(owner))

    changed_settings = rerun(as_of=GEN.AS_OF)
    assert changed_settings.skipped == 0


@pytest.mark.slow
def test_batch_writes_pdfs_for_the_samples(tmp_path: Path) -> None:
    source = tmp_path / "apps"
    shutil.copytree(APPLICATIONS / "institutions", source / "institutions")
    for extra in source.glob("institutions/*.yaml"):
        if not extra.name.startswith(("01-", "03-")):
            extra.unlink()
    out = tmp_path / "out"
    invoke(["batch", source, "-o", out, "--jobs", "1"], 0)
    pdfs = sorted(p.name for p in (out / "applicants").glob("*.pdf"))
    assert pdfs == [
        out_name("institutions/01-kangning-eligible.yaml", ".pdf"),
        out_name("institutions/03-fushou-major-incident.yaml", ".pdf"),
    ]
    assert all(p.read_bytes().startswith(b"%PDF") for p in (out / "applicants").glob("*.pdf"))
    rows = read_csv(out / "summary.csv")
    assert {r["自评报告PDF"] for r in rows} == {
        out_name("institutions/01-kangning-eligible.yaml", ".pdf"),
        out_name("institutions/03-fushou-major-incident.yaml", ".pdf"),
    }
    again = invoke(["batch", source, "-o", out, "--jobs", "1"], 0)
    assert "本次处理 0 个" in again.stdout


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    invoke(["batch", tmp_path / "nothing", "-o", tmp_path / "out", "--no-pdf"], 2)


def test_sample_reviews_are_matched_in_a_batch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = run_batch(
        APPLICATIONS,
        out,
        reviews_dir=APPLICATIONS / "reviews",
        writers=applicant_writers(["json"]),
        summary=SUMMARY,
        jobs=1,
    )
    rows = {r.file: r for r in report.rows}
    assert rows["institutions/01-kangning-eligible.yaml"].reviewers == ["李华", "张明"]
    assert rows["institutions/02-ankang-low-occupancy.yaml"].contradicted == ["C1"]
    assert not any(f.kind == "review" for f in report.failures)
