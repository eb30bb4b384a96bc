"""What a published recommendation list says: issuing body, year, 文号, the process that actually
happened, and the public annex (no broken files, in rank order). Shared by the PDF, Word and
text editions of the 拟推荐名单 and the 公示 notice."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError

from shifan.errors import InputError
from shifan.formatting import one_line
from shifan.present.row_text import group_label
from shifan.read.problems import problems_from_validation
from shifan.read.yamldoc import load_document
from shifan.recommend.ranking import AnnexEntry, Recommendation, RecommendationList
from shifan.review.model import ReviewLevel
from shifan.rules.base import StrictModel

NUMERALS = "一二三四五六七八九十"


class PublicationSettings(StrictModel):
    """发文设置文件：拟推荐名单和公示的发文机关、省份、年度和文号（均可省略）."""

    issuer: str = Field("", description="发文机关，如 安徽省卫生健康委员会")
    province: str = Field("", description="省份，如 安徽省")
    year: int | None = Field(None, ge=2000, le=2100, description="年度，如 2026")
    doc_number: str = Field("", description="文号，如 皖卫老龄秘〔2026〕1号")


SETTINGS_WHAT = "发文设置文件"


def load_publication(path: Path) -> Publication:
    """Read a settings file (YAML: issuer, province, year, doc_number), reporting every problem."""
    document = load_document(Path(path), what=SETTINGS_WHAT)
    if not isinstance(document.data, dict):
        found = type(document.data).__name__
        raise InputError([document.problem((), "顶层应为键值映射（键: 值）", found=found)], what=SETTINGS_WHAT)
    try:
        settings = PublicationSettings.model_validate(document.data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, PublicationSettings), what=SETTINGS_WHAT) from None
    return Publication(settings.issuer, settings.province, settings.year, settings.doc_number)


@dataclass(frozen=True)
class Publication:
    """Who publishes the list, for which year, under which 文号 (all optional)."""

    issuer: str = ""
    province: str = ""
    year: int | None = None
    doc_number: str = ""

    def updated(self, **values: object) -> Publication:
        """A copy with the given values (those that are empty or None are ignored)."""
        return replace(self, **{k: v for k, v in values.items() if v not in (None, "")})  # type: ignore[arg-type]

    @property
    def prefix(self) -> str:
        """ "安徽省2026年" (or what of it is known)."""
        return self.province + (f"{self.year}年" if self.year else "")


def is_public(entry: AnnexEntry) -> bool:
    """Files that could not be read are internal (failures log, console), never in the public annex."""
    return entry.cause != "unreadable"


def public_annex(rec_list: RecommendationList) -> list[AnnexEntry]:
    """The annex as published: readable applicants only, highest score first, then by name."""
    entries = [e for e in rec_list.annex if is_public(e)]
    return sorted(entries, key=lambda e: (e.score is None, -(e.score or 0.0), e.name, e.id))


def process_sentence(recommendation: Recommendation) -> str:
    """How the listed applicants were assessed, as it actually happened: self-assessment and the
    system's check only, or the review rounds (the levels the review sheets state) every reviewed
    one went through, with counts when only some were reviewed."""
    rows = [entry.row for rec_list in recommendation.lists for entry in rec_list.recommended]
    reviewed = [r for r in rows if r.reviewers]
    if not reviewed:
        return "经申报单位自评和系统核验（未经专家评审）"
    common = [level for level in ReviewLevel if all(level.value in r.review_levels for r in reviewed)]
    rounds = "、".join(level.label for level in common) if common else "专家评审"
    if len(reviewed) == len(rows):
        return f"经申报单位自评和{rounds}"
    return (
        f"经申报单位自评和系统核验，其中 {len(reviewed)} 个申报单位经{rounds}"
        f"（其余 {len(rows) - len(reviewed)} 个未经专家评审）"
    )


def process_paragraph(recommendation: Recommendation) -> str:
    """The opening of the list and the notice: :func:`process_sentence` and what it led to."""
    return f"根据医养结合示范创建工作安排，{process_sentence(recommendation)}，确定以下拟推荐名单。"


@lru_cache(maxsize=64)
def rubric_title(rubric_id: str) -> str:
    """The title of the rubric an applicant was scored under (its id when it cannot be loaded)."""
    from shifan.errors import ShifanError
    from shifan.load.rubric import load_rubric

    try:
        return load_rubric(rubric_id).title
    except (ShifanError, OSError):
        return rubric_id


def list_title(recommendation: Recommendation, publication: Publication) -> str:
    listed = [lst for lst in recommendation.lists if lst.recommended] or recommendation.lists
    titles = "、".join(lst.title for lst in listed)
    return f"{publication.prefix}{titles}拟推荐名单"


@dataclass
class NoticeView:
    """The 公示 notice: title, body paragraphs, the lists and the closing lines; ``warning`` is
    set while pre-flight problems are unsettled (the notice must not be released)."""

    issuer: str
    doc_number: str
    title: str
    body: list[str]
    lists: list[tuple[str, list[tuple[str, list[str]]]]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    warning: str = ""


def notice_view(recommendation: Recommendation, publication: Publication | None = None) -> NoticeView:
    publication = publication or Publication()
    body = [
        process_paragraph(recommendation).removesuffix("。") + "，现予以公示。",
        "公示期间，如有异议，请以书面形式向" + (publication.issuer or "我委") + "反映，并提供具体事实和联系方式。",
    ]
    lists = []
    for index, rec_list in enumerate(lst for lst in recommendation.lists if lst.recommended):
        groups: list[tuple[str, list[str]]] = []
        for entry in rec_list.recommended:
            label = group_label(entry.group) if rec_list.quota_by else ""
            if not groups or groups[-1][0] != label:
                groups.append((label, []))
            groups[-1][1].append(f"{entry.position}. {one_line(entry.row.name)}")
        basis = f"；依据{rec_list.rubric_title}" if rec_list.rubric_title else ""
        lists.append((f"{NUMERALS[index]}、{rec_list.title}（{len(rec_list.recommended)} 个{basis}）", groups))
    closing = [
        "公示时间：____年__月__日至____年__月__日",
        "联系电话：__________",
        "",
        publication.issuer or "（发文机关）",
        "____年__月__日",
    ]
    return NoticeView(
        issuer=publication.issuer,
        doc_number=publication.doc_number,
        title=f"关于{list_title(recommendation, publication)}的公示",
        body=body,
        lists=lists,
        closing=closing,
        warning="【排序前检查有未处理的问题（见 preflight.txt），本文本不得发布】" if recommendation.blocking else "",
    )
