"""Reading an application file: parse, validate the schema, then check the data makes sense.

Every problem of the file is collected before anything is raised, so the applicant fixes them
all in one round.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shifan.errors import Problem, ProblemList
from shifan.files import looks_absolute
from shifan.load.normalise import normalise, notes_text
from shifan.load.placeholders import placeholder_warnings
from shifan.load.workbook import LAYOUTS
from shifan.read.documents import load_input
from shifan.read.suggest import did_you_mean
from shifan.read.typed import Finding, Loaded, TypedReader
from shifan.read.yamldoc import Document
from shifan.read.yamlsyntax import KeyPath
from shifan.rules.application import Application, InstitutionApplication, RegionApplication
from shifan.rules.region import REGION_RATIOS
from shifan.rules.rubric_file import RUBRIC_ID_PATTERN
from shifan.rules.vocab import Ability, ApplicantKind

WHAT = "申报文件"


class LoadedApplication(Loaded[InstitutionApplication | RegionApplication]):
    """A valid application with the file it came from."""

    @property
    def app(self) -> InstitutionApplication | RegionApplication:
        return self.model


def _kind_given(document: Document, data: dict[str, Any]) -> Problem | None:
    """The ``kind`` is given, as a code or its Chinese label."""
    kinds = {kind.value: kind.label for kind in ApplicantKind}
    expected = "、".join(f"{label}（{code}）" for code, label in kinds.items())
    if "kind" not in data:
        return document.problem(("kind",), "缺少申报类型", found="（无）", expected=expected)
    kind = data["kind"]
    if kind in kinds or kind in kinds.values():
        return None
    hint = did_you_mean(str(kind), kinds if str(kind).isascii() else kinds.values())
    return document.problem(("kind",), "申报类型不是允许的取值" + hint, found=f"“{kind}”", expected=expected)


def _normalise(data: dict[str, Any]) -> tuple[Any, list[Finding], tuple[str, ...]]:
    read = normalise(data, Application)
    return read.data, read.findings, tuple(notes_text(read.notes))


_READER = TypedReader(
    LoadedApplication, Application, what=WHAT, kind=_kind_given, layouts=LAYOUTS, normalise=_normalise
)


def load_application(path: Path) -> LoadedApplication:
    """Read, validate and sanity-check one application file (YAML or an Excel workbook)."""
    loaded = _READER.load(path)
    problems = ProblemList(WHAT)
    for key, message, found, expected in consistency_problems(loaded.app, loaded.folder):
        problems.append(loaded.document.problem(key, message, found=found, expected=expected))
    problems.raise_if_any()
    return dataclasses.replace(loaded, notes=(*loaded.notes, *placeholder_warnings(loaded.app)))


def application_data(path: Path) -> Any:
    """The data of an application file (YAML or workbook) as read and normalised (labels to codes),
    before validation: what a form shows for editing, even when the file has errors."""
    document = load_input(path, LAYOUTS, what=WHAT)
    return normalise(document.data, Application).data


def consistency_problems(app: InstitutionApplication | RegionApplication, folder: Path) -> list[Finding]:
    """Values that each pass the schema but together cannot be true."""
    findings = list(_dates_after(app))
    if app.rubric is not None and not RUBRIC_ID_PATTERN.match(app.rubric):
        # A path here would let an application choose any file as its own rubric.
        message = "评分标准应写编号，不能写文件路径"
        findings.append((("rubric",), message, _short(app.rubric), "评分标准编号，如 anhui/institution"))
    findings.extend(_attachments(app, folder))
    if isinstance(app, InstitutionApplication):
        findings.extend(_institution(app))
    else:
        findings.extend(_region(app))
    return findings


def _dated(app: InstitutionApplication | RegionApplication) -> Iterator[tuple[KeyPath, dt.date | None]]:
    for i, incident in enumerate(app.incidents):
        yield ("incidents", i, "date"), incident.date
    if isinstance(app, RegionApplication):
        yield ("indicators", "date"), app.indicators.date
        return
    q = app.qualifications
    if q.medical_licence:
        yield ("qualifications", "medical_licence", "issued"), q.medical_licence.issued
    if q.elderly_care_filing:
        yield ("qualifications", "elderly_care_filing", "date"), q.elderly_care_filing.date
    yield ("qualifications", "operation_start"), q.operation_start
    yield ("qualifications", "insurance_designated"), q.insurance_designated
    for i, activity in enumerate(app.activities):
        yield ("activities", i, "date"), activity.date
    for i, agreement in enumerate(app.agreements):
        yield ("agreements", i, "signed"), agreement.signed
    for i, member in enumerate(app.staff):
        yield ("staff", i, "hired"), member.hired
        for j, cert in enumerate(member.certificates):
            yield ("staff", i, "certificates", j, "issued"), cert.issued
    if app.satisfaction:
        yield ("satisfaction", "date"), app.satisfaction.date
    if app.residents:
        yield ("residents", "assessed"), app.residents.assessed


def _dates_after(app: InstitutionApplication | RegionApplication) -> Iterator[Finding]:
    limit = app.assessment_date
    founded = app.founded if isinstance(app, InstitutionApplication) else None
    for key, day in _dated(app):
        if day is None:
            continue
        if day > limit:
            yield key, "日期晚于评价基准日（assessment_date），尚未发生的事项不能填报", str(day), f"不晚于 {limit}"
        elif founded and day < founded and key[0] in ("incidents", "activities", "satisfaction", "residents"):
            yield key, "日期早于机构成立日期（founded）", str(day), f"不早于 {founded}"
    if founded and founded > limit:
        yield ("founded",), "成立日期晚于评价基准日", str(founded), f"不晚于 {limit}"


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def _realpath(joined: str, folders: dict[str, str]) -> str:
    """``os.path.realpath(joined, strict=True)``, resolving each folder once per file: when the
    last component is a plain name that is not a symbolic link, the path is its resolved folder
    plus that name. Anything else takes the full resolution."""
    head, leaf = os.path.split(joined)
    if leaf in ("", ".", ".."):
        return os.path.realpath(joined, strict=True)
    folder = folders.get(head)
    if folder is None:
        folder = folders[head] = os.path.realpath(head, strict=True)
    candidate = os.path.join(folder, leaf)
    if stat.S_ISLNK(os.lstat(candidate).st_mode):
        return os.path.realpath(joined, strict=True)
    return candidate


def _attachments(app: InstitutionApplication | RegionApplication, folder: Path) -> Iterator[Finding]:
    root = os.path.realpath(folder)
    prefix = root.rstrip(os.sep) + os.sep
    folders: dict[str, str] = {}
    for i, attachment in enumerate(app.attachments):
        key: KeyPath = ("attachments", i, "path")
        raw = attachment.path
        if "\x00" in raw:
            yield key, "佐证材料路径含有 NUL 字符", _short(repr(raw)), "相对路径，如 材料/许可证.pdf"
            continue
        if looks_absolute(raw):
            yield key, "佐证材料路径须相对于申报文件所在目录", _short(raw), "相对路径，如 材料/许可证.pdf"
            continue
        joined = os.path.join(root, raw)
        try:
            # realpath follows every symlink, so a link pointing out of the folder is caught too;
            # strict, so that link loops and over-long names raise instead of passing unnoticed
            try:
                resolved = _realpath(joined, folders)
            except FileNotFoundError:
                resolved = os.path.realpath(joined)
            inside = resolved.startswith(prefix)
            is_file = inside and os.path.isfile(resolved)
            is_dir = inside and not is_file and os.path.isdir(resolved)
        except (OSError, RuntimeError, ValueError):  # a link loop, a name too long for the system
            yield key, "佐证材料路径无法解析", _short(raw), "存在的文件"
            continue
        if not inside:
            yield key, "佐证材料路径指向申报文件所在目录之外", _short(raw), "申报文件所在目录内的文件"
        elif is_dir:
            yield key, "佐证材料路径是目录，不是文件", raw, "目录中的一个文件"
        elif not is_file:
            yield key, "佐证材料文件不存在", _short(raw), "存在的文件"


def _institution(app: InstitutionApplication) -> Iterator[Finding]:
    beds = app.beds
    if beds.operating > beds.approved:
        yield ("beds", "operating"), "实际运营床位数大于核定床位数", str(beds.operating), f"≤ {beds.approved}"
    if beds.nursing_type > beds.approved:
        yield ("beds", "nursing_type"), "护理型床位数大于核定床位数", str(beds.nursing_type), f"≤ {beds.approved}"
    seen_months: dict[str, int] = {}
    for i, month in enumerate(app.occupancy):
        operating = month.operating if month.operating is not None else beds.operating
        if month.occupied > operating:
            yield ("occupancy", i, "occupied"), "在住床位数大于实际运营床位数", str(month.occupied), f"≤ {operating}"
        if month.operating is not None and month.operating > beds.approved:
            yield (
                ("occupancy", i, "operating"),
                "当月运营床位数大于核定床位数",
                str(month.operating),
                f"≤ {beds.approved}",
            )
        if month.month in seen_months:
            yield (
                ("occupancy", i, "month"),
                f"月份重复（第 {seen_months[month.month] + 1} 项已填）",
                month.month,
                "每月一项",
            )
        seen_months.setdefault(month.month, i)
        if month.month > app.assessment_date.strftime("%Y-%m"):
            yield ("occupancy", i, "month"), "月份晚于评价基准日", month.month, f"不晚于 {app.assessment_date:%Y-%m}"
    if app.residents is not None:
        residents = app.residents
        total = sum(residents.by_ability.values())
        if total != residents.total:
            yield ("residents", "by_ability"), "各能力等级人数之和不等于在住总数", str(total), str(residents.total)
        intact = residents.by_ability.get(Ability.INTACT, 0)
        if residents.dementia_intact > intact:
            yield ("residents", "dementia_intact"), "大于“能力完好”人数", str(residents.dementia_intact), f"≤ {intact}"
        if residents.total > beds.operating:
            yield ("residents", "total"), "在住老年人数大于实际运营床位数", str(residents.total), f"≤ {beds.operating}"
    ids: dict[str, int] = {}
    for i, member in enumerate(app.staff):
        if member.id in ids:
            yield ("staff", i, "id"), f"工号重复（与第 {ids[member.id] + 1} 名人员相同）", member.id, "每人唯一的工号"
        ids.setdefault(member.id, i)
        for j, cert in enumerate(member.certificates):
            if cert.issued and cert.expires and cert.expires < cert.issued:
                yield (
                    ("staff", i, "certificates", j, "expires"),
                    "有效期早于发证日期",
                    str(cert.expires),
                    f"晚于 {cert.issued}",
                )
    licence = app.qualifications.medical_licence
    if licence and licence.expires and licence.expires < licence.issued:
        yield (
            ("qualifications", "medical_licence", "expires"),
            "有效期早于取得日期",
            str(licence.expires),
            f"晚于 {licence.issued}",
        )
    for i, agreement in enumerate(app.agreements):
        if agreement.expires and agreement.expires < agreement.signed:
            yield ("agreements", i, "expires"), "到期日早于签约日期", str(agreement.expires), f"晚于 {agreement.signed}"
    if app.satisfaction and app.satisfaction.satisfied > app.satisfaction.surveyed:
        s = app.satisfaction
        yield ("satisfaction", "satisfied"), "满意问卷数大于有效问卷数", str(s.satisfied), f"≤ {s.surveyed}"


def _region(app: RegionApplication) -> Iterator[Finding]:
    ind = app.indicators
    for ratio in REGION_RATIOS:
        part, whole = ratio.numerator, ratio.denominator
        a, b = getattr(ind, part), getattr(ind, whole)
        if a is not None and b is not None and a > b:
            yield ("indicators", part), f"大于 indicators.{whole}", str(a), f"≤ {b}"


def self_score_problems(loaded: LoadedApplication, criteria: dict[str, float]) -> list[Problem]:
    """Self-scores must name criteria of the rubric and stay within their points."""
    problems = []
    for key, score in loaded.app.self_scores.items():
        if key not in criteria:
            problems.append(
                loaded.document.problem(
                    ("self_scores", key), "评分标准中没有这个指标" + did_you_mean(key, criteria), found=key
                )
            )
        elif not 0 <= score <= criteria[key]:
            problems.append(
                loaded.document.problem(
                    ("self_scores", key), "自评分超出范围", found=str(score), expected=f"0 至 {criteria[key]:g}"
                )
            )
    for key in loaded.app.self_notes:
        if key not in criteria:
            problems.append(
                loaded.document.problem(
                    ("self_notes", key), "评分标准中没有这个指标" + did_you_mean(key, criteria), found=key
                )
            )
    return problems


def with_evidence_types(
    loaded: LoadedApplication, evidence_types: dict[str, str]
) -> tuple[LoadedApplication, list[Problem]]:
    """Attachments typed by the rubric's evidence types: a Chinese name stands for its code; a type
    the rubric does not know is a problem listing the known ones (it would otherwise be ignored
    and the evidence reported missing)."""
    by_label = {label: code for code, label in evidence_types.items()}
    problems: list[Problem] = []
    attachments = []
    renamed = []
    allowed = "、".join(f"{label}（{code}）" for code, label in evidence_types.items())
    for i, attachment in enumerate(loaded.app.attachments):
        kind = attachment.type.strip()
        if kind in evidence_types:
            attachments.append(attachment)
        elif (
            kind in by_label
            or len(partial := [c for c, label in evidence_types.items() if kind and kind in label]) == 1
        ):
            code = by_label[kind] if kind in by_label else partial[0]
            attachments.append(attachment.model_copy(update={"type": code}))
            renamed.append(kind)
        else:
            hint = did_you_mean(kind, evidence_types if kind.isascii() else by_label)
            message = "评分标准中没有这种佐证材料类型" + hint
            problems.append(
                loaded.document.problem(("attachments", i, "type"), message, found=f"“{kind}”", expected=allowed)
            )
            attachments.append(attachment)
    if not renamed or problems:
        return loaded, problems
    app = loaded.app.model_copy(update={"attachments": attachments})
    return LoadedApplication(app, loaded.document, loaded.sha256, loaded.notes), problems
