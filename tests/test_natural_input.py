"""Natural human input, driven by tests/natural_input/cases.yaml: each value written as people
write it is read as meant (with a note when it was rewritten), or reported with what the field
holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from shifan.errors import InputError
from shifan.load.application import load_application
from shifan.rules.vocab import CertificateType, Commitment, Facility, RegionMeasure, Service, System

HERE = Path(__file__).resolve().parent
VALID = HERE / "bad_inputs" / "applications" / "valid-institution.yaml"
CASES = YAML(typ="safe").load((HERE / "natural_input" / "cases.yaml").read_text(encoding="utf-8"))["cases"]
TEMPLATES = HERE.parent / "templates" / "init"


def _set(data: Any, key: str, value: Any) -> None:
    parts: list[Any] = [int(p) if p.isdigit() else p for p in key.split(".")]
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


def _get(data: Any, key: str) -> Any:
    for part in key.split("."):
        data = data[int(part)] if part.isdigit() else data[part]
    return data


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['key']}={c['written']}")
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    shutil.copytree(VALID.parent / "evidence", tmp_path / "evidence")
    data = YAML(typ="safe").load(VALID.read_text(encoding="utf-8"))
    _set(data, case["key"], case["written"])
    path = tmp_path / "申报.yaml"
    yaml = YAML()
    yaml.allow_unicode = True
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    if "error" in case:
        with pytest.raises(InputError) as caught:
            load_application(path)
        text = caught.value.user_message()
        assert case["error"] in text
        assert case["key"] in text
        return
    loaded = load_application(path)
    read = json.loads(loaded.app.model_dump_json())
    assert _get(read, case["key"]) == case["read"]
    notes = "\n".join(loaded.notes)
    if "note" in case:
        assert case["note"] in notes
    else:
        assert str(case["written"]) not in notes


@pytest.mark.parametrize(
    ("template", "vocabularies"),
    [("institution.yaml", (Service, System, Facility, Commitment, CertificateType)), ("region.yaml", (RegionMeasure,))],
)
def test_template_lists_every_option_in_chinese(template: str, vocabularies: tuple[Any, ...]) -> None:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    for vocabulary in vocabularies:
        for member in vocabulary:
            assert member.label in text, (vocabulary.__name__, member.label)


def test_percent_like_months_warned(tmp_path: Path) -> None:
    shutil.copytree(VALID.parent / "evidence", tmp_path / "evidence")
    data = YAML(typ="safe").load(VALID.read_text(encoding="utf-8"))
    for month in data["occupancy"]:
        month["occupied"] = 85
    path = tmp_path / "申报.yaml"
    YAML().dump(data, path)
    assert any("不是入住率" in note for note in load_application(path).notes)


def test_placeholder_certificate_never_counts(tmp_path: Path) -> None:
    from shifan.evaluate.pipeline import check_application

    shutil.copytree(VALID.parent / "evidence", tmp_path / "evidence")
    data = YAML(typ="safe").load(VALID.read_text(encoding="utf-8"))
    for number in ("无", "待补", "暂无", "xxx", "-", "/", "0"):
        data["staff"][0]["certificates"][0]["number"] = number
        path = tmp_path / "申报.yaml"
        YAML().dump(data, path)
        checked = check_application(path)
        name = data["staff"][0]["name"]
        assert any(d.startswith(name) and "无医师执业证书" in d for c in checked.result.criteria for d in c.details), (
            number
        )
        assert any("按未持有该证书处理" in note for note in checked.loaded.notes)


def test_evidence_type_by_chinese_name_or_refused(tmp_path: Path) -> None:
    from shifan.evaluate.pipeline import check_application

    shutil.copytree(VALID.parent / "evidence", tmp_path / "evidence")
    data = YAML(typ="safe").load(VALID.read_text(encoding="utf-8"))
    path = tmp_path / "申报.yaml"
    original = check_application(VALID).result
    data["attachments"][0]["type"] = "医疗机构执业许可证"
    YAML().dump(data, path)
    named = check_application(path).result
    assert [c.status for c in named.criteria] == [c.status for c in original.criteria]
    data["attachments"][0]["type"] = "营业执照"
    YAML().dump(data, path)
    with pytest.raises(InputError) as caught:
        check_application(path)
    text = caught.value.user_message()
    assert "attachments.0.type: 评分标准中没有这种佐证材料类型" in text
    assert "医疗机构执业许可证（备案凭证）复印件（medical_licence）" in text


def test_review_sheet_natural_words(tmp_path: Path) -> None:
    """A reviewer writes the words the comments show: 已核实, 同意推荐, 8分, 2026/1/10."""
    from shifan.review.load import load_review

    reviews = HERE.parent / "applications" / "reviews"
    shutil.copytree(HERE.parent / "applications", tmp_path / "applications")
    path = tmp_path / "applications" / "reviews" / "01-kangning-li.yaml"
    text = (reviews / "01-kangning-li.yaml").read_text(encoding="utf-8")
    text = text.replace("signed: 2026-01-12", "signed: 2026/1/12")
    text = text.replace("verification: not_checked", "verification: 已核实", 1)
    text = text.replace("conclusion: recommend", "conclusion: 同意推荐")
    path.write_text(text, encoding="utf-8")
    review = load_review(path).review
    assert review.reviewer.signed is not None and review.reviewer.signed.isoformat() == "2026-01-12"
    assert next(iter(review.items.values())).verification.value == "confirmed"
    assert review.final_opinion.conclusion.value == "recommend"


def test_review_score_out_of_range_reported_with_other_problems(tmp_path: Path) -> None:
    """All problems at once: an out-of-range score is listed beside a schema error."""
    shutil.copytree(HERE.parent / "applications", tmp_path / "applications")
    app = tmp_path / "applications" / "institutions" / "01-kangning-eligible.yaml"
    path = tmp_path / "applications" / "reviews" / "01-kangning-li.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("score: 7 #", "score: 70 #", 1).replace("verification: not_checked", "verification: 看过", 1)
    path.write_text(text, encoding="utf-8")
    from conftest import invoke

    result = invoke(["review", "show", app, path], 2)
    assert "评分超出该项分值" in result.stderr
    assert "不是允许的取值" in result.stderr
