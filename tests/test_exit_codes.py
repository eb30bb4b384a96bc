"""Exit codes: each kind of failure ends with the code the README's 退出码 table gives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

import shifan.cli.check
from conftest import INSTITUTIONS, invoke
from shifan.errors import (
    ExitCode,
    FontMissingError,
    InputError,
    OutputError,
    RenderError,
    RubricNotFoundError,
    ShifanError,
    TemplateInputError,
    UsageError,
)
from shifan.present.report import fonts, pdf

SAMPLE = INSTITUTIONS / "01-kangning-eligible.yaml"
README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_error_class_declares_its_code() -> None:
    expected = {
        InputError: ExitCode.INVALID,
        UsageError: ExitCode.INVALID,
        RubricNotFoundError: ExitCode.INVALID,
        TemplateInputError: ExitCode.INVALID,
        OutputError: ExitCode.ENVIRONMENT,
        FontMissingError: ExitCode.ENVIRONMENT,
        RenderError: ExitCode.INTERNAL,
    }
    for cls, code in expected.items():
        assert issubclass(cls, ShifanError)
        assert cls.exit_code is code, cls.__name__
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 130]


def test_the_readme_lists_every_code() -> None:
    table = README.read_text(encoding="utf-8").split("### 退出码", 1)[1].split("\n### ", 1)[0]
    listed = [
        line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ") and "退出码" not in line
    ]
    assert listed == [str(int(code)) for code in ExitCode]


def test_an_unwritable_output_is_exit_4(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out = blocker / "report.html"
    err = invoke(["report", "self", SAMPLE, "-o", out, "--format", "html"], ExitCode.ENVIRONMENT).stderr
    assert "无法写入" in err and "Traceback" not in err
    assert not out.exists()


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    empty = tmp_path / "empty-fonts"
    empty.mkdir()
    monkeypatch.setattr(fonts, "DEFAULT_FONT_DIRS", (empty,))
    monkeypatch.setattr(fonts, "_fc_match", lambda pattern: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pdf.reset_engine()
    yield
    pdf.reset_engine()


@pytest.mark.usefixtures("no_fonts")
def test_a_missing_font_is_exit_4(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    err = invoke(["report", "self", SAMPLE, "-o", out], ExitCode.ENVIRONMENT).stderr
    assert "fonts-noto-cjk" in err and "Traceback" not in err
    assert not out.exists()


def test_a_broken_user_template_is_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "self.html").write_text("{% if %}坏模板{% endif %}", encoding="utf-8")
    out = tmp_path / "self.html"
    err = invoke(
        ["report", "self", SAMPLE, "--templates", folder, "-o", out, "--format", "html"], ExitCode.INVALID
    ).stderr
    assert "报告模板有语法错误" in err and "Traceback" not in err
    assert not out.exists()


def test_a_pdf_engine_failure_is_exit_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(**kwargs: object) -> Any:
        def finish(document: object, pdf_object: object) -> None:
            raise RuntimeError("engine broke")

        return finish

    monkeypatch.setattr(pdf, "_metadata_finisher", broken)
    out = tmp_path / "report.pdf"
    err = invoke(["report", "self", SAMPLE, "-o", out], ExitCode.INTERNAL).stderr
    assert "PDF 生成失败" in err and "Traceback" not in err
    assert not out.exists()


def test_an_internal_error_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    def defect(*args: object, **kwargs: object) -> NoReturn:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(shifan.cli.check, "check_application", defect)
    err = invoke(["check", SAMPLE], ExitCode.INTERNAL).stderr
    assert "内部错误" in err and "--debug" in err and "Traceback" not in err


def test_ctrl_c_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setattr(shifan.cli.check, "check_application", interrupted)
    err = invoke(["check", SAMPLE], ExitCode.INTERRUPTED).stderr
    assert "已中断" in err


def test_a_batch_output_folder_that_cannot_be_made_is_exit_4(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    folder = tmp_path / "apps"
    folder.mkdir()
    (folder / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    err = invoke(["batch", folder, "-o", blocker / "out", "--no-pdf"], ExitCode.ENVIRONMENT).stderr
    assert "无法读写文件" in err and "Traceback" not in err and "内部错误" not in err
