"""Rubric parameters: every policy number, with where it comes from."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from shifan.formatting import format_number
from shifan.rules.base import StrictModel

DEFAULT_NOTICE = "默认值，待核对官方原文"
INTERPRETATION_NOTICE = "原文数字用于原文未直接规定的对象（解释性适用），待核对"

#: quoted: the number and its subject are in the source; default: the number is the tool's
#: stand-in for a lost or missing one; interpretation: the number is quoted but applied to a
#: subject the source does not address (a city average used for one institution).
ParamStatus = Literal["quoted", "default", "interpretation"]
STATUS_WORDS: dict[str, str] = {"quoted": "原文", "default": DEFAULT_NOTICE, "interpretation": INTERPRETATION_NOTICE}


class SourceRef(StrictModel):
    """Where a criterion or number comes from: a document of the rubric and a clause in it."""

    document: str = Field(description="来源文件编号（rubric 的 sources 中的 id）")
    clause: str = Field(description="条款位置，如 “二、（一）3”")
    quote: str = Field("", description="原文摘录")


class SourceDocument(StrictModel):
    """A source document (government notice)."""

    id: str = Field(min_length=1, description="在本 rubric 内引用该文件的短编号")
    name: str = Field(min_length=1, description="文件名称")
    number: str = Field("", description="文号，如 国卫老龄发〔2022〕14号")
    issuer: str = Field("", description="发文机关")
    date: dt.date | None = Field(None, description="发文日期")
    seed: str = Field("", description="项目资料中的原文副本文件名")
    note: str = Field("", description="说明（如原文是否完整）")


class Parameter(StrictModel):
    """A named policy number used by criteria."""

    title: str = Field(min_length=1, description="参数含义")
    value: float = Field(description="数值")
    unit: str = Field("", description="单位：%、年、个月、次、人、张、分 等")
    status: ParamStatus = Field(
        description=(
            "quoted：原文明确给出；default：原文缺失或不确定，为默认值，须核对；"
            "interpretation：数字取自原文，但用于原文未直接规定的对象（如以全市平均目标要求单个机构），须核对"
        )
    )
    source: SourceRef = Field(description="来源")
    note: str = Field("", description="取值理由或说明")

    @property
    def is_default(self) -> bool:
        return self.status == "default"

    @property
    def needs_confirmation(self) -> bool:
        """A default or an interpretation: the report lists it for the user to confirm."""
        return self.status != "quoted"

    def formatted(self) -> str:
        return format_number(self.value) + self.unit
