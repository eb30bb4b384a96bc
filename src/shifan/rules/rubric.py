"""The effective rubric: an overlay chain resolved into one rubric that is evaluated and printed."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from functools import cached_property

from pydantic import Field

from shifan.rules.base import StrictModel
from shifan.rules.checks.base import Check, param_refs
from shifan.rules.flags import FlagSpec
from shifan.rules.params import Parameter, SourceDocument, SourceRef
from shifan.rules.rubric_file import Criterion, Grade, Priority, ReviewSettings, Section

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Rubric(StrictModel):
    """A fully resolved rubric."""

    id: str
    title: str
    version: str
    subject: str
    description: str = ""
    chain: list[str] = Field(description="基础 rubric 到本 rubric 的编号链")
    sources: list[SourceDocument]
    parameters: dict[str, Parameter]
    evidence_types: dict[str, str]
    sections: list[Section]
    grades: list[Grade]
    priorities: list[Priority]
    review: ReviewSettings
    flags: list[FlagSpec] = Field(default_factory=list)

    @cached_property
    def sha256(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def criteria(self) -> Iterator[tuple[Section, Criterion]]:
        for section in self.sections:
            for criterion in section.criteria:
                yield section, criterion

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for _, c in self.criteria() if c.id == criterion_id), None)

    @property
    def max_score(self) -> float:
        return sum(c.points for _, c in self.criteria())

    def source(self, ref: SourceRef) -> str:
        """ "《name》（number）clause" for printing."""
        doc = next((d for d in self.sources if d.id == ref.document), None)
        if doc is None:
            return f"{ref.document} {ref.clause}"
        number = f"（{doc.number}）" if doc.number else ""
        return f"《{doc.name}》{number}{ref.clause}"

    def requirement(self, criterion: Criterion) -> str:
        """The requirement text with every ``{parameter}`` filled in."""
        return PLACEHOLDER.sub(lambda m: self.parameters[m.group(1)].formatted(), criterion.requirement)

    def parameters_of(self, criterion: Criterion) -> list[str]:
        """Names of the parameters a criterion uses, in order of first use."""
        names = [m.group(1) for m in PLACEHOLDER.finditer(criterion.requirement)]
        for check in (criterion.check, criterion.applies_if):
            if isinstance(check, Check):
                names.extend(name for _, name in param_refs(check))
        return list(dict.fromkeys(n for n in names if n in self.parameters))

    def defaults_of(self, criterion: Criterion) -> list[str]:
        return [n for n in self.parameters_of(criterion) if self.parameters[n].is_default]

    @property
    def pass_score(self) -> float | None:
        """The lowest grade's threshold (合格线): below it an applicant is never recommended by
        default; None when the rubric has no grades."""
        values = [self.parameters[g.at_least].value for g in self.grades if g.at_least in self.parameters]
        return min(values) if values else None

    def grade(self, score: float) -> str:
        ordered = sorted(self.grades, key=lambda g: self.parameters[g.at_least].value, reverse=True)
        for grade in ordered:
            if round(score, 4) >= round(self.parameters[grade.at_least].value, 4):
                return grade.label
        return ""
