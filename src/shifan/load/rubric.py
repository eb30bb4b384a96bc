"""Finding, reading, resolving and validating rubrics.

``load_rubric("anhui/institution")`` reads the overlay, then what it extends, merges them into
one :class:`Rubric` and checks the result as a whole: every parameter a criterion names exists,
ids are unique, overlay operations name criteria that exist. All problems of all files in the
chain are reported together, each at its file, line and key.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import ValidationError

from shifan.errors import InputError, Problem, ProblemList, RubricNotFoundError
from shifan.files import criteria_dir
from shifan.load.overlay import Merged, Origin, _merge
from shifan.read.suggest import did_you_mean
from shifan.read.typed import Loaded, TypedReader
from shifan.read.yamldoc import Document, non_finite
from shifan.rules.checks.base import Check, param_refs, walk
from shifan.rules.checks.logic import AnyCheck, SelfScoreCheck
from shifan.rules.checks.measure import BandsCheck
from shifan.rules.flags import FLAG_KINDS
from shifan.rules.rubric import PLACEHOLDER, Rubric
from shifan.rules.rubric_file import (
    RUBRIC_ID_PATTERN,
    RubricFile,
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


#: Rubric files read in this process, by path and the file's identity (inode, size, modification
#: time): an overlay's bases are read once however many rubrics build on them, and a long-running
#: process (a batch worker, the web server) re-reads a file only when it changes.
_READ: dict[tuple[str, int, int, int], Loaded[RubricFile]] = {}
_MAX_READ = 64


def _read(path: Path) -> Loaded[RubricFile]:
    try:
        info = path.stat()
    except OSError:
        return _READER.load(path)  # the reader reports the missing or unreadable file
    key = (str(path.resolve()), info.st_ino, info.st_size, info.st_mtime_ns)
    loaded = _READ.get(key)
    if loaded is None:
        loaded = _READER.load(path)
        if len(_READ) >= _MAX_READ:
            _READ.clear()
        _READ[key] = loaded
    return loaded


def _resolve(path: Path, chain: list[Path], problems: ProblemList) -> Merged | None:
    try:
        loaded = _read(path)
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
