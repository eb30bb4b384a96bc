"""Evaluating an application against an effective rubric."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from shifan.evaluate.aggregate import round_points, section_subtotal, totals
from shifan.evaluate.flags import compute_flags
from shifan.evaluate.result import (
    Applicant,
    CriterionResult,
    EvaluationResult,
    EvidenceUse,
    ParameterUse,
    PriorityResult,
    RubricInfo,
    SectionResult,
    trusted,
)
from shifan.rules.application import InstitutionApplication, RegionApplication
from shifan.rules.checks.base import Check, Context, Outcome
from shifan.rules.region import RosterIndicators
from shifan.rules.rubric import Rubric
from shifan.rules.rubric_file import Criterion, Section
from shifan.rules.vocab import Status

logger = logging.getLogger(__name__)

AnyApplication = InstitutionApplication | RegionApplication


def evaluate(
    app: AnyApplication,
    rubric: Rubric,
    as_of: dt.date | None = None,
    *,
    application_sha256: str = "",
    roster: RosterIndicators | None = None,
) -> EvaluationResult:
    """Evaluate ``app`` under ``rubric`` on ``as_of`` (default: the application's assessment date).

    ``roster`` holds a county's indicators derived from its roster (:func:`shifan.evaluate.rollup.roll_up`).
    """
    day = as_of or app.assessment_date
    base = Context(app=app, as_of=day, params=rubric.parameters, roster=roster)
    results = [_criterion(app, rubric, section.id, criterion, base) for section, criterion in rubric.criteria()]
    sections = [_section(section, results) for section in rubric.sections]
    total = totals(results, round_points(sum(s.max_score for s in sections)), rubric)
    used = {p.name: p for r in results for p in r.parameters if p.status != "quoted"}
    musts = {criterion.id for _, criterion in rubric.criteria() if criterion.must_meet}
    unmet = [r.id for r in results if r.id in musts and r.status in (Status.FAIL, Status.PARTIAL)]
    if total.grade:
        # The grade lines are the tool's own setting: list them with the defaults to confirm.
        used |= {p.name: p for p in _grade_parameters(rubric) if p.status != "quoted"}
    return EvaluationResult(
        applicant=_applicant(app),
        rubric=RubricInfo(
            id=rubric.id, title=rubric.title, version=rubric.version, sha256=rubric.sha256, chain=rubric.chain
        ),
        as_of=day,
        application_sha256=application_sha256,
        eligible=total.eligible,
        verdict=total.verdict,
        failed_gates=total.failed_gates,
        score=total.score,
        max_score=total.max_score,
        normalized_score=total.normalized_score,
        rubric_max_score=round_points(rubric.max_score),
        grade=total.grade,
        sections=sections,
        criteria=results,
        priorities=[_priority(p.id, p.title, p.check, base) for p in rubric.priorities],
        defaults_used=sorted(used.values(), key=lambda p: p.name),
        unmet_standards=unmet,
        flags=compute_flags(app, rubric, day, roster),
    )


def _section(section: Section, results: list[CriterionResult]) -> SectionResult:
    subtotal = section_subtotal(results, section.id)
    return SectionResult(id=section.id, title=section.title, score=subtotal.score, max_score=subtotal.max_score)


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
    outcome = _run(check, Context(base.app, base.as_of, base.params, pid, 0.0, base.roster))
    return PriorityResult(id=pid, title=title, met=outcome.status is Status.PASS, reason=outcome.reason)


def _issued(rubric: Rubric, criterion: Criterion) -> dt.date | None:
    """The issue date of the document a criterion comes from, when the rubric gives it."""
    return next((d.date for d in rubric.sources if d.id == criterion.source.document), None)


def _criterion(
    app: AnyApplication, rubric: Rubric, section: str, criterion: Criterion, base: Context
) -> CriterionResult:
    ctx = Context(app, base.as_of, base.params, criterion.id, criterion.points, base.roster)
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

    kinds, way = _evidence_kinds(app, criterion, outcome)
    attached = [a for a in app.attachments if a.type in kinds]
    evidence = [
        trusted(
            EvidenceUse,
            type=kind,
            title=rubric.evidence_types[kind],
            files=[a.path for a in attached if a.type == kind],
        )
        for kind in kinds
    ]
    missing = [e.title for e in evidence if not e.files]
    status = outcome.status
    reason = outcome.reason
    points = points_for(outcome, criterion.points)
    if missing and status in (Status.PASS, Status.PARTIAL):
        status = Status.INSUFFICIENT
        how = f"（以“{way}”方式符合所需）" if way else ""
        reason = f"{reason}；但缺少佐证材料{how}：{'、'.join(missing)}"
        points = 0.0
    elif missing and status is Status.FAIL:
        reason = f"{reason}；另缺少佐证材料：{'、'.join(missing)}"

    static = _static(rubric)[criterion.id]
    parameters = static.parameters
    # Built from values that were validated already (rubric, application) or computed here, so
    # the model is constructed without validating again; numbers are made floats as validation would.
    self_score = app.self_scores.get(criterion.id)
    return trusted(
        CriterionResult,
        id=criterion.id,
        title=criterion.title,
        section=section,
        requirement=static.requirement,
        gate=criterion.gate,
        status=status,
        points=float(round_points(points)),
        max_points=float(criterion.points),
        observed=outcome.observed,
        expected=outcome.expected,
        reason=reason,
        details=list(outcome.details),
        value=None if outcome.value is None else float(outcome.value),
        self_score=None if self_score is None else float(self_score),
        evidence=evidence,
        missing_evidence=missing,
        source=static.source,
        parameters=parameters,
        uses_defaults=static.uses_defaults,
    )


def _evidence_kinds(app: AnyApplication, criterion: Criterion, outcome: Outcome) -> tuple[list[str], str]:
    """The evidence types a result needs, and the way the criterion was met ("" if not by way).

    With ``evidence_by_way``, the evidence of the branch of the ``any`` check that was met is
    added to the common ``evidence``; when several branches are met, the first whose evidence is
    all attached counts (else the first met).
    """
    kinds = list(criterion.evidence)
    if not criterion.evidence_by_way or not outcome.ways:
        return kinds, ""
    have = {a.type for a in app.attachments}
    ways = [criterion.evidence_by_way[i] for i in outcome.ways if i < len(criterion.evidence_by_way)]
    if not ways:
        return kinds, ""
    way = next((w for w in ways if set(w.evidence) <= have), ways[0])
    return kinds + [k for k in way.evidence if k not in kinds], way.title


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
