"""Writing review sheets (``review init``) and refreshing them (``review update``).

Sheets are written with ruamel's round-trip mode so that Chinese comments explain each field,
and so that an update keeps everything the reviewer wrote — entries, their own comments,
quoting — and changes only the fields the tool owns.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from shifan.errors import InputError, Problem, UsageError
from shifan.evaluate.pipeline import Checked, check_loaded, rubric_for
from shifan.evaluate.result import CriterionResult, EvaluationResult
from shifan.files import atomic_write_text
from shifan.formatting import format_number
from shifan.load.application import load_application
from shifan.read.yamldoc import parse_document
from shifan.review.load import LoadedReview, load_review, review_problems
from shifan.review.model import CONCLUSION_LABELS, REVIEW_LEVEL_LABELS, VERIFICATION_LABELS, ReviewFile
from shifan.review.reconcile import stale_reasons
from shifan.rules.vocab import Status

HEADER = """评审意见表（由 shifan review init 生成）
申报单位：{name}（{id}）
评分标准：{rubric}（{rubric_id}，版本 {version}）；评价基准日：{as_of}

填写说明：
  application、rubric、as_of 以及各项的 computed、self_score、changed 由工具填写，请勿修改。
  reviewer          评审专家：name 姓名（必填）、organisation 单位、title 职称、signed 签字日期（YYYY-MM-DD）、
                    level 评审层级（county 县级初审 / city 市级审核 / province 省级评审，公示文本据此写明评审经过）。
  items.<指标编号>  逐项评审：
    computed        系统依据申报数据计算的结果：status 判定、points 得分、observed 看到的数据。
    self_score      申报单位自评分。
    score           专家评分，0 至该项分值，可含小数；留空表示未评分（合议时不计入；无人评分的项沿用系统计算得分）。否决项不评分。
    verification    现场核查：{verifications}。
    remark          评审意见。
    override        仅否决项：认为系统依据数据的判定有误时改判，写成 {{decision: pass 或 fail, reason: 理由}}，理由必填。
    changed         申报文件修改后由 shifan review update 标出的计算结果变化；复核后可删除该行。
  final_opinion     综合意见：conclusion 填 {conclusions}；text 写综合评审意见。
申报文件修改后请运行 shifan review update <本文件>：已填写的评分、意见和注释都会保留。{flags}"""

VERIFICATION_HELP = "confirmed 已核实 / not_checked 未核查 / contradicts 与申报不符"
OVERRIDE_HELP = "改判（仅否决项）：{decision: pass 或 fail, reason: 理由}"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue()


def relative_path(target: Path, review_path: Path) -> str:
    """``target`` relative to the folder of ``review_path``, with forward slashes."""
    start = Path(os.path.abspath(review_path)).parent
    return Path(os.path.relpath(os.path.abspath(target), start)).as_posix()


def _item_comment(criterion: CriterionResult) -> str:
    points = "否决项" if criterion.gate else f"{format_number(criterion.max_points)} 分"
    return f"{criterion.title}（{points}）：{criterion.requirement}"


def _num(value: float | None) -> float | int | None:
    """Whole numbers are written without ``.0``."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _computed(criterion: CriterionResult) -> CommentedMap:
    computed = CommentedMap()
    computed["status"] = criterion.status.value
    computed["points"] = _num(criterion.points)
    computed["observed"] = criterion.observed or criterion.reason
    computed.yaml_add_eol_comment(criterion.status.label, "status")
    return computed


def _new_item(criterion: CriterionResult) -> CommentedMap:
    item = CommentedMap()
    item["computed"] = _computed(criterion)
    if not criterion.gate:
        item["self_score"] = _num(criterion.self_score)
        item["score"] = None
        item.yaml_add_eol_comment(f"专家评分：0–{format_number(criterion.max_points)} 分，留空表示未评分", "score")
    item["verification"] = "not_checked"
    item.yaml_add_eol_comment(VERIFICATION_HELP, "verification")
    item["remark"] = ""
    if criterion.gate:
        item["override"] = None
        item.yaml_add_eol_comment(OVERRIDE_HELP, "override")
    return item


def _flag_text(result: EvaluationResult) -> str:
    """The plausibility flags, at the top of the sheet so the reviewer verifies them first."""
    if not result.flags:
        return ""
    lines = ["", "", "合理性提示（不影响得分和结论，请优先核实）："]
    lines.extend(f"  ⚠ {flag.title}：{flag.message}" for flag in result.flags)
    return "\n".join(lines)


