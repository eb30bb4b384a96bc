"""The generated user documentation: Chinese throughout, and regenerated from the code it describes."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

import click
import pytest

from conftest import ROOT
from shifan.cli import cli
from shifan.present.generated_docs import json_fields, json_tables, render_cli_reference, render_json_output
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


def test_json_output_matches_the_result_models() -> None:
    current = (DOCS / "json-output.md").read_text(encoding="utf-8")
    assert render_json_output(current) == current, "docs/json-output.md is stale: run python scripts/generate_docs.py"


@pytest.mark.parametrize("table", sorted(json_tables()))
def test_every_json_field_is_described_in_chinese(table: str) -> None:
    spec = json_tables()[table]
    fields = json_fields(spec.model, spec.prefix, spec.separate)
    assert fields
    assert [f.key for f in fields if not has_chinese(f.description)] == []


def test_a_new_result_field_makes_the_json_reference_stale() -> None:
    current = (DOCS / "json-output.md").read_text(encoding="utf-8")
    edited = current.replace("| `as_of` | 日期 | 评价基准日 |\n", "", 1)
    assert edited != current
    assert render_json_output(edited) == current


def test_the_cli_reference_is_up_to_date() -> None:
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert render_cli_reference(cli) == current, "docs/cli.md is stale: run python scripts/generate_docs.py"


def test_the_cli_reference_lists_every_command_and_option() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")

    def walk(command: click.Command, path: str) -> None:
        assert f"## `{path}`" in text
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.opts[0] in text, f"{path} {param.opts[0]}"
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                if not sub.hidden:
                    walk(sub, f"{path} {name}")

    walk(cli, "shifan")
    assert "Show this message" not in text and "Show the version" not in text
