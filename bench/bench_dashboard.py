"""Server time of one round's staff dashboard (not a test): prints figures, asserts nothing.

    PYTHONPATH=src:. python bench/bench_dashboard.py [--applicants 500 2000] [--repeat 15]
        [--src OTHER/src] [--keep DIR] [--url '?city=第3市']

For each size, builds a round of that many institutions (``bench_web.build``, with statuses,
eligibility, scores and kinds varied), starts ``shifan serve --workers 1`` on 127.0.0.1 for this
source tree and for every ``--src`` tree given (another checkout's ``src``, e.g. the code before
a change), signs one staff member in to each, waits until every applicant's row has been worked
out (the dashboard no longer says 正在核验), then asks each server in turn (A B A B …, so that the
machine's load falls on all alike) for the dashboard and for every ``--url`` variant, ``repeat``
times each. Prints per server and URL the medians of the ``Server-Timing`` figures (``total``,
``handler``, ``cpu``), the client's latency and the page size. ``--keep DIR`` keeps the built
workspaces (``DIR/N``) and reuses them on the next run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import update

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from bench_web import PASSWORD, TIMING, build  # noqa: E402
from tests.web.server import Server  # noqa: E402

from shifan.web import Settings, create_app  # noqa: E402
from shifan.web.db import Applicant  # noqa: E402

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def varied(workspace: Path) -> None:
    """Statuses, eligibility, scores, data errors and kinds spread over the applicants."""
    app = create_app(Settings(workspace))
    with app.state.shifan.db.session() as session:
        session.execute(update(Applicant).where(Applicant.id % 3 == 0).values(status="submitted"))
        session.execute(update(Applicant).where(Applicant.id % 4 == 0).values(eligible=True, score=80.5))
        session.execute(update(Applicant).where(Applicant.id % 4 == 1).values(eligible=False, score=55.0))
        session.execute(update(Applicant).where(Applicant.id % 11 == 0).values(problems=2))
        session.execute(update(Applicant).where(Applicant.id % 7 == 0).values(kind="region"))
    app.state.shifan.db.engine.dispose()


def workspace_for(size: int, keep: Path | None, tmp: Path) -> Path:
    workspace = (keep or tmp) / str(size) / "ws"
    if not (workspace / "shifan.db").exists():
        started = time.monotonic()
        workspace.parent.mkdir(parents=True, exist_ok=True)
        build(workspace, size, 10)
        varied(workspace)
        print(f"{size} 个申报：工作目录建好，用时 {time.monotonic() - started:.0f} 秒")
    return workspace


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120, follow_redirects=False)
    token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": "staff0", "password": PASSWORD, "csrf": token})
    assert response.status_code == 303, response.text
    return client


def settled(client: httpx.Client, path: str, timeout: float = 900) -> None:
    """Wait until the server has worked out every applicant's row (its background fill)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(path).text
        if "正在核验" not in page:
            return
        time.sleep(2)
    raise RuntimeError("the rows were not worked out in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--src", type=Path, action="append", default=[], help="another source tree to serve")
    parser.add_argument("--url", action="append", default=[], help="a query string to time as well, e.g. ?page=2")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the built workspaces under this folder")
    args = parser.parse_args()
    if not all(1 <= n <= 5000 for n in args.applicants) or not 1 <= args.repeat <= 200:
        parser.error("bounded: at most 5000 applicants and 200 repeats")
    trees = [ROOT / "src", *(path.resolve() for path in args.src)]
    with tempfile.TemporaryDirectory(prefix="shifan-bench-dashboard-") as tmp:
        for size in args.applicants:
            workspace = workspace_for(size, args.keep, Path(tmp))
            servers: list[Server] = []
            try:
                for tree in trees:
                    os.environ["PYTHONPATH"] = str(tree)
                    servers.append(Server(workspace, workers=1).start())
                clients = [signed_in(server.url) for server in servers]
                paths = ["/staff/rounds/1", *(f"/staff/rounds/1{query}" for query in args.url)]
                for client in clients:
                    settled(client, paths[0])
                    for path in paths:
                        client.get(path)  # warm
                figures: dict[tuple[int, str], list[tuple[float, ...]]] = {}
                for _ in range(args.repeat):
                    for path in paths:
                        for i, client in enumerate(clients):
                            started = time.perf_counter()
                            response = client.get(path)
                            latency = (time.perf_counter() - started) * 1000
                            assert response.status_code == 200, response.status_code
                            server = dict(TIMING.findall(response.headers.get("server-timing", "")))
                            figures.setdefault((i, path), []).append(
                                (
                                    float(server.get("total", 0)),
                                    float(server.get("handler", 0)),
                                    float(server.get("cpu", 0)),
                                    latency,
                                    len(response.content) / 1024,
                                )
                            )
            finally:
                for server in servers:
                    server.stop()
            print(f"\n{size} 个申报，每项 {args.repeat} 次，中位数（ms；页面 KB）")
            print(f"{'源码':<28}{'地址':<36}{'total':>8}{'handler':>9}{'cpu':>8}{'客户端':>8}{'KB':>8}")
            for (i, path), rows in sorted(figures.items()):
                medians = [statistics.median(column) for column in zip(*rows, strict=True)]
                label = str(trees[i].parent.name + "/" + trees[i].name)[-27:]
                print(
                    f"{label:<28}{path[-35:]:<36}{medians[0]:>8.1f}{medians[1]:>9.1f}{medians[2]:>8.1f}"
                    f"{medians[3]:>8.1f}{medians[4]:>8.0f}"
                )


if __name__ == "__main__":
    main()
