"""Load benchmark of the web workbench (not a test): prints figures, asserts nothing.

    PYTHONPATH=src:. python bench/bench_web.py [--applicants 500] [--users 50] [--duration 60]

Builds a workspace with ``applicants`` institutions (the shipped samples, repeated), starts
``shifan serve`` on 127.0.0.1 only, signs ``users`` people in (80 % applicants, 10 % experts,
10 % staff) and lets each browse and save for ``duration`` seconds with a think time of
``--think-min``–``--think-max`` seconds between actions:

* applicants open their application (re-checked) and save the form (stored, re-checked);
* experts open an assigned applicant's review page (check + panel reconciliation);
* staff open the round dashboard (all applicants) and the audit log.

Prints p50/p95/max latency per kind of request and the error count. PDF generation is left out
(a PDF takes seconds and runs in a background job or a worker thread). Everything is bounded:
at most ``users`` connections, for ``duration`` seconds, to localhost only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.web.helpers import flatten  # noqa: E402
from tests.web.server import Server  # noqa: E402

from shifan.files import data_dir  # noqa: E402
from shifan.web import Settings, create_app  # noqa: E402
from shifan.web.db import Applicant, Assignment, Round, User  # noqa: E402
from shifan.web.demo import DEMO_AS_OF, import_sample, samples  # noqa: E402
from shifan.web.security import hash_password  # noqa: E402
from shifan.web.store import read_yaml  # noqa: E402

PASSWORD = "bench-password-1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def build(workspace: Path, applicants: int, users: int) -> dict[str, list[tuple[str, int]]]:
    """The workspace: one round, ``applicants`` applicants, experts and staff; returns who logs in."""
    app = create_app(Settings(workspace))
    state = app.state.shifan
    digest = hash_password(PASSWORD)
    shipped = samples()
    people: dict[str, list[tuple[str, int]]] = {"applicant": [], "expert": [], "staff": []}
    n_experts = max(1, users // 10)
    n_staff = max(1, users // 10)
    with state.db.session() as session:
        round_ = Round(name="压力测试批次", as_of=DEMO_AS_OF, quota=10)
        session.add(round_)
        session.flush()
        experts = []
        for i in range(n_experts):
            expert = User(username=f"expert{i}", password_hash=digest, role="expert", display_name=f"专家{i}")
            session.add(expert)
            experts.append(expert)
        for i in range(n_staff):
            session.add(User(username=f"staff{i}", password_hash=digest, role="staff", display_name=f"工作人员{i}"))
        session.flush()
        for i in range(applicants):
            user = User(username=f"app{i:04d}", password_hash=digest, role="applicant", display_name=f"申报单位{i}")
            session.add(user)
            session.flush()
            applicant = Applicant(
                round_id=round_.id, user_id=user.id, name=f"申报单位{i}", kind="institution", city=f"第{i % 16}市"
            )
            session.add(applicant)
            session.flush()
            import_sample(state, session, applicant, shipped[i % len(shipped)], check=False)
            expert = experts[i % n_experts]
            session.add(Assignment(applicant_id=applicant.id, expert_id=expert.id))
            if len(people["applicant"]) < users - n_experts - n_staff:
                people["applicant"].append((user.username, applicant.id))
            if i < n_experts:
                people["expert"].append((expert.username, applicant.id))
    people["staff"] = [(f"staff{i}", 1) for i in range(n_staff)]
    return people


async def login(client: httpx.AsyncClient, username: str) -> str:
    token = CSRF.search((await client.get("/login")).text).group(1)  # type: ignore[union-attr]
    response = await client.post("/login", data={"username": username, "password": PASSWORD, "csrf": token})
    assert response.status_code == 303, response.text
    return CSRF.search((await client.get("/account/password")).text).group(1)  # type: ignore[union-attr]


async def person(
    client: httpx.AsyncClient,
    token: str,
    role: str,
    username: str,
    target: int,
    until: float,
    think: tuple[float, float],
    record: dict[str, list[float]],
    errors: list[str],
) -> None:
    if True:
        form_data = None
        while time.monotonic() < until:
            await asyncio.sleep(random.uniform(*think))
            if time.monotonic() >= until:
                break
            try:
                if role == "applicant":
                    started = time.perf_counter()
                    response = await client.get(f"/applications/{target}")
                    record["申报页（含核验）"].append(time.perf_counter() - started)
                    ok = response.status_code == 200
                    if ok and random.random() < 0.5:
                        if form_data is None:
                            form_data = read_yaml(
                                Path(
                                    data_dir("applications") / "institutions" / "01-kangning-eligible.yaml"
                                ).read_bytes()
                            )
                            form_data = {k: v for k, v in form_data.items() if k not in ("attachments", "kind")}
                        form_data["contact"] = f"联系人 {random.randint(0, 10**6)}"
                        version = VERSION.search(response.text).group(1)  # type: ignore[union-attr]
                        form: dict[str, list[str]] = {"csrf": [token], "version": [version]}
                        for key, value in flatten(form_data):
                            form.setdefault(key, []).append(value)
                        started = time.perf_counter()
                        response = await client.post(f"/applications/{target}/save", data=form)
                        record["保存（含重新核验）"].append(time.perf_counter() - started)
                        ok = response.status_code == 200
                elif role == "expert":
                    started = time.perf_counter()
                    response = await client.get(f"/reviews/{target}")
                    record["评审页（含合议）"].append(time.perf_counter() - started)
                    ok = response.status_code == 200
                else:
                    path = "/staff/rounds/1" if random.random() < 0.7 else "/staff/audit"
                    started = time.perf_counter()
                    response = await client.get(path)
                    record["工作台（500 个申报）" if path.endswith("/1") else "审计日志"].append(
                        time.perf_counter() - started
                    )
                    ok = response.status_code == 200
                if not ok:
                    errors.append(f"{username}: HTTP {response.status_code}")
            except httpx.HTTPError as error:
                errors.append(f"{username}: {type(error).__name__}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main_async(args: argparse.Namespace, base: str, people: dict[str, list[tuple[str, int]]]) -> None:
    record: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    everyone = [
        (role, username, target) for role in ("applicant", "expert", "staff") for username, target in people[role]
    ]
    clients = [httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) for _ in everyone]
    limits = asyncio.Semaphore(4)  # sign in a few at a time (argon2 is deliberately slow); not measured

    async def sign_in(client: httpx.AsyncClient, username: str) -> str:
        async with limits:
            return await login(client, username)

    tokens = await asyncio.gather(*(sign_in(c, u) for c, (_, u, _) in zip(clients, everyone, strict=True)))
    started = time.monotonic()
    until = started + args.duration
    tasks = [
        person(c, t, role, username, target, until, (args.think_min, args.think_max), record, errors)
        for c, t, (role, username, target) in zip(clients, tokens, everyone, strict=True)
    ]
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    for client in clients:
        await client.aclose()
    total = [v for values in record.values() for v in values]
    print(f"\n{len(tasks)} 个并发用户，{elapsed:.0f} 秒，{len(total)} 个请求，错误 {len(errors)} 个")
    print(f"{'请求':<16} {'次数':>6} {'p50 ms':>8} {'p95 ms':>8} {'最大 ms':>8}")
    for name, values in sorted(record.items()):
        print(
            f"{name:<16} {len(values):>6} {statistics.median(values) * 1000:>8.0f} {percentile(values, 0.95) * 1000:>8.0f} {max(values) * 1000:>8.0f}"
        )
    print(
        f"{'全部':<16} {len(total):>6} {statistics.median(total) * 1000:>8.0f} {percentile(total, 0.95) * 1000:>8.0f} {max(total) * 1000:>8.0f}"
    )
    for error in errors[:10]:
        print("  错误：", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of browsing and saving (after sign-in)")
    parser.add_argument("--workers", type=int, default=1, help="shifan serve --workers")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    args = parser.parse_args()
    if not (1 <= args.users <= 200 and 1 <= args.duration <= 600):
        parser.error("bounded: at most 200 users and 600 seconds")
    with tempfile.TemporaryDirectory(prefix="shifan-bench-web-") as tmp:
        workspace = Path(tmp) / "ws"
        started = time.monotonic()
        people = build(workspace, args.applicants, args.users)
        print(f"工作目录：{args.applicants} 个申报，用时 {time.monotonic() - started:.0f} 秒")
        server = Server(workspace, workers=args.workers).start()
        try:
            asyncio.run(main_async(args, server.url, people))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