def sheet_text(checked: Checked, review_path: Path, *, reviewer: str, organisation: str = "", title: str = "") -> str:
    """The YAML text of a new review sheet for ``checked``, to be saved at ``review_path``."""
    result, loaded = checked.result, checked.loaded
    root = CommentedMap()
    root["kind"] = "review"
    application = CommentedMap()
    application["path"] = relative_path(loaded.path, review_path)
    application["sha256"] = loaded.sha256
    application["name"] = result.applicant.name
    application["id"] = result.applicant.id
    root["application"] = application
    root.yaml_add_eol_comment("所评审的申报文件（工具填写）", "application")
    rubric = CommentedMap()
    rubric["id"] = checked.rubric.id
    rubric["sha256"] = checked.rubric.sha256
    rubric["version"] = checked.rubric.version
    root["rubric"] = rubric
    root.yaml_add_eol_comment("所依据的评分标准（工具填写）", "rubric")
    root["as_of"] = result.as_of
    root.yaml_add_eol_comment("评价基准日（工具填写）", "as_of")
    person = CommentedMap()
    person["name"] = reviewer
    person["organisation"] = organisation
    person["title"] = title
    person["signed"] = None
    person.yaml_add_eol_comment("签字日期，YYYY-MM-DD", "signed")
    person["level"] = None
    person.yaml_add_eol_comment(
        "评审层级：" + " / ".join(f"{k.value} {v}" for k, v in REVIEW_LEVEL_LABELS.items()), "level"
    )
    root["reviewer"] = person
    root.yaml_add_eol_comment("评审专家", "reviewer")
    items = CommentedMap()
    for criterion in result.criteria:
        items[criterion.id] = _new_item(criterion)
        items.yaml_add_eol_comment(_item_comment(criterion), criterion.id)
    root["items"] = items
    root.yaml_add_eol_comment("逐项评审", "items")
    opinion = CommentedMap()
    opinion["conclusion"] = "pending"
    opinion.yaml_add_eol_comment(" / ".join(f"{k.value} {v}" for k, v in CONCLUSION_LABELS.items()), "conclusion")
    opinion["text"] = ""
    opinion.yaml_add_eol_comment("综合评审意见", "text")
    root["final_opinion"] = opinion
    root.yaml_add_eol_comment("综合意见", "final_opinion")
    root.yaml_set_start_comment(
        HEADER.format(
            name=result.applicant.name,
            id=result.applicant.id,
            rubric=checked.rubric.title,
            rubric_id=checked.rubric.id,
            version=checked.rubric.version,
            as_of=result.as_of,
            verifications="；".join(f"{k.value} {v}" for k, v in VERIFICATION_LABELS.items()),
            conclusions="、".join(f"{k.value}（{v}）" for k, v in CONCLUSION_LABELS.items()),
            flags=_flag_text(result),
        )
    )
    return _dump(root)


def write_new_sheet(
    checked: Checked, out: Path, *, reviewer: str, organisation: str = "", title: str = "", force: bool = False
) -> None:
    """Write a new sheet; an existing file is never overwritten unless ``force``."""
    if not reviewer.strip():
        raise UsageError("评审专家姓名不能为空（--reviewer）")
    if out.exists() and not force:
        raise UsageError(
            f"{out} 已存在。要按修改后的申报文件刷新，请用 shifan review update {out}；确需覆盖请加 --force"
        )
    atomic_write_text(out, sheet_text(checked, out, reviewer=reviewer.strip(), organisation=organisation, title=title))


@dataclass
class UpdateReport:
    """What ``review update`` changed."""

    path: Path
    was_stale: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    moved_to: str | None = None


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def describe_change(old: Any, criterion: CriterionResult, old_self: Any) -> str | None:
    """A Chinese one-liner of what changed in an item's computed result, or None."""
    parts = []
    old_status = str(old.get("status", "")) if old is not None else ""
    if old_status != criterion.status.value:
        label = Status(old_status).label if old_status in Status._value2member_map_ else old_status or "（无）"
        parts.append(f"判定 {label}→{criterion.status.label}")
    old_points = old.get("points") if old is not None else None
    if not isinstance(old_points, (int, float)) or round(float(old_points), 4) != round(criterion.points, 4):
        parts.append(f"得分 {old_points if old_points is not None else '（无）'}→{format_number(criterion.points)}")
    old_observed = str(old.get("observed", "") or "") if old is not None else ""
    new_observed = criterion.observed or criterion.reason
    if old_observed != new_observed:
        parts.append(f"数据 “{_short(old_observed)}”→“{_short(new_observed)}”")
    if not criterion.gate and old_self != criterion.self_score:
        parts.append(f"自评分 {old_self if old_self is not None else '（无）'}→{criterion.self_score}")
    return "；".join(parts) if parts else None


