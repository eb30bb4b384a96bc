"""Evaluating an application against an effective rubric."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from shifan.evaluate.result import (
    Applicant,
    CriterionResult,
    EvaluationResult,
    EvidenceUse,
    ParameterUse,
    PriorityResult,
    RubricInfo,
    SectionResult,
)
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.checks.base import Check, Context, Outcome
from shifan.rules.rubric import Rubric
from shifan.rules.rubric_file import Criterion
from shifan.rules.vocab import Status, Verdict

logger = logging.getLogger(__name__)

AnyApplication = InstitutionApplication | RegionApplication


def evaluate(
    app: AnyApplication,
    rubric: Rubric,
    as_of: dt.date | None = None,
    *,
    application_sha256: str = "",
    extra: dict[str, Any] | None = None,
) -> EvaluationResult:
    """Evaluate ``app`` under ``rubric`` on ``as_of`` (default: the application's assessment date)."""
    day = as_of or app.assessment_date
    base = Context(app=app, as_of=day, params=rubric.parameters, extra=dict(extra or {}))
    results = [_criterion(app, rubric, section.id, criterion, base) for section, criterion in rubric.criteria()]
    sections = []
    for section in rubric.sections:
        own = [r for r in results if r.section == section.id]
        sections.append(
            SectionResult(
                id=section.id,
                title=section.title,
                score=_round(sum(r.points for r in own)),
                max_score=_round(sum(r.max_points for r in own if r.status is not Status.NOT_APPLICABLE)),
            )
        )
    verdict, failed, lacking = gate_verdict([(r.id, r.status) for r in results if r.gate])
    score = _round(sum(r.points for r in results))
    max_score = _round(sum(s.max_score for s in sections))
    normalized = normalized_score(score, max_score, rubric.max_score)
    used = {p.name: p for r in results for p in r.parameters if p.status != "quoted"}
    grade = rubric.grade(normalized) if verdict == "eligible" else ""
    musts = {criterion.id for _, criterion in rubric.criteria() if criterion.must_meet}
    unmet = [r.id for r in results if r.id in musts and r.status in (Status.FAIL, Status.PARTIAL)]
    if grade:
        # The grade lines are the tool's own setting: list them with the defaults to confirm.
        used |= {p.name: p for p in _grade_parameters(rubric) if p.status != "quoted"}
    return EvaluationResult(
        applicant=_applicant(app),
        rubric=RubricInfo(
            id=rubric.id, title=rubric.title, version=rubric.version, sha256=rubric.sha256, chain=rubric.chain
        ),
        as_of=day,
        application_sha256=application_sha256,
        eligible=verdict == "eligible",
        verdict=verdict,
        failed_gates=failed + lacking,
        score=score,
        max_score=max_score,
        normalized_score=normalized,
        rubric_max_score=_round(rubric.max_score),
        grade=grade,
        sections=sections,
        criteria=results,
        priorities=[_priority(p.id, p.title, p.check, base) for p in rubric.priorities],
        defaults_used=sorted(used.values(), key=lambda p: p.name),
        unmet_standards=unmet,
    )


#: Gate statuses that make an applicant ineligible (a gate is met only in full).
FAILING_GATE = (Status.FAIL, Status.PARTIAL, Status.ERROR)


def gate_verdict(gates: list[tuple[str, Status]]) -> tuple[Verdict, list[str], list[str]]:
    """The verdict from the gates' statuses: any failing gate makes the applicant ineligible;
    otherwise a gate lacking evidence leaves the verdict incomplete. Also the failing and the
    lacking gate ids, in rubric order."""
    failed = [gid for gid, status in gates if status in FAILING_GATE]
    lacking = [gid for gid, status in gates if status is Status.INSUFFICIENT]
    verdict = Verdict.INELIGIBLE if failed else Verdict.INCOMPLETE if lacking else Verdict.ELIGIBLE
    return verdict, failed, lacking


def normalized_score(score: float, max_score: float, rubric_max: float) -> float:
    """A score over the applicable items, scaled to the rubric's full marks (for ranking)."""
    return _round(score / max_score * rubric_max) if max_score else 0.0


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def _applicant(app: AnyApplication) -> Applicant:
    if isinstance(app, InstitutionApplication):
        return Applicant(
            id=app.uscc,
            name=app.name,
            kind="institution",
            region_code=app.region_code,
            category=app.category.value,
            category_label=app.category.label,
        )
    return Applicant(
        id=app.region_code,
        name=app.name,
        kind="region",
        region_code=app.region_code,
        category=app.level.value,
        category_label=app.level.label,
    )


def _run(check: Check, ctx: Context) -> Outcome:
    try:
        return check.evaluate(ctx)
    except Exception as error:  # a defect must not take the other criteria down with it
        logger.exception("check %s failed on %s", getattr(check, "kind", "?"), ctx.criterion_id)
        return Outcome(Status.ERROR, "", "", f"评价出错：{type(error).__name__}: {error}")


def _priority(pid: str, title: str, check: Check, base: Context) -> PriorityResult:
    outcome = _run(check, Context(base.app, base.as_of, base.params, pid, 0.0, base.extra))
    return PriorityResult(id=pid, title=title, met=outcome.status is Status.PASS, reason=outcome.reason)


def _issued(rubric: Rubric, criterion: Criterion) -> dt.date | None:
    """The issue date of the document a criterion comes from, when the rubric gives it."""
    return next((d.date for d in rubric.sources if d.id == criterion.source.document), None)


def _criterion(
    app: AnyApplication, rubric: Rubric, section: str, criterion: Criterion, base: Context
) -> CriterionResult:
    ctx = Context(app, base.as_of, base.params, criterion.id, criterion.points, base.extra)
    outcome: Outcome | None = None
    issued = _issued(rubric, criterion)
    if issued is not None and base.as_of < issued:
        # A requirement does not bind before the document that sets it was issued.
        outcome = Outcome(
            Status.NOT_APPLICABLE,
            f"出处文件 {issued} 印发",
            f"自 {issued} 起适用",
            f"不适用：评价基准日 {base.as_of} 早于出处文件印发日期 {issued}",
        )
    elif criterion.applies_if is not None:
        condition = _run(criterion.applies_if, ctx)
        if condition.status in (Status.FAIL, Status.NOT_APPLICABLE):
            outcome = Outcome(
                Status.NOT_APPLICABLE, condition.observed, condition.expected, f"不适用：{condition.reason}"
            )
        elif condition.status in (Status.INSUFFICIENT, Status.ERROR):
            outcome = Outcome(
                condition.status, condition.observed, condition.expected, f"无法判断是否适用：{condition.reason}"
            )
    if outcome is None:
        outcome = _run(criterion.check, ctx)

    attached = [a for a in app.attachments if a.type in criterion.evidence]
    evidence = [
        EvidenceUse(type=kind, title=rubric.evidence_types[kind], files=[a.path for a in attached if a.type == kind])
        for kind in criterion.evidence
    ]
    missing = [e.title for e in evidence if not e.files]
    status = outcome.status
    reason = outcome.reason
    points = points_for(outcome, criterion.points)
    if missing and status in (Status.PASS, Status.PARTIAL):
        status = Status.INSUFFICIENT
        reason = f"{reason}；但缺少佐证材料：{'、'.join(missing)}"
        points = 0.0
    elif missing and status is Status.FAIL:
        reason = f"{reason}；另缺少佐证材料：{'、'.join(missing)}"

    static = _static(rubric)[criterion.id]
    parameters = static.parameters
    return CriterionResult(
        id=criterion.id,
        title=criterion.title,
        section=section,
        requirement=static.requirement,
        gate=criterion.gate,
        status=status,
        points=_round(points),
        max_points=criterion.points,
        observed=outcome.observed,
        expected=outcome.expected,
        reason=reason,
        details=outcome.details,
        value=outcome.value,
        self_score=app.self_scores.get(criterion.id),
        evidence=evidence,
        missing_evidence=missing,
        source=static.source,
        parameters=parameters,
        uses_defaults=static.uses_defaults,
    )


@dataclass(frozen=True)
class _Static:
    """What a criterion prints that depends only on the rubric, computed once per rubric."""

    requirement: str
    source: str
    parameters: list[ParameterUse]
    uses_defaults: bool


_STATIC: dict[str, dict[str, _Static]] = {}


def _parameter_use(rubric: Rubric, name: str) -> ParameterUse:
    param = rubric.parameters[name]
    return ParameterUse(
        name=name,
        title=param.title,
        value=param.value,
        unit=param.unit,
        text=param.formatted(),
        status=param.status,
        source=rubric.source(param.source),
    )


def _grade_parameters(rubric: Rubric) -> list[ParameterUse]:
    return [_parameter_use(rubric, grade.at_least) for grade in rubric.grades]


def _static(rubric: Rubric) -> dict[str, _Static]:
    found = _STATIC.get(rubric.sha256)
    if found is not None:
        return found
    table = {}
    for _, criterion in rubric.criteria():
        uses = [_parameter_use(rubric, name) for name in rubric.parameters_of(criterion)]
        table[criterion.id] = _Static(
            rubric.requirement(criterion),
            rubric.source(criterion.source),
            uses,
            any(p.status != "quoted" for p in uses),
        )
    if len(_STATIC) > 64:
        _STATIC.clear()
    _STATIC[rubric.sha256] = table
    return table


def points_for(outcome: Outcome, max_points: float) -> float:
    if outcome.status is Status.PASS:
        return min(max_points, outcome.awarded) if outcome.awarded is not None else max_points
    if outcome.status is Status.PARTIAL:
        if outcome.awarded is not None:
            return min(max_points, outcome.awarded)
        return max_points * (outcome.fraction if outcome.fraction is not None else 0.0)
    return 0.0
