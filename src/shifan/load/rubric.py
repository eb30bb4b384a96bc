"""Finding, reading, resolving and validating rubrics.

``load_rubric("anhui/institution")`` reads the overlay, then what it extends, merges them into
one :class:`Rubric` and checks the result as a whole: every parameter a criterion names exists,
ids are unique, overlay operations name criteria that exist. All problems of all files in the
chain are reported together, each at its file, line and key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from shifan.errors import InputError, Problem, RubricNotFoundError
from shifan.files import criteria_dir
from shifan.read.problems import problems_from_validation
from shifan.read.yamldoc import Document, did_you_mean, load_document, non_finite
from shifan.rules.checks.base import Check, param_refs
from shifan.rules.checks.logic import SelfScoreCheck
from shifan.rules.checks.measure import BandsCheck
from shifan.rules.params import Parameter, SourceDocument
from shifan.rules.rubric import PLACEHOLDER, Rubric
from shifan.rules.rubric_file import RUBRIC_ID_PATTERN, Criterion, Priority, ReviewSettings, RubricFile, Section

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
class Resolved:
    """A rubric chain being merged, with the origin of every element for error messages."""

    rubric: dict[str, object]
    criteria_origin: dict[str, Origin] = field(default_factory=dict)
    param_origin: dict[str, Origin] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)


def load_rubric(ref: str | Path, *, roots: list[Path] | None = None) -> Rubric:
    """Load and resolve a rubric; raise :class:`InputError` listing every problem of the chain."""
    path = find_rubric(str(ref), roots=roots)
    problems: list[Problem] = []
    resolved = _resolve(path, [], problems)
    if resolved is None:
        raise InputError(problems or [Problem(str(path), None, None, "", "无法解析")], what=WHAT)
    try:
        rubric = Rubric.model_validate(resolved.rubric)
    except ValidationError:
        # Only a chain that already has located problems can merge into an invalid rubric.
        raise InputError(problems or [Problem(str(path), None, None, "", "无法合并")], what=WHAT) from None
    problems.extend(_validate(rubric, resolved))
    if problems:
        raise InputError(problems, what=WHAT)
    return rubric


def _root_of(path: Path, rubric_id: str) -> Path:
    root = path.resolve().parent
    for _ in range(rubric_id.count("/")):
        root = root.parent
    return root


def _resolve(path: Path, chain: list[Path], problems: list[Problem]) -> Resolved | None:
    document = load_document(path, what=WHAT)
    try:
        if not isinstance(document.data, dict):
            raise InputError([document.problem((), "顶层应为键值映射", found=type(document.data).__name__)], what=WHAT)
        spec = RubricFile.model_validate(document.data)
    except ValidationError as error:
        problems.extend(problems_from_validation(error, document, RubricFile))
        return None
    for where, value in non_finite(document.data):
        problems.append(document.problem(where, "应为有限数字", found=str(value), expected="有限数字"))

    base: Resolved | None = None
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


def _merge(spec: RubricFile, document: Document, base: Resolved | None, problems: list[Problem]) -> Resolved:
    if base is None:
        base_data: dict[str, object] = {
            "sources": [],
            "parameters": {},
            "evidence_types": {},
            "sections": [],
            "grades": [],
            "priorities": [],
            "review": ReviewSettings(),
            "chain": [],
            "subject": None,
        }
        resolved = Resolved(base_data)
    else:
        resolved = base
    data = resolved.rubric
    resolved.documents.append(document)

    subject = spec.subject or data["subject"]
    if subject is None:
        problems.append(document.problem(("subject",), "缺少适用对象", expected="institution 或 region"))
    elif data["subject"] is not None and spec.subject and spec.subject != data["subject"]:
        problems.append(
            document.problem(
                ("subject",), "overlay 的适用对象与基础 rubric 不同", found=spec.subject, expected=str(data["subject"])
            )
        )

    sources: dict[str, SourceDocument] = {s.id: s for s in data["sources"]}  # type: ignore[attr-defined]
    sources.update({s.id: s for s in spec.sources})
    parameters: dict[str, Parameter] = dict(data["parameters"])  # type: ignore[call-overload]
    for name, param in spec.parameters.items():
        parameters[name] = param
        resolved.param_origin[name] = Origin(document, ("parameters", name))
    evidence = dict(data["evidence_types"])  # type: ignore[call-overload]
    evidence.update(spec.evidence_types)

    sections: list[Section] = list(data["sections"])  # type: ignore[call-overload]
    criteria_ids = {c.id for s in sections for c in s.criteria}

    for index, criterion_id in enumerate(spec.drop):
        if criterion_id not in criteria_ids:
            problems.append(
                document.problem(
                    ("drop", index), "要删除的指标不存在" + did_you_mean(criterion_id, criteria_ids), found=criterion_id
                )
            )
        sections = [
            s.model_copy(update={"criteria": [c for c in s.criteria if c.id != criterion_id]}) for s in sections
        ]
        criteria_ids.discard(criterion_id)
    for index, new in enumerate(spec.replace):
        if new.id not in criteria_ids:
            problems.append(
                document.problem(
                    ("replace", index, "id"), "要替换的指标不存在" + did_you_mean(new.id, criteria_ids), found=new.id
                )
            )
            continue
        sections = [
            s.model_copy(update={"criteria": [new if c.id == new.id else c for c in s.criteria]}) for s in sections
        ]
        resolved.criteria_origin[new.id] = Origin(document, ("replace", index))
    section_ids = [s.id for s in sections]
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
        target = sections[position]
        sections[position] = target.model_copy(update={"criteria": [*target.criteria, *addition.criteria]})
        for c_index, criterion in enumerate(addition.criteria):
            _note_criterion(resolved, criterion, Origin(document, ("add", index, "criteria", c_index)), problems)
    for s_index, section in enumerate(spec.sections):
        if section.id in section_ids:
            problems.append(document.problem(("sections", s_index, "id"), "章节编号重复", found=section.id))
            continue
        sections.append(section)
        section_ids.append(section.id)
        for c_index, criterion in enumerate(section.criteria):
            _note_criterion(resolved, criterion, Origin(document, ("sections", s_index, "criteria", c_index)), problems)

    priorities: list[Priority] = [p for p in data["priorities"] if p.id not in {q.id for q in spec.priorities}]  # type: ignore[attr-defined]
    priorities.extend(spec.priorities)
    data.update(
        id=spec.id,
        title=spec.title,
        version=spec.version,
        description=spec.description,
        subject=subject,
        chain=[*data["chain"], spec.id],  # type: ignore[misc]
        sources=list(sources.values()),
        parameters=parameters,
        evidence_types=evidence,
        sections=sections,
        grades=spec.grades if spec.grades is not None else data["grades"],
        priorities=priorities,
        review=spec.review or data["review"],
    )
    resolved.rubric = data
    for p_index, priority in enumerate(spec.priorities):
        resolved.criteria_origin[f"priority:{priority.id}"] = Origin(document, ("priorities", p_index))
    if spec.grades is not None:
        resolved.criteria_origin["grades"] = Origin(document, ("grades",))
    if spec.review is not None:
        resolved.criteria_origin["review"] = Origin(document, ("review",))
    return resolved


def _note_criterion(resolved: Resolved, criterion: Criterion, origin: Origin, problems: list[Problem]) -> None:
    if criterion.id in resolved.criteria_origin and not criterion.id.startswith("priority:"):
        first = resolved.criteria_origin[criterion.id]
        line, _ = first.document.position(first.path)
        problems.append(
            origin.document.problem(
                (*origin.path, "id"), f"指标编号重复（已在 {first.document.display}:{line} 定义）", found=criterion.id
            )
        )
        return
    resolved.criteria_origin[criterion.id] = origin


def _walk(check: Check, path: Path_) -> Iterator[tuple[Check, Path_]]:
    yield check, path
    for name in type(check).model_fields:
        value = getattr(check, name)
        if isinstance(value, Check):
            yield from _walk(value, (*path, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Check):
                    yield from _walk(item, (*path, name, index))


def _validate(rubric: Rubric, resolved: Resolved) -> list[Problem]:
    problems: list[Problem] = []
    names = set(rubric.parameters)
    source_ids = {s.id for s in rubric.sources}
    last = resolved.documents[-1]

    def at(key: str, tail: Path_) -> tuple[Document, Path_]:
        origin = resolved.criteria_origin.get(key)
        return (origin.document, (*origin.path, *tail)) if origin else (last, tail)

    def check_problems(key: str, check: Check | None, prefix: Path_) -> None:
        if check is None:
            return
        for node, path in _walk(check, prefix):
            if rubric.subject not in type(node).subjects:
                doc, where = at(key, (*path, "kind"))
                problems.append(doc.problem(where, f"判定方法 {type(node).__name__} 不适用于 {rubric.subject} 类申报"))
            for sub, message, found in node.problems(rubric.subject):
                doc, where = at(key, (*path, *sub))
                problems.append(doc.problem(where, message, found=found))
        for path, name in param_refs(check, prefix):
            if name not in names:
                doc, where = at(key, path)
                problems.append(doc.problem(where, "未定义的参数" + did_you_mean(name, names), found=name))

    for _, criterion in rubric.criteria():
        key = criterion.id
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
        for index, evidence in enumerate(criterion.evidence):
            if evidence not in rubric.evidence_types:
                doc, where = at(key, ("evidence", index))
                problems.append(
                    doc.problem(
                        where, "未定义的佐证材料类型" + did_you_mean(evidence, rubric.evidence_types), found=evidence
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
        check_problems(f"priority:{priority.id}", priority.check, ("check",))
    for index, grade in enumerate(rubric.grades):
        if grade.at_least not in names:
            doc, where = at("grades", (index, "at_least"))
            problems.append(
                doc.problem(where, "未定义的参数" + did_you_mean(grade.at_least, names), found=grade.at_least)
            )
    if rubric.review.max_spread and rubric.review.max_spread not in names:
        doc, where = at("review", ("max_spread",))
        problems.append(
            doc.problem(
                where, "未定义的参数" + did_you_mean(rubric.review.max_spread, names), found=rubric.review.max_spread
            )
        )
    for name, param in rubric.parameters.items():
        if param.source.document not in source_ids:
            origin = resolved.param_origin[name]
            problems.append(
                origin.document.problem(
                    (*origin.path, "source", "document"),
                    "未定义的来源文件" + did_you_mean(param.source.document, source_ids),
                    found=param.source.document,
                )
            )
    return problems
