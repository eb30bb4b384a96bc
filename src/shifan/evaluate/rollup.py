"""County roll-up: region indicators derived from the institutions on a county's roster.

A county (``kind: region``) may list its institutions' own application files under ``roster``.
The institutions' data then yields these indicators (each computed on the evaluation date
``as_of``); an indicator the county states itself under ``indicators`` always wins, the derived
value is used only where the county left it empty, and both are shown side by side.

=========================  ==============================================================
indicator                  derived from the roster
=========================  ==============================================================
care_institutions          institutions with an elderly-care filing (``qualifications.
                           elderly_care_filing``) dated on or before ``as_of``
care_providing_medical     of those, the ones providing medical services in some form: a
                           medical licence not expired on ``as_of`` (own or internal
                           clinic), ``internal_medical_institution``, ``adjacent_medical_
                           institution`` (医养毗邻), or a medical-cooperation agreement valid
                           on ``as_of``
care_signed_medical        of those, the ones with a medical-cooperation agreement valid on
                           ``as_of`` (signed on or before, not expired)
care_beds                  sum of ``beds.approved`` of the elderly-care institutions
nursing_type_beds          sum of ``beds.nursing_type`` of the elderly-care institutions
=========================  ==============================================================

Hospital counts, population and health-management figures cannot be derived from institution
files and stay as the county states them.

For each derived share, the institutions that pull it down are listed: elderly-care
institutions without any form of medical service, without a valid agreement, or whose own
nursing-type bed share is below the roster's overall share.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from shifan.errors import InputError, Problem
from shifan.load.application import LoadedApplication, load_application
from shifan.rules.application import InstitutionApplication, RegionApplication

WHAT = "申报文件"

#: Indicator field → Chinese title, for the indicators the roster can give.
DERIVABLE = {
    "care_institutions": "养老机构总数",
    "care_providing_medical": "能提供医疗卫生服务的养老机构数",
    "care_signed_medical": "与医疗机构签约的养老机构数",
    "care_beds": "养老机构床位总数",
    "nursing_type_beds": "护理型床位数",
}

#: Region metric → (numerator, denominator, title) for the shares the roster explains.
SHARES = {
    "care_medical_share": ("care_providing_medical", "care_institutions", "能提供医疗卫生服务的养老机构占比"),
    "care_signed_share": ("care_signed_medical", "care_institutions", "养老机构与医疗机构签约率"),
    "region_nursing_bed_share": ("nursing_type_beds", "care_beds", "护理型床位占养老床位比例"),
}


class RosterMember(BaseModel):
    """What one roster institution contributes."""

    file: str = Field(description="机构申报文件（相对县申报文件）")
    name: str = Field(description="机构名称")
    id: str = Field(description="统一社会信用代码")
    care_institution: bool = Field(description="已进行养老机构备案（计入养老机构数）")
    medical_forms: list[str] = Field(description="提供医疗卫生服务的形式")
    signed: bool = Field(description="有有效的医疗合作协议")
    beds: int = Field(description="核定床位数")
    nursing_beds: int = Field(description="护理型床位数")


class RollupIndicator(BaseModel):
    """One indicator: what the county stated, what the roster gives, which one is used."""

    name: str = Field(description="统计指标名（申报文件 `indicators` 下的键）")
    title: str = Field(description="统计指标的中文名称")
    stated: int | None = Field(description="县里填报的值；未填报时为 null")
    derived: int = Field(description="由名册汇总的值")
    used: Literal["stated", "derived"] = Field(
        description="评价采用的值：stated 县里填报的（优先），derived 名册汇总的"
    )


class Laggard(BaseModel):
    """An institution that pulls a share down."""

    name: str = Field(description="机构名称")
    file: str = Field(description="机构申报文件（相对县申报文件）")
    reason: str = Field(description="拉低该比例的原因")


class RollupShare(BaseModel):
    """A share computed from the roster, with the institutions pulling it down."""

    metric: str = Field(description="计算指标名称")
    title: str = Field(description="计算指标的中文名称")
    derived: float | None = Field(description="由名册汇总的比例（%）；分母为 0 时为空")
    stated: float | None = Field(description="按县填报数字计算的比例（%）")
    laggards: list[Laggard] = Field(description="拉低该比例的机构")


class Rollup(BaseModel):
    """The roster of a county and the indicators derived from it."""

    as_of: dt.date = Field(description="汇总所用的评价基准日")
    members: list[RosterMember] = Field(description="名册中的每家机构")
    indicators: list[RollupIndicator] = Field(description="可由名册得出的统计指标")
    shares: list[RollupShare] = Field(description="由名册计算的比例指标")
    notes: list[str] = Field(default_factory=list, description="说明，如名册中无法读取的文件")
    files: list[str] = Field(default_factory=list, exclude=True, description="读取过的文件（绝对路径）")

    def extra(self) -> dict[str, Any]:
        """What :func:`shifan.evaluate.evaluate` passes to metric functions (``extra``)."""
        return {"roster_indicators": {i.name: i.derived for i in self.indicators}}


def roll_up(loaded: LoadedApplication, as_of: dt.date | None = None) -> Rollup | None:
    """The roll-up of a county's roster, or None for institutions and counties without one.

    Every roster entry that cannot be read makes the county file invalid: all are reported at
    once, at the entry (``roster.N.file``) and inside the institution file.
    """
    app = loaded.app
    if not isinstance(app, RegionApplication) or not app.roster:
        return None
    day = as_of or app.assessment_date
    members, files = _load_members(loaded, app)
    rows = [_member(entry_file, member, day) for entry_file, member in members]
    indicators = _indicators(app, rows)
    shares = _shares(app, rows, indicators)
    notes = []
    stated_total = app.indicators.care_institutions
    counted = indicators[0].derived
    if stated_total is not None and stated_total != counted:
        notes.append(
            f"县填报养老机构 {stated_total} 家，名册中计入养老机构 {counted} 家：名册可能不完整，"
            "与县填报数不一致的汇总值仅供核对"
        )
    outside = [r.name for r in rows if not r.care_institution]
    if outside:
        notes.append(f"未进行养老机构备案、不计入养老机构的：{'、'.join(outside)}")
    return Rollup(as_of=day, members=rows, indicators=indicators, shares=shares, notes=notes, files=files)


def _load_members(
    loaded: LoadedApplication, app: RegionApplication
) -> tuple[list[tuple[str, LoadedApplication]], list[str]]:
    problems: list[Problem] = []
    members: list[tuple[str, LoadedApplication]] = []
    files: list[str] = []
    seen: dict[Path, int] = {}
    folder = Path(os.path.abspath(loaded.path)).parent
    for index, entry in enumerate(app.roster):
        key = ("roster", index, "file")
        raw = entry.file
        if os.path.isabs(raw) or raw.startswith(("\\", "~")) or (len(raw) > 1 and raw[1] == ":"):
            problems.append(
                loaded.document.problem(key, "名册文件路径须相对于县申报文件", found=raw, expected="相对路径")
            )
            continue
        path = Path(os.path.normpath(folder / raw))
        if path in seen:
            problems.append(loaded.document.problem(key, f"名册中重复列出（与第 {seen[path] + 1} 项相同）", found=raw))
            continue
        seen[path] = index
        if path == Path(os.path.abspath(loaded.path)):
            problems.append(loaded.document.problem(key, "名册不能指向县申报文件本身", found=raw))
            continue
        try:
            member = load_application(path)
        except InputError as error:
            problems.append(
                loaded.document.problem(key, f"名册中的机构申报文件有 {len(error.problems)} 处错误", found=raw)
            )
            problems.extend(error.problems)
            continue
        if not isinstance(member.app, InstitutionApplication):
            problems.append(
                loaded.document.problem(
                    key, "名册应指向示范机构申报文件", found=member.app.kind, expected="institution"
                )
            )
            continue
        members.append((raw, member))
        files.append(str(path))
        files.extend(str(Path(os.path.normpath(path.parent / a.path))) for a in member.app.attachments)
    if problems:
        raise InputError(problems, what=WHAT)
    return members, files


def _valid_on(signed: dt.date, expires: dt.date | None, day: dt.date) -> bool:
    return signed <= day and (expires is None or expires >= day)


def _member(file: str, loaded: LoadedApplication, day: dt.date) -> RosterMember:
    app = loaded.app
    assert isinstance(app, InstitutionApplication)
    q = app.qualifications
    filing = q.elderly_care_filing
    care = filing is not None and filing.date <= day
    forms = []
    licence = q.medical_licence
    if licence is not None and licence.issued <= day and (licence.expires is None or licence.expires >= day):
        forms.append(f"持医疗机构执业许可（{licence.level.label}）")
    if q.internal_medical_institution and not forms:
        forms.append("设内设医疗机构")
    if q.adjacent_medical_institution:
        forms.append("与医疗机构毗邻")
    agreements = [a for a in app.agreements if _valid_on(a.signed, a.expires, day)]
    if agreements:
        forms.append(f"与{agreements[0].partner}签约合作")
    return RosterMember(
        file=file,
        name=app.name,
        id=app.uscc,
        care_institution=care,
        medical_forms=forms,
        signed=bool(agreements),
        beds=app.beds.approved,
        nursing_beds=app.beds.nursing_type,
    )


def _indicators(app: RegionApplication, rows: list[RosterMember]) -> list[RollupIndicator]:
    care = [r for r in rows if r.care_institution]
    derived = {
        "care_institutions": len(care),
        "care_providing_medical": sum(1 for r in care if r.medical_forms),
        "care_signed_medical": sum(1 for r in care if r.signed),
        "care_beds": sum(r.beds for r in care),
        "nursing_type_beds": sum(r.nursing_beds for r in care),
    }
    result = []
    for name, title in DERIVABLE.items():
        stated = getattr(app.indicators, name)
        result.append(
            RollupIndicator(
                name=name,
                title=title,
                stated=stated,
                derived=derived[name],
                used="stated" if stated is not None else "derived",
            )
        )
    return result


def _share(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return round(100.0 * top / bottom, 2)


def _shares(app: RegionApplication, rows: list[RosterMember], indicators: list[RollupIndicator]) -> list[RollupShare]:
    derived = {i.name: i.derived for i in indicators}
    care = [r for r in rows if r.care_institution]
    result = []
    for metric, (top, bottom, title) in SHARES.items():
        overall = _share(derived[top], derived[bottom])
        stated = _share(getattr(app.indicators, top), getattr(app.indicators, bottom))
        laggards: list[Laggard] = []
        if metric == "care_medical_share":
            laggards = [
                Laggard(name=r.name, file=r.file, reason="无医疗机构资质、内设医疗机构、毗邻医疗机构或有效合作协议")
                for r in care
                if not r.medical_forms
            ]
        elif metric == "care_signed_share":
            laggards = [Laggard(name=r.name, file=r.file, reason="无有效的医疗合作协议") for r in care if not r.signed]
        elif overall is not None:
            low = [r for r in care if r.beds and 100.0 * r.nursing_beds / r.beds < overall]
            low.sort(key=lambda r: (r.nursing_beds / r.beds, r.file))
            laggards = [
                Laggard(
                    name=r.name,
                    file=r.file,
                    reason=f"护理型床位 {r.nursing_beds}/{r.beds} 张（{100.0 * r.nursing_beds / r.beds:.1f}%），"
                    f"低于名册整体 {overall:g}%",
                )
                for r in low
            ]
        result.append(RollupShare(metric=metric, title=title, derived=overall, stated=stated, laggards=laggards))
    return result


def render_rollup(rollup: Rollup) -> str:
    """Plain-text section for ``shifan check`` on a county."""
    lines = ["", f"辖区机构名册：{len(rollup.members)} 家（按 {rollup.as_of} 计算）"]
    for indicator in rollup.indicators:
        stated = "未填" if indicator.stated is None else str(indicator.stated)
        use = "采用名册汇总值" if indicator.used == "derived" else "采用县填报值"
        if indicator.stated is not None and indicator.stated != indicator.derived:
            use += "，二者不一致"
        lines.append(f"  {indicator.title}：县填报 {stated}，名册汇总 {indicator.derived}（{use}）")
    for share in rollup.shares:
        value = "无法计算" if share.derived is None else f"{share.derived:g}%"
        lines.append(f"  {share.title}（名册）：{value}")
        for laggard in share.laggards[:10]:
            lines.append(f"      拉低：{laggard.name}（{laggard.file}）——{laggard.reason}")
        if len(share.laggards) > 10:
            lines.append(f"      ……共 {len(share.laggards)} 家")
    for note in rollup.notes:
        lines.append(f"  注意：{note}")
    return "\n".join(lines) + "\n"
