"""Finding, reading, resolving and validating rubrics.

``load_rubric("anhui/institution")`` reads the overlay, then what it extends, merges them into
one :class:`Rubric` and checks the result as a whole: every parameter a criterion names exists,
ids are unique, overlay operations name criteria that exist. All problems of all files in the
chain are reported together, each at its file, line and key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from shifan.errors import InputError, Problem, ProblemList, RubricNotFoundError
from shifan.files import criteria_dir
from shifan.read.suggest import did_you_mean
from shifan.read.typed import Loaded, TypedReader
from shifan.read.yamldoc import Document, non_finite
from shifan.rules.checks.base import Check, param_refs, walk
from shifan.rules.checks.logic import AnyCheck, SelfScoreCheck
from shifan.rules.checks.measure import BandsCheck
from shifan.rules.flags import FLAG_KINDS, FlagSpec
from shifan.rules.params import Parameter, SourceDocument
from shifan.rules.rubric import PLACEHOLDER, Rubric
from shifan.rules.rubric_file import (
    RUBRIC_ID_PATTERN,
    Criterion,
    Grade,
    Priority,
    ReviewSettings,
    RubricFile,
    Section,
)

WHAT = "评分标准文件"
Path_ = tuple[str | int, ...]


def shipped_rubric_ids() -> list[str]:
    root = criteria_dir()
    return sorted(str(p.relative_to(root).with_suffix("")) for p in root.rglob("*.yaml"))


def find_rubric(ref: str, *, roots: list[Path] | None = None) -> Path:
    """The file of a rubric given by path or by id (searched in ``roots``, then the shipped ones)."""
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if candidate.is_file():
            return candidate
        raise RubricNotFoundError(f"评分标准文件不存在：{ref}")
    for root in [*(roots or []), criteria_dir()]:
        path = root / f"{ref}.yaml"
        if path.is_file():
            return path
    known = shipped_rubric_ids()
    raise RubricNotFoundError(f"找不到评分标准 “{ref}”{did_you_mean(ref, known)}\n可用的评分标准：{'、'.join(known)}")


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


def load_rubric(ref: str | Path, *, roots: list[Path] | None = None) -> Rubric:
    """Load and resolve a rubric; raise :class:`InputError` listing every problem of the chain."""
    path = find_rubric(str(ref), roots=roots)
    problems = ProblemList(WHAT)
    merged = _resolve(path, [], problems)
    if merged is None:
        problems.raise_if_any()
        raise InputError([Problem(str(path), None, None, "", "无法解析")], what=WHAT)
    try:
        rubric = merged.rubric()
    except ValidationError:
        # Only a chain that already has located problems can merge into an invalid rubric.
        problems.raise_if_any()
        raise InputError([Problem(str(path), None, None, "", "无法合并")], what=WHAT) from None
    problems.extend(_validate(rubric, merged))
    if not math.isfinite(rubric.max_score) or rubric.max_score > MAX_TOTAL:
        found = f"{rubric.max_score:g}"
        problems.append(Problem(str(path), None, None, "", "各指标分值合计过大", found, f"不超过 {MAX_TOTAL:g}"))
    problems.raise_if_any()
    return rubric


#: Largest total of a rubric's points: every score, total and ratio stays an ordinary number.
MAX_TOTAL = 1e9


_READER = TypedReader(Loaded[RubricFile], RubricFile, what=WHAT, not_a_mapping="顶层应为键值映射")


def _root_of(path: Path, rubric_id: str) -> Path:
    root = path.resolve().parent
    for _ in range(rubric_id.count("/")):
        root = root.parent
    return root


def _resolve(path: Path, chain: list[Path], problems: ProblemList) -> Merged | None:
    try:
        loaded = _READER.load(path)
    except InputError as error:
        problems.extend(error.problems)
        return None
    spec, document = loaded.model, loaded.document
    for where, value in non_finite(document.data):
        problems.append(document.problem(where, "应为有限数字", found=str(value), expected="有限数字"))

    base: Merged | None = None
    if spec.extends and not RUBRIC_ID_PATTERN.match(spec.extends):
        # An id, never a path: a rubric may only build on rubrics of the same criteria folder.
        message = "extends 应为评分标准编号，不能写文件路径"
        problems.append(document.problem(("extends",), message, found=spec.extends, expected="如 national/institution"))
        return None
    if spec.extends:
        roots = [_root_of(path, spec.id)]
        try:
            base_path = find_rubric(spec.extends, roots=roots)
        except RubricNotFoundError as error:
            problems.append(document.problem(("extends",), str(error).splitlines()[0], found=spec.extends))
            return None
        if base_path.resolve() in [p.resolve() for p in [*chain, path]]:
            cycle = " → ".join(p.stem for p in [*chain, path, base_path])
            problems.append(document.problem(("extends",), f"rubric 继承形成循环：{cycle}", found=spec.extends))
            return None
        base = _resolve(base_path, [*chain, path], problems)
        if base is None:
            return None
    elif spec.drop or spec.replace or spec.add:
        key = "drop" if spec.drop else "replace" if spec.replace else "add"
        problems.append(document.problem((key,), "只有继承其他 rubric（extends）的 overlay 才能删除、替换或加入指标"))
    return _merge(spec, document, base, problems)


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


def _flag_problems(merged: Merged, rubric: Rubric, names: set[str]) -> list[Problem]:
    """Unknown flag codes, flags for another kind of applicant, missing or unknown thresholds."""
    problems: list[Problem] = []
    origin = merged.flags_origin
    if origin is None:
        return problems
    seen: set[str] = set()
    for index, spec in enumerate(rubric.flags):
        where = (*origin.path, index)
        kind = FLAG_KINDS.get(spec.code)
        if kind is None:
            problems.append(
                origin.document.problem((*where, "code"), "未知的提示编号" + did_you_mean(spec.code, set(FLAG_KINDS)))
            )
            continue
        if spec.code in seen:
            problems.append(origin.document.problem((*where, "code"), "提示编号重复", found=spec.code))
        seen.add(spec.code)
        if kind.subject not in ("any", rubric.subject):
            problems.append(
                origin.document.problem((*where, "code"), f"该提示不适用于 {rubric.subject} 类申报", found=spec.code)
            )
        for role in kind.thresholds:
            name = spec.thresholds.get(role)
            if name is None:
                problems.append(origin.document.problem((*where, "thresholds"), f"缺少阈值 {role}", expected="参数名"))
            elif name not in names:
                problems.append(
                    origin.document.problem(
                        (*where, "thresholds", role), "未定义的参数" + did_you_mean(name, names), found=name
                    )
                )
        for role in set(spec.thresholds) - set(kind.thresholds):
            problems.append(origin.document.problem((*where, "thresholds", role), "该提示没有此阈值", found=role))
    return problems


def _validate(rubric: Rubric, merged: Merged) -> list[Problem]:
    problems: list[Problem] = []
    names = set(rubric.parameters)
    source_ids = {s.id for s in rubric.sources}
    last = merged.documents[-1]

    def at(origin: Origin | None, tail: Path_) -> tuple[Document, Path_]:
        return (origin.document, (*origin.path, *tail)) if origin else (last, tail)

    def check_problems(origin: Origin | None, check: Check | None, prefix: Path_) -> None:
        if check is None:
            return
        for node, path in walk(check, prefix):
            if not isinstance(node, Check):
                continue
            if rubric.subject not in type(node).subjects:
                doc, where = at(origin, (*path, "kind"))
                problems.append(doc.problem(where, f"判定方法 {type(node).__name__} 不适用于 {rubric.subject} 类申报"))
            for sub, message, found in node.problems(rubric.subject):
                doc, where = at(origin, (*path, *sub))
                problems.append(doc.problem(where, message, found=found))
        for path, name in param_refs(check, prefix):
            if name not in names:
                doc, where = at(origin, path)
                problems.append(doc.problem(where, "未定义的参数" + did_you_mean(name, names), found=name))

    for _, criterion in rubric.criteria():
        key = merged.criteria_origin.get(criterion.id)
        check_problems(key, criterion.check, ("check",))
        check_problems(key, criterion.applies_if, ("applies_if",))
        for match in PLACEHOLDER.finditer(criterion.requirement):
            if match.group(1) not in names:
                doc, where = at(key, ("requirement",))
                problems.append(
                    doc.problem(
                        where, "要求文字引用了未定义的参数" + did_you_mean(match.group(1), names), found=match.group(0)
                    )
                )
        evidence_paths: list[tuple[tuple[str | int, ...], str]] = [
            (("evidence", index), kind) for index, kind in enumerate(criterion.evidence)
        ]
        evidence_paths += [
            (("evidence_by_way", way_index, "evidence", index), kind)
            for way_index, way in enumerate(criterion.evidence_by_way)
            for index, kind in enumerate(way.evidence)
        ]
        for path, evidence in evidence_paths:
            if evidence not in rubric.evidence_types:
                doc, where = at(key, path)
                problems.append(
                    doc.problem(
                        where, "未定义的佐证材料类型" + did_you_mean(evidence, rubric.evidence_types), found=evidence
                    )
                )
        if criterion.evidence_by_way:
            branches = len(criterion.check.checks) if isinstance(criterion.check, AnyCheck) else None
            if branches is None:
                doc, where = at(key, ("evidence_by_way",))
                problems.append(
                    doc.problem(
                        where,
                        "按满足方式列佐证材料时，判定方法须为 any（任一满足）",
                        found=getattr(criterion.check, "kind", ""),
                    )
                )
            elif branches != len(criterion.evidence_by_way):
                doc, where = at(key, ("evidence_by_way",))
                problems.append(
                    doc.problem(
                        where,
                        "满足方式的个数须与判定方法 any 的子条件个数相同",
                        found=str(len(criterion.evidence_by_way)),
                        expected=str(branches),
                    )
                )
        if criterion.source.document not in source_ids:
            doc, where = at(key, ("source", "document"))
            problems.append(
                doc.problem(
                    where,
                    "未定义的来源文件" + did_you_mean(criterion.source.document, source_ids),
                    found=criterion.source.document,
                )
            )
        if criterion.gate and criterion.points:
            doc, where = at(key, ("points",))
            problems.append(doc.problem(where, "否决项不计分", found=str(criterion.points), expected="0"))
        if isinstance(criterion.check, BandsCheck):
            top = max(band.points for band in criterion.check.bands)
            if abs(top - criterion.points) > 1e-9:
                doc, where = at(key, ("check", "bands"))
                problems.append(
                    doc.problem(where, "最高档得分应等于本项分值", found=str(top), expected=str(criterion.points))
                )
        if isinstance(criterion.check, SelfScoreCheck) and criterion.points <= 0:
            doc, where = at(key, ("points",))
            problems.append(doc.problem(where, "专家评分类指标须有分值", found="0", expected="> 0"))
    for priority in rubric.priorities:
        check_problems(merged.priority_origin.get(priority.id), priority.check, ("check",))
    for index, grade in enumerate(rubric.grades):
        if grade.at_least not in names:
            doc, where = at(merged.grades_origin, (index, "at_least"))
            problems.append(
                doc.problem(where, "未定义的参数" + did_you_mean(grade.at_least, names), found=grade.at_least)
            )
    if rubric.review.max_spread and rubric.review.max_spread not in names:
        doc, where = at(merged.review_origin, ("max_spread",))
        problems.append(
            doc.problem(
                where, "未定义的参数" + did_you_mean(rubric.review.max_spread, names), found=rubric.review.max_spread
            )
        )
    problems.extend(_flag_problems(merged, rubric, names))
    for name, param in rubric.parameters.items():
        if param.source.document not in source_ids:
            origin = merged.param_origin[name]
            problems.append(
                origin.document.problem(
                    (*origin.path, "source", "document"),
                    "未定义的来源文件" + did_you_mean(param.source.document, source_ids),
                    found=param.source.document,
                )
            )
    return problems
