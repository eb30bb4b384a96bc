"""Plausibility flags (提示): the kinds a rubric may switch on, and the thresholds each needs.

A flag is not a verdict: it points a reviewer at data that looks implausible (too few staff for
the residents, data from outside the assessment window, placeholder certificate numbers, the
template's sample values, a county's figures its own roster contradicts). The rubric lists the
flags that apply under ``flags`` and names, for each threshold, a parameter with its source;
:mod:`shifan.evaluate.flags` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from shifan.rules.base import StrictModel


@dataclass(frozen=True)
class FlagKind:
    """A kind of flag: its stable code, Chinese title, the thresholds (parameter roles) it needs
    and whom it applies to."""

    code: str
    title: str
    thresholds: tuple[str, ...]
    subject: str


FLAG_KINDS: dict[str, FlagKind] = {
    kind.code: kind
    for kind in (
        FlagKind("staff_ratio", "工作人员与在住老年人配比偏离标准", ("residents_per_staff_max",), "institution"),
        FlagKind("carer_ratio", "护士和护理员与失能老年人配比偏离标准", ("disabled_per_carer_max",), "institution"),
        FlagKind("occupancy_window", "入住数据不在评价年度内", (), "institution"),
        FlagKind("assessment_age", "能力评估距评价基准日过久", ("assessment_age_max_days",), "institution"),
        FlagKind("survey_date", "满意度调查晚于评价基准日", (), "institution"),
        FlagKind("certificate_placeholder", "证书编号为占位内容", (), "institution"),
        FlagKind("certificate_repeated", "证书编号在多人之间重复", (), "institution"),
        FlagKind("staff_repeated", "工作人员姓名或工号重复", (), "institution"),
        FlagKind("template_value", "与申报模板的示例值相同", (), "any"),
        FlagKind("roster_mismatch", "县填报指标与名册矛盾", (), "region"),
    )
}


class FlagSpec(StrictModel):
    """A flag the rubric applies, with the parameters holding its thresholds."""

    code: str = Field(description="提示编号：" + "、".join(f"{k.code}（{k.title}）" for k in FLAG_KINDS.values()))
    thresholds: dict[str, str] = Field(
        default_factory=dict, description="阈值名 → 参数名（参数须在 parameters 中定义并注明出处）"
    )
