"""``shifan serve --demo``: a workspace filled with the shipped sample applications, one round,
and accounts for every role (their one-time passwords are returned to be printed once)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette

from shifan.files import data_dir, sha256_bytes
from shifan.web.app import State
from shifan.web.db import Applicant, Assignment, Attachment, AuditEntry, Round, User
from shifan.web.security import hash_password, new_password
from shifan.web.store import read_yaml, yaml_bytes

DEMO_AS_OF = dt.date(2025, 12, 31)
CITIES = {"3410": "黄山市", "3411": "滁州市", "3401": "合肥市", "3101": "上海市"}


def samples() -> list[Path]:
    """The shipped sample applications of institutions (county samples need their rosters)."""
    root = data_dir("applications")
    return sorted(
        p
        for folder in ("institutions", "anhui", "shanghai")
        for p in (root / folder).glob("*.yaml")
        if b"kind: institution" in p.read_bytes()
    )


def _user(state: State, session: Any, role: str, username: str, name: str, organisation: str = "") -> tuple[User, str]:
    password = new_password()
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=name,
        organisation=organisation,
        must_change_password=True,
    )
    session.add(user)
    session.flush()
    return user, password


def import_sample(state: State, session: Any, applicant: Applicant, path: Path, *, check: bool = True) -> None:
    """Store a sample as the applicant's first version, its evidence copied under generated names."""
    data = read_yaml(path.read_bytes())
    for item in data.get("attachments") or []:
        source = path.parent / item["path"]
        raw = source.read_bytes()
        suffix = PurePosixPath(item["path"]).suffix.lower()
        stored = state.store.write_evidence(applicant.id, raw, suffix)
        session.add(
            Attachment(
                applicant_id=applicant.id,
                stored_name=stored,
                original_name=PurePosixPath(item["path"]).name,
                evidence_type=item["type"],
                size=len(raw),
                sha256=sha256_bytes(raw),
            )
        )
        item["path"] = stored
    data.pop("rubric", None)
    name, sha = state.store.write_version(applicant.id, yaml_bytes(data), ".yaml")
    applicant.current_file, applicant.current_sha, applicant.version = name, sha, 1
    if not check:
        return
    outcome = state.store.check(applicant.id, name, criteria=None, as_of=DEMO_AS_OF)
    applicant.problems = len(outcome.problems)
    if outcome.checked is not None:
        applicant.eligible = outcome.checked.result.eligible
        applicant.score = outcome.checked.result.score


def fill_demo(app: Starlette) -> list[tuple[str, str, str]]:
    """Fill the workspace once; returns (role, username, one-time password) of the new accounts."""
    state: State = app.state.shifan
    accounts: list[tuple[str, str, str]] = []
    with state.db.session() as session:
        if session.scalar(select(User.id).where(User.username == "shengji")) is not None:
            return []
        staff, password = _user(state, session, "staff", "shengji", "省卫健委工作人员", "省卫生健康委老龄健康处")
        accounts.append(("省级工作人员", staff.username, password))
        experts = []
        for number, (name, org) in enumerate([("李医生", "省立医院老年医学科"), ("张主任", "市卫生健康委")], 1):
            expert, password = _user(state, session, "expert", f"zhuanjia{number}", name, org)
            experts.append(expert)
            accounts.append(("评审专家", expert.username, password))
        round_ = Round(
            name="2026 年度示范机构评审（演示）", rubric=None, as_of=DEMO_AS_OF, quota=3, quota_by=None, min_score=None
        )
        session.add(round_)
        session.flush()
        for number, path in enumerate(samples(), 1):
            data = read_yaml(path.read_bytes())
            user, password = _user(state, session, "applicant", f"jigou{number:02d}", data["name"])
            accounts.append(("申报单位", user.username, password))
            applicant = Applicant(
                round_id=round_.id,
                user_id=user.id,
                name=data["name"],
                kind="institution",
                city=CITIES.get(str(data.get("region_code", ""))[:4], "其他"),
            )
            session.add(applicant)
            session.flush()
            import_sample(state, session, applicant, path)
            if number <= 3:
                for expert in experts:
                    session.add(Assignment(applicant_id=applicant.id, expert_id=expert.id))
        user, password = _user(state, session, "applicant", "xinjigou", "示例市新申报护理院（虚构）")
        accounts.append(("申报单位（空白申报）", user.username, password))
        session.add(
            Applicant(round_id=round_.id, user_id=user.id, name=user.display_name, kind="institution", city="黄山市")
        )
        session.add(
            AuditEntry(
                username="shifan", action="填充演示数据", target=f"批次 {round_.id}", detail=f"{len(accounts)} 个账号"
            )
        )
    return accounts
