"""Pre-flight checks of a recommendation: what must be settled before applicants are ranked.

* **The same applicant in several files** (same 统一社会信用代码, or same 行政区划代码 for a
  county): none of the files is ranked until the user says which one counts (``prefer``:
  ``reviewed`` keeps the one file with current reviews, ``newest`` the most recently modified
  file) or removes the copy. Unresolved, it is a blocking problem.
* **Stale reviews** (the application or the rubric changed after the review): the applicant is
  not ranked; a blocking problem until the reviews are updated.
* **Review status**: with ``require_review`` (the default when any applicant in the folder has a
  review), unreviewed eligible applicants are not ranked (reason 未经专家评审; an ineligible one
  keeps its own reason). Without it, reviewed and
  unreviewed applicants ranked in one list are reported.
* **Several rubrics**: each rubric forms its own list (:mod:`shifan.recommend.ranking`); reported
  so the user sees it, resolved by ``--criteria``.

The problems are data; :mod:`shifan.present.preflight_text` words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from shifan.batch.model import SummaryRow

Prefer = Literal["reviewed", "newest"]
ProblemCode = Literal["duplicate", "duplicate_resolved", "stale_review", "not_reviewed", "mixed_review", "rubrics"]
ExcludeCause = Literal["duplicate", "duplicate_not_chosen", "stale_review", "not_reviewed"]


class PreflightProblem(BaseModel):
    """One pre-flight finding, with the files and applicants it concerns."""

    code: ProblemCode = Field(description="问题编号")
    blocking: bool = Field(description="是否须先处理（未处理时退出码为 1）")
    name: str = Field("", description="申报单位名称")
    id: str = Field("", description="统一社会信用代码或行政区划代码")
    files: list[str] = Field(default_factory=list, description="涉及的申报文件")
    chosen: str = Field("", description="按 --prefer 选用的文件（duplicate_resolved）")
    prefer: Prefer | None = Field(None, description="使用的 --prefer 方式")
    rubrics: list[str] = Field(default_factory=list, description="评分标准名称（rubrics）")
    count: int = Field(0, description="涉及的申报单位数")


class Excluded(BaseModel):
    """An applicant kept out of ranking by a pre-flight check."""

    row: SummaryRow
    cause: ExcludeCause = Field(description="未参加排序的原因")
    others: list[str] = Field(default_factory=list, description="同一申报单位的其他文件（duplicate）")


class Preflight(BaseModel):
    """What the pre-flight checks decided."""

    rows: list[SummaryRow] = Field(description="参加排序的申报单位")
    excluded: list[Excluded] = Field(default_factory=list, description="未参加排序的申报单位")
    problems: list[PreflightProblem] = Field(default_factory=list, description="发现的问题")
    require_review: bool = Field(False, description="是否要求经专家评审")

    @property
    def blocking(self) -> bool:
        return any(p.blocking for p in self.problems)


def applicant_key(row: SummaryRow) -> tuple[str, str]:
    """What makes two files the same applicant: the kind and its identifier, compared without
    case and surrounding spaces."""
    return row.kind, row.id.strip().upper()


def _current_review(row: SummaryRow) -> bool:
    return bool(row.reviewers) and not row.stale


def _choose(group: list[SummaryRow], prefer: Prefer | None, mtimes: Mapping[str, float]) -> SummaryRow | None:
    """The one file of a duplicate group that counts, or None when ``prefer`` cannot tell."""
    if prefer == "reviewed":
        reviewed = [r for r in group if _current_review(r)]
        return reviewed[0] if len(reviewed) == 1 else None
    if prefer == "newest":
        times = sorted(((mtimes.get(r.file, 0.0), r) for r in group), key=lambda t: t[0], reverse=True)
        return times[0][1] if times[0][0] > times[1][0] else None
    return None


def _duplicates(
    rows: Sequence[SummaryRow], prefer: Prefer | None, mtimes: Mapping[str, float], result: Preflight
) -> list[SummaryRow]:
    groups: dict[tuple[str, str], list[SummaryRow]] = {}
    for row in rows:
        groups.setdefault(applicant_key(row), []).append(row)
    kept = []
    for group in groups.values():
        if len(group) == 1:
            kept.append(group[0])
            continue
        group.sort(key=lambda r: r.file)
        files = [r.file for r in group]
        chosen = _choose(group, prefer, mtimes)
        first = group[0]
        if chosen is None:
            result.problems.append(
                PreflightProblem(
                    code="duplicate", blocking=True, name=first.name, id=first.id, files=files, prefer=prefer
                )
            )
            result.excluded.extend(
                Excluded(row=r, cause="duplicate", others=[f for f in files if f != r.file]) for r in group
            )
            continue
        kept.append(chosen)
        result.problems.append(
            PreflightProblem(
                code="duplicate_resolved",
                blocking=False,
                name=chosen.name,
                id=chosen.id,
                files=files,
                chosen=chosen.file,
                prefer=prefer,
            )
        )
        result.excluded.extend(
            Excluded(row=r, cause="duplicate_not_chosen", others=[chosen.file]) for r in group if r is not chosen
        )
    return kept


def preflight(
    rows: Sequence[SummaryRow],
    *,
    prefer: Prefer | None = None,
    require_review: bool | None = None,
    mtimes: Mapping[str, float] | None = None,
) -> Preflight:
    """Check the evaluated applicants before ranking; ``mtimes`` maps a row's file to its
    modification time (for ``prefer="newest"``)."""
    required = any(r.reviewers for r in rows) if require_review is None else require_review
    result = Preflight(rows=[], require_review=required)
    kept = _duplicates(rows, prefer, mtimes or {}, result)
    ranked = []
    for row in kept:
        if row.stale:
            result.excluded.append(Excluded(row=row, cause="stale_review"))
            result.problems.append(
                PreflightProblem(code="stale_review", blocking=True, name=row.name, id=row.id, files=[row.file])
            )
        elif required and not row.reviewers and row.eligible:
            result.excluded.append(Excluded(row=row, cause="not_reviewed"))
        else:
            ranked.append(row)
    unreviewed = [r for r in kept if not r.reviewers and not r.stale and r.eligible]
    if required and unreviewed:
        result.problems.append(
            PreflightProblem(
                code="not_reviewed",
                blocking=False,
                files=sorted(r.file for r in unreviewed),
                count=len(unreviewed),
            )
        )
    if not required:
        for rubric in sorted({r.rubric_id for r in ranked}):
            same = [r for r in ranked if r.rubric_id == rubric and r.eligible]
            reviewed = [r for r in same if r.reviewers]
            if reviewed and len(reviewed) < len(same):
                result.problems.append(
                    PreflightProblem(
                        code="mixed_review",
                        blocking=False,
                        files=sorted(r.file for r in same if not r.reviewers),
                        count=len(same) - len(reviewed),
                        rubrics=[same[0].rubric_title or rubric],
                    )
                )
    for kind in ("institution", "region"):
        titles = sorted({r.rubric_title or r.rubric_id for r in kept if r.kind == kind})
        if len(titles) > 1:
            result.problems.append(
                PreflightProblem(
                    code="rubrics",
                    blocking=False,
                    rubrics=titles,
                    count=sum(1 for r in kept if r.kind == kind),
                )
            )
    result.rows = ranked
    return result
