"""The generated user documentation: Chinese throughout, and regenerated from the code it describes."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

import pytest

from conftest import ROOT
from shifan.rules.checks import REGISTRY
from shifan.rules.checks.base import Check, Context, Outcome, has_chinese, register
from shifan.rules.checks.metrics import METRICS, metric

DOCS = ROOT / "docs"
#: Inline code (what an author types) and Markdown link targets are the only ASCII allowed.
_CODE = re.compile(r"`[^`]*`|\]\([^)]*\)")
_ENGLISH = re.compile(r"[A-Za-z]{3,}")


def english_outside_code(text: str) -> list[str]:
    return [line for line in text.splitlines() if _ENGLISH.search(_CODE.sub("", line))]


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_check_kind_is_described_in_chinese(kind: str) -> None:
    cls = REGISTRY[kind]
    assert has_chinese(cls.title)
    assert has_chinese(cls.summary)
    assert has_chinese(cls.passes) and has_chinese(cls.fails)
    for name, info in cls.model_fields.items():
        assert name == "kind" or has_chinese(info.description or ""), f"{kind}.{name} has no Chinese description"


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_metric_is_described_in_chinese(name: str) -> None:
    assert has_chinese(METRICS[name].title) and has_chinese(METRICS[name].description)


def test_a_kind_without_a_chinese_summary_is_refused() -> None:
    class Undocumented(Check):
        """A kind with an English docstring only."""

        kind: Literal["undocumented_for_test"]
        title: ClassVar[str] = "测试"
        summary: ClassVar[str] = "Passes when it passes."

        def evaluate(self, ctx: Context) -> Outcome:
            raise NotImplementedError

    with pytest.raises(RuntimeError, match="Chinese title and summary"):
        register(Undocumented)
    assert "undocumented_for_test" not in REGISTRY


def test_a_metric_without_a_chinese_description_is_refused() -> None:
    with pytest.raises(RuntimeError, match="no Chinese description"):
        metric("undocumented_for_test", "测试", "%", "institution", description="numerator / denominator")
    assert "undocumented_for_test" not in METRICS


def test_the_rubric_reference_has_no_english_prose() -> None:
    text = (DOCS / "rubric-reference.md").read_text(encoding="utf-8")
    tail = text[text.index("\n## 判定方法") :]
    assert english_outside_code(tail) == []
    assert "``" not in tail
