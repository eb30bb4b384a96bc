"""County roll-up: region indicators derived from the institutions on a county's roster.

A county (``kind: region``) may list its institutions' own application files under ``roster``.
The institutions' data then yields these indicators (each computed on the evaluation date
``as_of``). An indicator the county states itself under ``indicators`` wins, and the derived
value is used where the county left it empty, unless the roster is **complete**: every
elderly-care institution of the county is on it, i.e. the roster's count of elderly-care
institutions equals the stated ``indicators.care_institutions``. Then a stated indicator that
differs from the roster's figure is contradicted by the county's own data: the roster's figure is
used and the difference is noted ("申报数 X 与名册汇总 Y 不一致，按名册计"). Both values are
always shown side by side.

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
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from shifan.errors import InputError, ProblemList
from shifan.files import looks_absolute
from shifan.load.application import LoadedApplication, load_application
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.checks.base import percent
from shifan.rules.region import REGION_RATIOS, RosterIndicators
from shifan.rules.validity import valid_on

WHAT = "申报文件"

#: The region ratios whose numerator and denominator the roster gives.
SHARES = tuple(
    r
    for r in REGION_RATIOS
    if r.numerator in RosterIndicators.model_fields and r.denominator in RosterIndicators.model_fields
)


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
        description="评价采用的值：stated 县里填报的（优先）；derived 名册汇总的（县未填报，或名册完整而填报数与名册汇总不一致）"
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
    complete: bool = Field(False, description="名册完整：名册中的养老机构数等于县填报的养老机构总数")
    notes: list[str] = Field(default_factory=list, description="说明，如名册中无法读取的文件")
    files: list[str] = Field(default_factory=list, exclude=True, description="读取过的文件（绝对路径）")

    def roster(self) -> RosterIndicators:
        """The derived indicators, as :func:`shifan.evaluate.evaluate` hands them to the metrics."""
        return RosterIndicators.model_validate(
            {**{i.name: i.derived for i in self.indicators}, "complete": self.complete}
        )


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
    stated_total = app.indicators.care_institutions
    counted = sum(1 for r in rows if r.care_institution)
    complete = stated_total is not None and stated_total == counted
    indicators = _indicators(app, rows, complete)
    shares = _shares(app, rows, indicators)
    notes = []
    if stated_total is not None and stated_total != counted:
        notes.append(
            f"县填报养老机构 {stated_total} 家，名册中计入养老机构 {counted} 家：名册可能不完整，"
            "与县填报数不一致的汇总值仅供核对"
        )
    overridden = [i for i in indicators if i.used == "derived" and i.stated is not None]
    if overridden:
        notes.append(
            f"名册完整（县填报的 {counted} 家养老机构均在名册中），申报数与名册汇总不一致的按名册计："
            + "；".join(f"{i.title}申报数 {i.stated} 与名册汇总 {i.derived} 不一致" for i in overridden)
        )
    outside = [r.name for r in rows if not r.care_institution]
    if outside:
        notes.append(f"未进行养老机构备案、不计入养老机构的：{'、'.join(outside)}")
    return Rollup(
        as_of=day, members=rows, indicators=indicators, shares=shares, complete=complete, notes=notes, files=files
    )


def _load_members(
    loaded: LoadedApplication, app: RegionApplication
) -> tuple[list[tuple[str, LoadedApplication]], list[str]]:
    problems = ProblemList(WHAT)
    members: list[tuple[str, LoadedApplication]] = []
    files: list[str] = []
    seen: dict[Path, int] = {}
    folder = Path(os.path.abspath(loaded.path)).parent
    for index, entry in enumerate(app.roster):
        key = ("roster", index, "file")
        raw = entry.file
        if looks_absolute(raw):
            problems.append(
                loaded.document.problem(key, "名册文件路径须相对于县申报文件", found=raw, expected="相对路径")
            )
            continue
        if not raw.lower().endswith((".yaml", ".yml")):
            problems.append(
                loaded.document.problem(key, "名册应指向机构申报文件（.yaml）", found=raw, expected="机构申报文件路径")
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
    problems.raise_if_any()
    return members, files


def _member(file: str, loaded: LoadedApplication, day: dt.date) -> RosterMember:
    app = loaded.app
    assert isinstance(app, InstitutionApplication)
    q = app.qualifications
    filing = q.elderly_care_filing
    care = filing is not None and filing.date <= day
    forms = []
    licence = q.medical_licence
    if licence is not None and valid_on(day, licence.issued, licence.expires):
        forms.append(f"持医疗机构执业许可（{licence.level.label}）")
    if q.internal_medical_institution and not forms:
        forms.append("设内设医疗机构")
    if q.adjacent_medical_institution:
        forms.append("与医疗机构毗邻")
    agreements = [a for a in app.agreements if valid_on(day, a.signed, a.expires)]
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


def _indicators(app: RegionApplication, rows: list[RosterMember], complete: bool) -> list[RollupIndicator]:
    care = [r for r in rows if r.care_institution]
    derived = RosterIndicators(
        care_institutions=len(care),
        care_providing_medical=sum(1 for r in care if r.medical_forms),
        care_signed_medical=sum(1 for r in care if r.signed),
        care_beds=sum(r.beds for r in care),
        nursing_type_beds=sum(r.nursing_beds for r in care),
    )
    result = []
    for name, title in RosterIndicators.titles().items():
        stated = getattr(app.indicators, name)
        value = getattr(derived, name)
        # A complete roster outweighs a stated figure that contradicts it.
        use_stated = stated is not None and not (complete and stated != value)
        result.append(
            RollupIndicator(
                name=name,
                title=title,
                stated=stated,
                derived=value,
                used="stated" if use_stated else "derived",
            )
        )
    return result


def _share(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return round(percent(top, bottom), 2)


def _without_medical(care: list[RosterMember], overall: float | None) -> list[Laggard]:
    reason = "无医疗机构资质、内设医疗机构、毗邻医疗机构或有效合作协议"
    return [Laggard(name=r.name, file=r.file, reason=reason) for r in care if not r.medical_forms]


def _unsigned(care: list[RosterMember], overall: float | None) -> list[Laggard]:
    return [Laggard(name=r.name, file=r.file, reason="无有效的医疗合作协议") for r in care if not r.signed]


def _few_nursing_beds(care: list[RosterMember], overall: float | None) -> list[Laggard]:
    if overall is None:
        return []
    low = [r for r in care if r.beds and percent(r.nursing_beds, r.beds) < overall]
    low.sort(key=lambda r: (r.nursing_beds / r.beds, r.file))
    return [
        Laggard(
            name=r.name,
            file=r.file,
            reason=f"护理型床位 {r.nursing_beds}/{r.beds} 张（{percent(r.nursing_beds, r.beds):.1f}%），"
            f"低于名册整体 {overall:g}%",
        )
        for r in low
    ]


#: Region metric → the roster institutions that pull its share down.
_LAGGARDS: dict[str, Callable[[list[RosterMember], float | None], list[Laggard]]] = {
    "care_medical_share": _without_medical,
    "care_signed_share": _unsigned,
    "region_nursing_bed_share": _few_nursing_beds,
}


def _shares(app: RegionApplication, rows: list[RosterMember], indicators: list[RollupIndicator]) -> list[RollupShare]:
    derived = {i.name: i.derived for i in indicators}
    care = [r for r in rows if r.care_institution]
    result = []
    for ratio in SHARES:
        top, bottom = ratio.numerator, ratio.denominator
        overall = _share(derived[top], derived[bottom])
        stated = _share(getattr(app.indicators, top), getattr(app.indicators, bottom))
        laggards = _LAGGARDS[ratio.metric](care, overall)
        result.append(
            RollupShare(metric=ratio.metric, title=ratio.title, derived=overall, stated=stated, laggards=laggards)
        )
    return result