def _refresh_item(item: CommentedMap, criterion: CriterionResult) -> str | None:
    # Values are replaced in place: a CommentedMap keeps a key's comments when its value changes.
    old = item.get("computed")
    change = describe_change(old, criterion, item.get("self_score")) if old is not None else None
    if isinstance(old, CommentedMap):
        old["status"] = criterion.status.value
        old.yaml_add_eol_comment(criterion.status.label, "status")
        old["points"] = _num(criterion.points)
        old["observed"] = criterion.observed or criterion.reason
    else:
        item.insert(0, "computed", _computed(criterion))
    if not criterion.gate and "self_score" in item:
        item["self_score"] = _num(criterion.self_score)
    elif not criterion.gate:
        item.insert(1, "self_score", _num(criterion.self_score))
    if change is not None:
        if "changed" in item:
            item["changed"] = change
        else:
            item.insert(0, "changed", change)
            item.yaml_add_eol_comment("计算结果有变化，复核后可删除本行", "changed")
    return change


def _criteria_for(review_rubric: str, app_rubric: str | None, criteria: str | None) -> str | None:
    if criteria is not None:
        return criteria
    return None if app_rubric == review_rubric else review_rubric


def update_review(
    review_path: Path,
    application: Path | None = None,
    *,
    criteria: str | None = None,
    as_of: dt.date | None = None,
) -> UpdateReport:
    """Refresh a sheet after the application (or rubric) changed; reviewer entries are kept."""
    loaded_review = load_review(review_path)
    app_path = application if application is not None else loaded_review.target
    loaded = load_application(app_path)
    rubric = rubric_for(loaded, _criteria_for(loaded_review.review.rubric.id, loaded.app.rubric, criteria))
    checked = check_loaded(loaded, rubric, as_of)
    report = UpdateReport(path=review_path)
    report.was_stale = stale_reasons(loaded_review, checked)
    doc = _yaml().load(loaded_review.document.text)
    result = checked.result
    app_map = doc["application"]
    if application is not None:
        new_path = relative_path(loaded.path, review_path)
        if new_path != app_map.get("path"):
            report.moved_to = new_path
        app_map["path"] = new_path
    app_map["sha256"] = loaded.sha256
    app_map["name"] = result.applicant.name
    app_map["id"] = result.applicant.id
    rubric_map = doc["rubric"]
    rubric_map["id"] = rubric.id
    rubric_map["sha256"] = rubric.sha256
    rubric_map["version"] = rubric.version
    doc["as_of"] = result.as_of
    items = doc.get("items")
    if not isinstance(items, CommentedMap):
        items = CommentedMap()
        doc["items"] = items
    wanted = [c.id for c in result.criteria]
    for criterion in result.criteria:
        if criterion.id in items:
            change = _refresh_item(items[criterion.id], criterion)
            if change:
                report.changed.append((criterion.id, change))
            continue
        position = 0
        for index, key in enumerate(items):
            if key in wanted and wanted.index(key) < wanted.index(criterion.id):
                position = index + 1
        items.insert(position, criterion.id, _new_item(criterion))
        items.yaml_add_eol_comment(_item_comment(criterion), criterion.id)
        report.added.append(criterion.id)
    for key in [k for k in items if k not in wanted]:
        retired = doc.get("retired")
        if not isinstance(retired, CommentedMap):
            retired = CommentedMap()
            doc["retired"] = retired
            doc.yaml_add_eol_comment("评分标准中已删除的指标的原评审内容（仅供留档）", "retired")
        retired[key] = items.pop(key)
        report.retired.append(str(key))
    text = _dump(doc)
    try:
        document = parse_document(text.encode("utf-8"), review_path, what="评审意见表")
        refreshed = LoadedReview(ReviewFile.model_validate(document.data), document, loaded_review.sha256)
    except (InputError, ValueError) as error:  # pragma: no cover - the tool wrote valid fields
        raise UsageError(f"更新后的评审意见表无效：{error}") from None
    report.problems = review_problems(refreshed, rubric)
    atomic_write_text(review_path, text)
    return report
