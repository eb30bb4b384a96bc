"""Load benchmark of the web workbench (not a test): prints figures, asserts nothing.

    PYTHONPATH=src:. python bench/bench_web.py [--applicants 500] [--users 50] [--duration 60]

Builds a workspace with ``applicants`` institutions (the shipped samples, repeated; their
checks are not precomputed, so each application's first view evaluates it), starts
``shifan serve --workers N`` (default: one per CPU core) on 127.0.0.1 only, signs ``users``
people in (80 % applicants, 10 % experts, 10 % staff; sign-in is not measured) and lets each
act for ``duration`` seconds. Every person waits a think time drawn uniformly from
``--think-min``–``--think-max`` seconds (default 1–3 s) before each action, then:

* an applicant opens their application page (the check result beside the form) and, one time
  in two, at once saves the form with a changed contact name (a new version: stored and
  re-checked, the page drawn again) — a save follows its page view without a think time;
* an expert opens an assigned applicant's review page (check + panel reconciliation);
* a staff member opens the round dashboard (totals of all ``applicants``, the first page of the
  applicant table with their flags and the recommendation pre-flight of all, 70 %) or the audit
  log (30 %). As no check is precomputed, the first
  dashboard view finds no kept summary rows and has them worked out in the background of each
  server process (the page says how many are pending until then).

The think time is shorter than a person's (reading a page of results or filling a form takes
ten seconds or more), so 50 simulated users make the load of a few hundred real ones.

Prints, per kind of request, the count and p50/p95/max of the latency the client saw, and p50/p95
of the server's own time from the ``Server-Timing`` header (``total``: from the application
receiving the request to its response; ``handler``: the handler thread; ``cpu``: that thread's
processor time), so time spent queueing on a busy machine can be told apart from the server's
work; then throughput, the error count and the load average at the start and the end. PDF
generation is left out (a PDF takes seconds and runs in a background job or a worker thread).
Everything is bounded: at most ``users`` connections, for ``duration`` seconds, to localhost only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

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
TIMING = re.compile(r"(\w+);dur=([\d.]+)")
#: One measured request: client latency, then the server's total, handler and cpu time, and when it
#: started (seconds; the start from the beginning of the run, in ``time.perf_counter`` terms).
Sample = tuple[float, float, float, float, float]


async def measured(record: list[Sample], request: Any) -> httpx.Response:
    """Await ``request``, appending its client latency and the server's own times to ``record``."""
    started = time.perf_counter()
    response: httpx.Response = await request
    elapsed = time.perf_counter() - started
    server = {name: float(value) / 1000 for name, value in TIMING.findall(response.headers.get("server-timing", ""))}
    record.append((elapsed, server.get("total", 0.0), server.get("handler", 0.0), server.get("cpu", 0.0), started))
    return response


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
    record: dict[str, list[Sample]],
    errors: list[str],
) -> None:
    form_data = None
    while time.monotonic() < until:
        await asyncio.sleep(random.uniform(*think))
        if time.monotonic() >= until:
            break
        try:
            if role == "applicant":
                response = await measured(record["申报页（含核验结果）"], client.get(f"/applications/{target}"))
                ok = response.status_code == 200
                if ok and random.random() < 0.5:
                    if form_data is None:
                        form_data = read_yaml(
                            Path(data_dir("applications") / "institutions" / "01-kangning-eligible.yaml").read_bytes()
                        )
                        form_data = {k: v for k, v in form_data.items() if k not in ("attachments", "kind")}
                    form_data["contact"] = f"联系人 {random.randint(0, 10**6)}"
                    version = VERSION.search(response.text).group(1)  # type: ignore[union-attr]
                    form: dict[str, list[str]] = {"csrf": [token], "version": [version]}
                    for key, value in flatten(form_data):
                        form.setdefault(key, []).append(value)
                    response = await measured(
                        record["保存（重新核验）"], client.post(f"/applications/{target}/save", data=form)
                    )
                    ok = response.status_code == 200
            elif role == "expert":
                response = await measured(record["评审页（含合议）"], client.get(f"/reviews/{target}"))
                ok = response.status_code == 200
            else:
                dashboard = random.random() < 0.7
                kind = "工作台（全部申报）" if dashboard else "审计日志"
                response = await measured(record[kind], client.get("/staff/rounds/1" if dashboard else "/staff/audit"))
                ok = response.status_code == 200
            if not ok:
                errors.append(f"{username}: HTTP {response.status_code}")
        except httpx.HTTPError as error:
            errors.append(f"{username}: {type(error).__name__}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main_async(args: argparse.Namespace, base: str, people: dict[str, list[tuple[str, int]]]) -> None:
    record: dict[str, list[Sample]] = defaultdict(list)
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
    load_start = load_average()
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
    report(record, errors, elapsed, len(tasks), load_start)


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report(record: dict[str, list[Sample]], errors: list[str], elapsed: float, users: int, load_start: str) -> None:
    """The table: per kind of request, client latency and the server's own time (milliseconds)."""
    everything = [sample for samples in record.values() for sample in samples]
    print(
        f"\n{users} 个并发用户，{elapsed:.0f} 秒，{len(everything)} 个请求，吞吐量 {len(everything) / elapsed:.1f} 个/秒"
    )
    print(
        f"错误 {len(errors)} 个；负载（1/5/15 分钟平均）开始 {load_start}，结束 {load_average()}；CPU 核数 {os.cpu_count()}"
    )
    print(
        "单位 ms；客户端 = 客户端测得的响应时间；服务器 = 应用收到请求到开始响应；处理 = 处理线程用时（其中 CPU 时间）"
    )
    print(
        f"{'请求':<12}{'次数':>6}  {'客户端 p50':>10}{'p95':>7}{'最大':>7}  {'服务器 p50':>10}{'p95':>7}"
        f"  {'处理 p50':>8}{'p95':>7}  {'CPU p50':>8}{'p95':>7}"
    )
    for name, rows in [*sorted(record.items()), ("全部", everything)]:
        if not rows:
            continue
        columns = [[row[i] * 1000 for row in rows] for i in range(4)]
        client, total, handler, cpu = columns
        print(
            f"{name:<12}{len(rows):>6}  {statistics.median(client):>10.0f}{percentile(client, 0.95):>7.0f}"
            f"{max(client):>7.0f}  {statistics.median(total):>10.0f}{percentile(total, 0.95):>7.0f}"
            f"  {statistics.median(handler):>8.0f}{percentile(handler, 0.95):>7.0f}"
            f"  {statistics.median(cpu):>8.0f}{percentile(cpu, 0.95):>7.0f}"
        )
    if everything:
        first = min(sample[4] for sample in everything)
        slowest = sorted(((s, n) for n, rows in record.items() for s in rows), key=lambda item: -item[0][0])[:5]
        print("最慢的请求：" + "；".join(f"{n} {s[0] * 1000:.0f} ms（第 {s[4] - first:.0f} 秒）" for s, n in slowest))
    for error in errors[:10]:
        print("  错误：", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of browsing and saving (after sign-in)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="shifan serve --workers (default: CPU cores)"
    )
    parser.add_argument("--think-min", type=float, default=1.0, help="seconds before each action, at least")
    parser.add_argument("--think-max", type=float, default=3.0, help="seconds before each action, at most")
    args = parser.parse_args()
    if not (1 <= args.users <= 200 and 1 <= args.duration <= 600):
        parser.error("bounded: at most 200 users and 600 seconds")
    with tempfile.TemporaryDirectory(prefix="shifan-bench-web-") as tmp:
        workspace = Path(tmp) / "ws"
        started = time.monotonic()
        people = build(workspace, args.applicants, args.users)
        print(
            f"工作目录：{args.applicants} 个申报，用时 {time.monotonic() - started:.0f} 秒；shifan serve --workers {args.workers}"
        )
        server = Server(workspace, workers=args.workers).start()
        try:
            asyncio.run(main_async(args, server.url, people))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
