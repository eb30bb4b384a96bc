"""Merging an overlay rubric into what it extends: each overlay operation (drop, replace, add,
new sections, priorities) as one small function over a typed :class:`Merged`; every problem is
recorded at the file and key that introduced it."""

from __future__ import annotations

from dataclasses import dataclass, field

from shifan.errors import ProblemList
from shifan.read.suggest import did_you_mean
from shifan.read.yamldoc import Document
from shifan.rules.flags import FlagSpec
from shifan.rules.params import Parameter, SourceDocument
from shifan.rules.rubric import Rubric
from shifan.rules.rubric_file import (
    Criterion,
    Grade,
    Priority,
    ReviewSettings,
    RubricFile,
    Section,
)

Path_ = tuple[str | int, ...]


@dataclass
class Origin:
    """Where an element of the effective rubric was written."""

    document: Document
    path: Path_


@dataclass
class Merged:
    """A rubric chain being merged, base first, with the origin of every element for error
    messages. The header (id, title, version, description) is the last file's."""

    id: str = ""
    title: str = ""
    version: str = ""
    description: str = ""
    subject: str | None = None
    chain: list[str] = field(default_factory=list)
    sources: dict[str, SourceDocument] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    evidence_types: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    flags: list[FlagSpec] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    criteria_origin: dict[str, Origin] = field(default_factory=dict)
    param_origin: dict[str, Origin] = field(default_factory=dict)
    priority_origin: dict[str, Origin] = field(default_factory=dict)
    grades_origin: Origin | None = None
    review_origin: Origin | None = None
    flags_origin: Origin | None = None

    @property
    def criteria_ids(self) -> set[str]:
        return {c.id for s in self.sections for c in s.criteria}

    def rubric(self) -> Rubric:
        """The effective rubric; raises ``ValidationError`` when the chain did not merge."""
        return Rubric.model_validate(
            {
                "id": self.id,
                "title": self.title,
                "version": self.version,
                "description": self.description,
                "subject": self.subject,
                "chain": self.chain,
                "sources": list(self.sources.values()),
                "parameters": self.parameters,
                "evidence_types": self.evidence_types,
                "sections": self.sections,
                "grades": self.grades,
                "priorities": self.priorities,
                "review": self.review,
                "flags": self.flags,
            }
        )


def _merge(spec: RubricFile, document: Document, base: Merged | None, problems: ProblemList) -> Merged:
    """Apply one file of the chain on top of what its base resolved to."""
    merged = base if base is not None else Merged()
    merged.documents.append(document)
    _merge_subject(merged, spec, document, problems)
    _merge_definitions(merged, spec, document)
    _drop(merged, spec, document, problems)
    _replace(merged, spec, document, problems)
    _add(merged, spec, document, problems)
    _new_sections(merged, spec, document, problems)
    _merge_priorities(merged, spec, document)
    merged.id, merged.title, merged.version, merged.description = spec.id, spec.title, spec.version, spec.description
    merged.chain.append(spec.id)
    if spec.grades is not None:
        merged.grades = spec.grades
        merged.grades_origin = Origin(document, ("grades",))
    if spec.review is not None:
        merged.review = spec.review
        merged.review_origin = Origin(document, ("review",))
    if spec.flags is not None:
        merged.flags = spec.flags
        merged.flags_origin = Origin(document, ("flags",))
    return merged


def _merge_subject(merged: Merged, spec: RubricFile, document: Document, problems: ProblemList) -> None:
    subject = spec.subject or merged.subject
    if subject is None:
        problems.append(document.problem(("subject",), "缺少适用对象", expected="institution 或 region"))
    elif merged.subject is not None and spec.subject and spec.subject != merged.subject:
        problems.append(
            document.problem(
                ("subject",), "overlay 的适用对象与基础 rubric 不同", found=spec.subject, expected=merged.subject
            )
        )
    merged.subject = subject


def _merge_definitions(merged: Merged, spec: RubricFile, document: Document) -> None:
    """Sources, parameters and evidence types: added, or replaced by name."""
    merged.sources.update({s.id: s for s in spec.sources})
    for name, param in spec.parameters.items():
        merged.parameters[name] = param
        merged.param_origin[name] = Origin(document, ("parameters", name))
    merged.evidence_types.update(spec.evidence_types)


def _drop(merged: Merged, spec: RubricFile, document: Document, problems: ProblemList) -> None:
    for index, criterion_id in enumerate(spec.drop):
        known = merged.criteria_ids
        if criterion_id not in known:
            problems.append(
                document.problem(
                    ("drop", index), "要删除的指标不存在" + did_you_mean(criterion_id, known), found=criterion_id
                )
            )
        merged.sections = [
            s.model_copy(update={"criteria": [c for c in s.criteria if c.id != criterion_id]}) for s in merged.sections
        ]


def _replace(merged: Merged, spec: RubricFile, document: Document, problems: ProblemList) -> None:
    for index, new in enumerate(spec.replace):
        known = merged.criteria_ids
        if new.id not in known:
            problems.append(
                document.problem(
                    ("replace", index, "id"), "要替换的指标不存在" + did_you_mean(new.id, known), found=new.id
                )
            )
            continue
        merged.sections = [
            s.model_copy(update={"criteria": [new if c.id == new.id else c for c in s.criteria]})
            for s in merged.sections
        ]
        merged.criteria_origin[new.id] = Origin(document, ("replace", index))


def _add(merged: Merged, spec: RubricFile, document: Document, problems: ProblemList) -> None:
    section_ids = [s.id for s in merged.sections]
    for index, addition in enumerate(spec.add):
        if addition.section not in section_ids:
            problems.append(
                document.problem(
                    ("add", index, "section"),
                    "章节不存在" + did_you_mean(addition.section, section_ids),
                    found=addition.section,
                )
            )
            continue
        position = section_ids.index(addition.section)
        target = merged.sections[position]
        merged.sections[position] = target.model_copy(update={"criteria": [*target.criteria, *addition.criteria]})
        for c_index, criterion in enumerate(addition.criteria):
            _note_criterion(merged, criterion, Origin(document, ("add", index, "criteria", c_index)), problems)


def _new_sections(merged: Merged, spec: RubricFile, document: Document, problems: ProblemList) -> None:
    for s_index, section in enumerate(spec.sections):
        if section.id in {s.id for s in merged.sections}:
            problems.append(document.problem(("sections", s_index, "id"), "章节编号重复", found=section.id))
            continue
        merged.sections.append(section)
        for c_index, criterion in enumerate(section.criteria):
            _note_criterion(merged, criterion, Origin(document, ("sections", s_index, "criteria", c_index)), problems)


def _merge_priorities(merged: Merged, spec: RubricFile, document: Document) -> None:
    """Priorities of the overlay replace the base's of the same id, or are added."""
    replaced = {p.id for p in spec.priorities}
    merged.priorities = [p for p in merged.priorities if p.id not in replaced] + list(spec.priorities)
    for index, priority in enumerate(spec.priorities):
        merged.priority_origin[priority.id] = Origin(document, ("priorities", index))


def _note_criterion(merged: Merged, criterion: Criterion, origin: Origin, problems: ProblemList) -> None:
    if criterion.id in merged.criteria_origin:
        first = merged.criteria_origin[criterion.id]
        line, _ = first.document.position(first.path)
        problems.append(
            origin.document.problem(
                (*origin.path, "id"), f"指标编号重复（已在 {first.document.display}:{line} 定义）", found=criterion.id
            )
        )
        return
    merged.criteria_origin[criterion.id] = origin
