"""What differs between two effective rubrics: criteria, parameters, points, priorities, grades.

``diff_rubrics(base, other)`` compares two resolved rubrics, typically an overlay with the rubric
it extends (``anhui/institution`` against ``national/institution``) or two versions of one rubric.
Criteria and parameters are matched by id and name. A criterion whose own definition is unchanged
but whose parameters changed is reported too, because its verdict may change. The result is a
pydantic model (the JSON output); :func:`shifan.present.diff_text.render_diff` prints it in Chinese for a terminal.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

from shifan.evaluate.result import ParameterBrief as ParameterBrief  # re-exported for the renderer
from shifan.evaluate.result import RubricInfo
from shifan.formatting import format_number
from shifan.rules.checks.base import Check
from shifan.rules.params import Parameter
from shifan.rules.rubric import Rubric
from shifan.rules.rubric_file import Criterion, Priority

STATUS_WORDS = {"quoted": "原文", "default": "默认值", "interpretation": "解释性适用"}


class FieldChange(BaseModel):
    """One field that differs, both values as printed text."""

    field: str = Field(description="字段名，如 points")
    label: str = Field(description="中文名称，如 分值")
    before: str
    after: str


class RubricSide(RubricInfo):
    """Which rubric a side of the comparison is, with its full marks."""

    max_score: float


class CriterionBrief(BaseModel):
    """A criterion present on one side only."""

    id: str
    title: str
    section: str
    section_title: str
    gate: bool
    points: float
    requirement: str = Field(description="要求，参数已代入")
    source: str


class CriterionChange(BaseModel):
    """A criterion present on both sides whose definition or parameters differ."""

    id: str
    title: str
    section: str
    points_before: float
    points_after: float
    changes: list[FieldChange]
    parameters: list[str] = Field(default_factory=list, description="所用参数中发生变化的参数名")


class ParameterChange(BaseModel):
    """A parameter present on both sides that differs."""

    name: str
    title: str
    before: ParameterBrief
    after: ParameterBrief
    changes: list[FieldChange]


class PointsMove(BaseModel):
    """A criterion whose points differ (added and removed criteria included)."""

    id: str
    title: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


class SectionPoints(BaseModel):
    """A section whose points, presence or title differ, with the criteria that moved points."""

    id: str
    title: str
    before: float | None = Field(description="基础 rubric 中的分值；无此章节为 null")
    after: float | None = Field(description="对比 rubric 中的分值；无此章节为 null")
    moves: list[PointsMove] = Field(default_factory=list, description="本章节中分值变化的指标")


class PriorityChange(BaseModel):
    id: str
    title: str
    change: Literal["added", "removed", "changed"]
    changes: list[FieldChange] = Field(default_factory=list)


class RubricDiff(BaseModel):
    """Everything that differs between ``base`` and ``other``."""

    base: RubricSide
    other: RubricSide
    overlay_of_base: bool = Field(description="other 是否（直接或间接）继承 base")
    criteria_added: list[CriterionBrief] = Field(default_factory=list)
    criteria_removed: list[CriterionBrief] = Field(default_factory=list)
    criteria_changed: list[CriterionChange] = Field(default_factory=list)
    parameters_added: list[ParameterBrief] = Field(default_factory=list)
    parameters_removed: list[ParameterBrief] = Field(default_factory=list)
    parameters_changed: list[ParameterChange] = Field(default_factory=list)
    points_moved: list[PointsMove] = Field(default_factory=list)
    sections: list[SectionPoints] = Field(default_factory=list, description="分值或有无发生变化的章节")
    priorities: list[PriorityChange] = Field(default_factory=list)
    grades: list[FieldChange] = Field(default_factory=list)
    other_changes: list[FieldChange] = Field(default_factory=list, description="满分、评审合并方法、来源文件等")

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.criteria_added,
                self.criteria_removed,
                self.criteria_changed,
                self.parameters_added,
                self.parameters_removed,
                self.parameters_changed,
                self.sections,
                self.priorities,
                self.grades,
                self.other_changes,
            )
        )


def diff_rubrics(base: Rubric, other: Rubric) -> RubricDiff:
    """Compare two effective rubrics; ``base`` is the reference ("before")."""
    changed_params = _changed_parameters(base, other)
    diff = RubricDiff(
        base=_ref(base),
        other=_ref(other),
        overlay_of_base=base.id in other.chain[:-1],
        parameters_added=[_param_brief(other, n) for n in other.parameters if n not in base.parameters],
        parameters_removed=[_param_brief(base, n) for n in base.parameters if n not in other.parameters],
        parameters_changed=[
            c for n in base.parameters if n in other.parameters if (c := _param_change(base, other, n))
        ],
    )
    before = {c.id: (s.id, c) for s, c in base.criteria()}
    after = {c.id: (s.id, c) for s, c in other.criteria()}
    diff.criteria_removed = [_brief(base, *before[i]) for i in before if i not in after]
    diff.criteria_added = [_brief(other, *after[i]) for i in after if i not in before]
    for criterion_id, (section_id, new) in after.items():
        if criterion_id not in before:
            continue
        old_section, old = before[criterion_id]
        change = _criterion_change(base, other, old_section, old, section_id, new, changed_params)
        if change is not None:
            diff.criteria_changed.append(change)
    diff.points_moved = _points_moved(before, after)
    diff.sections = _sections(base, other, before, after, diff.points_moved)
    diff.priorities = _priorities(base, other)
    diff.grades = _grades(base, other)
    diff.other_changes = _other(base, other)
    return diff


def _ref(rubric: Rubric) -> RubricSide:
    return RubricSide(
        id=rubric.id,
        title=rubric.title,
        version=rubric.version,
        sha256=rubric.sha256,
        chain=rubric.chain,
        max_score=rubric.max_score,
    )


def _param_brief(rubric: Rubric, name: str) -> ParameterBrief:
    param = rubric.parameters[name]
    return ParameterBrief(
        name=name, title=param.title, text=param.formatted(), status=param.status, source=_source(rubric, param)
    )


def _source(rubric: Rubric, param: Parameter) -> str:
    return rubric.source(param.source)


def _param_change(base: Rubric, other: Rubric, name: str) -> ParameterChange | None:
    old, new = base.parameters[name], other.parameters[name]
    changes = []
    if old.formatted() != new.formatted():
        changes.append(FieldChange(field="value", label="取值", before=old.formatted(), after=new.formatted()))
    if old.status != new.status:
        changes.append(
            FieldChange(field="status", label="状态", before=STATUS_WORDS[old.status], after=STATUS_WORDS[new.status])
        )
    if _source(base, old) != _source(other, new) or old.source.quote != new.source.quote:
        changes.append(FieldChange(field="source", label="出处", before=_source(base, old), after=_source(other, new)))
    if old.title != new.title:
        changes.append(FieldChange(field="title", label="名称", before=old.title, after=new.title))
    if not changes:
        return None
    return ParameterChange(
        name=name,
        title=new.title,
        before=_param_brief(base, name),
        after=_param_brief(other, name),
        changes=changes,
    )


def _changed_parameters(base: Rubric, other: Rubric) -> set[str]:
    names = set(base.parameters) ^ set(other.parameters)
    for name in set(base.parameters) & set(other.parameters):
        old, new = base.parameters[name], other.parameters[name]
        if old.formatted() != new.formatted() or old.status != new.status:
            names.add(name)
    return names


def _section_title(rubric: Rubric, section_id: str) -> str:
    return next((s.title for s in rubric.sections if s.id == section_id), section_id)


def _brief(rubric: Rubric, section_id: str, criterion: Criterion) -> CriterionBrief:
    return CriterionBrief(
        id=criterion.id,
        title=criterion.title,
        section=section_id,
        section_title=_section_title(rubric, section_id),
        gate=criterion.gate,
        points=criterion.points,
        requirement=rubric.requirement(criterion),
        source=rubric.source(criterion.source),
    )


def check_text(check: Check | None) -> str:
    """A check as compact one-line JSON, ``kind`` first (aliases used: ``in`` not ``in_``)."""
    if check is None:
        return "（无）"
    data = check.model_dump(mode="json", by_alias=True, exclude_none=True)
    ordered = {"kind": data.pop("kind"), **data}
    return json.dumps(ordered, ensure_ascii=False)


def _criterion_change(
    base: Rubric,
    other: Rubric,
    old_section: str,
    old: Criterion,
    new_section: str,
    new: Criterion,
    changed_params: set[str],
) -> CriterionChange | None:
    changes: list[FieldChange] = []

    def note(field: str, label: str, before: str, after: str) -> None:
        if before != after:
            changes.append(FieldChange(field=field, label=label, before=before, after=after))

    note("title", "名称", old.title, new.title)
    note(
        "section",
        "章节",
        f"{old_section} {_section_title(base, old_section)}",
        f"{new_section} {_section_title(other, new_section)}",
    )
    note("gate", "否决项", "是" if old.gate else "否", "是" if new.gate else "否")
    note(
        "must_meet",
        "硬性标准（不符合时在结论中列出）",
        "是" if old.must_meet else "否",
        "是" if new.must_meet else "否",
    )
    note("points", "分值", format_number(old.points), format_number(new.points))
    if old.requirement != new.requirement:
        note("requirement", "要求", base.requirement(old), other.requirement(new))
    note("check", "判定方法", check_text(old.check), check_text(new.check))
    note("applies_if", "适用条件", check_text(old.applies_if), check_text(new.applies_if))
    note("evidence", "佐证材料", _evidence(base, old), _evidence(other, new))
    note("source", "出处", _criterion_source(base, old), _criterion_source(other, new))
    note("guidance", "评分说明", old.guidance, new.guidance)
    used = other.parameters_of(new)
    affected = [n for n in dict.fromkeys([*base.parameters_of(old), *used]) if n in changed_params]
    if affected:
        note(
            "parameters",
            "参数",
            "；".join(_param_text(base, n) for n in affected),
            "；".join(_param_text(other, n) for n in affected),
        )
    if not changes:
        return None
    return CriterionChange(
        id=new.id,
        title=new.title,
        section=new_section,
        points_before=old.points,
        points_after=new.points,
        changes=changes,
        parameters=affected,
    )


def _param_text(rubric: Rubric, name: str) -> str:
    param = rubric.parameters.get(name)
    if param is None:
        return f"{name}（无）"
    return f"{name} = {param.formatted()}（{STATUS_WORDS[param.status]}）"


def _evidence(rubric: Rubric, criterion: Criterion) -> str:
    common = "、".join(rubric.evidence_types.get(e, e) for e in criterion.evidence)
    ways = "；".join(
        f"{way.title}：{'、'.join(rubric.evidence_types.get(e, e) for e in way.evidence)}"
        for way in criterion.evidence_by_way
    )
    if ways:
        return (f"{common}；" if common else "") + f"按满足方式（{ways}）"
    return common or "（无）"


def _criterion_source(rubric: Rubric, criterion: Criterion) -> str:
    text = rubric.source(criterion.source)
    return f"{text}：“{criterion.source.quote}”" if criterion.source.quote else text


def _points_moved(
    before: dict[str, tuple[str, Criterion]], after: dict[str, tuple[str, Criterion]]
) -> list[PointsMove]:
    moves = []
    for criterion_id in dict.fromkeys([*before, *after]):
        old = before.get(criterion_id)
        new = after.get(criterion_id)
        old_points = old[1].points if old else 0.0
        new_points = new[1].points if new else 0.0
        if abs(old_points - new_points) > 1e-9:
            title = (new or old)[1].title  # type: ignore[index]
            moves.append(PointsMove(id=criterion_id, title=title, before=old_points, after=new_points))
    return moves


def _sections(
    base: Rubric,
    other: Rubric,
    old_criteria: dict[str, tuple[str, Criterion]],
    new_criteria: dict[str, tuple[str, Criterion]],
    moves: list[PointsMove],
) -> list[SectionPoints]:
    old = {s.id: s for s in base.sections}
    new = {s.id: s for s in other.sections}
    found = []
    for section_id in dict.fromkeys([*old, *new]):
        before = sum(c.points for c in old[section_id].criteria) if section_id in old else None
        after = sum(c.points for c in new[section_id].criteria) if section_id in new else None
        title = (new.get(section_id) or old[section_id]).title
        titles_differ = section_id in old and section_id in new and old[section_id].title != title
        own = [m for m in moves if (new_criteria.get(m.id) or old_criteria[m.id])[0] == section_id]
        if before != after or titles_differ or own:
            found.append(SectionPoints(id=section_id, title=title, before=before, after=after, moves=own))
    return found


def _priorities(base: Rubric, other: Rubric) -> list[PriorityChange]:
    old = {p.id: p for p in base.priorities}
    new = {p.id: p for p in other.priorities}
    found = [PriorityChange(id=p.id, title=p.title, change="removed") for i, p in old.items() if i not in new]
    for priority_id, priority in new.items():
        if priority_id not in old:
            found.append(PriorityChange(id=priority_id, title=priority.title, change="added"))
            continue
        changes = _priority_fields(base, old[priority_id], other, priority)
        if changes:
            found.append(PriorityChange(id=priority_id, title=priority.title, change="changed", changes=changes))
    return found


def _priority_fields(base: Rubric, old: Priority, other: Rubric, new: Priority) -> list[FieldChange]:
    pairs = (
        ("title", "名称", old.title, new.title),
        ("check", "判定方法", check_text(old.check), check_text(new.check)),
        ("source", "出处", base.source(old.source), other.source(new.source)),
    )
    return [FieldChange(field=f, label=label, before=a, after=b) for f, label, a, b in pairs if a != b]


def _grades(base: Rubric, other: Rubric) -> list[FieldChange]:
    def text(rubric: Rubric) -> str:
        bands = sorted(rubric.grades, key=lambda g: rubric.parameters[g.at_least].value, reverse=True)
        return "；".join(f"{g.label} ≥{rubric.parameters[g.at_least].formatted()}" for g in bands) or "（无）"

    before, after = text(base), text(other)
    return [FieldChange(field="grades", label="等级划分", before=before, after=after)] if before != after else []


def _other(base: Rubric, other: Rubric) -> list[FieldChange]:
    found = []
    if abs(base.max_score - other.max_score) > 1e-9:
        found.append(
            FieldChange(
                field="max_score",
                label="满分",
                before=format_number(base.max_score),
                after=format_number(other.max_score),
            )
        )
    if base.subject != other.subject:
        found.append(FieldChange(field="subject", label="适用对象", before=base.subject, after=other.subject))
    review_before = base.review.model_dump_json()
    review_after = other.review.model_dump_json()
    if review_before != review_after:
        found.append(
            FieldChange(field="review", label="评审合并方法", before=base.review.method, after=other.review.method)
        )
    old_sources = {s.id: s.name for s in base.sources}
    new_sources = {s.id: s.name for s in other.sources}
    added = [f"《{name}》" for i, name in new_sources.items() if i not in old_sources]
    removed = [f"《{name}》" for i, name in old_sources.items() if i not in new_sources]
    if added or removed:
        found.append(
            FieldChange(
                field="sources",
                label="来源文件",
                before="、".join(removed) or "（无删除）",
                after="、".join(added) or "（无新增）",
            )
        )
    return found


# ---------------------------------------------------------------------------------------------
# Text rendering
