"""click's own messages (usage errors, help footers, "did you mean") are Chinese, whatever the
system locale."""

from __future__ import annotations

import pytest

from conftest import invoke
from shifan.cli.translation import CATALOGUE, read_po


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["check"], "错误：缺少参数 'APPLICATION'"),
        (["check", "--nope", "x"], "没有选项 '--nope'"),
        (["chek"], "是否应为以下之一"),
        (["init", "--kind", "x"], "不是以下之一"),
    ],
)
def test_usage_errors_in_chinese(args: list[str], said: str) -> None:
    result = invoke(args, 2)
    assert said in result.stderr
    assert "查看帮助" in result.stderr
    assert "Error" not in result.stderr and "Usage" not in result.stderr


def test_help_in_chinese() -> None:
    text = invoke(["check", "--help"], 0).stdout
    assert "用法：" in text and "显示本帮助并退出。" in text and "缺省：text" in text
    assert "Show this message" not in text and "Options:" not in text


def test_group_help_lists_commands_in_chinese() -> None:
    text = invoke(["--help"], 0).stdout
    assert "命令:" in text and "Commands" not in text


def test_catalogue_is_complete() -> None:
    entries = read_po(CATALOGUE.read_text(encoding="utf-8"))
    assert all(entries.values())
    assert len(entries) > 50
