"""Mixed load and faults on loopback: pages, searches and API writes from many accounts against
`paperboard serve --workers N`, with an ingest running beside it, on PostgreSQL and on SQLite, over the
74,728-paper corpus. Afterwards every acknowledged write is looked up in the database: present, and
never twice.

    .venv/bin/python bench/load.py --work DIR                         # PostgreSQL, then SQLite
    .venv/bin/python bench/load.py --work DIR --only postgres --fault kill-worker
    .venv/bin/python bench/load.py --work DIR --only postgres --fault restart-postgres
    .venv/bin/python bench/load.py --work DIR --markdown              # rows for bench/RESULTS.md

The stores are built once in DIR (the corpus and a daily feed, as bench/web.py builds them; PostgreSQL
is a private server of its own there, with its durable defaults: every commit synced). Each run adds
ACCOUNTS accounts with API tokens, then for SECONDS keeps CONCURRENCY requests in flight: the daily page,
paper pages and the search page (each with a query string never seen before, so that the page cache
cannot answer), the search API, upvotes and comments (each comment's text unique, to be found
afterwards). Meanwhile `paperboard ingest --no-index` stores 1,500 new papers (a day of arXiv), and the
server catches its index up every 10 s. The client plays the reverse proxy: requests come from 1,000
addresses in X-Forwarded-For (PAPERBOARD_TRUSTED_PROXIES=127.0.0.1), so per-address limits see readers.
A fault (--fault) strikes a third of the way in:
  kill-worker       kill -9 one of the server's worker processes (uvicorn starts another)
  restart-postgres  `pg_ctl restart -m immediate`: PostgreSQL stops as in a crash, recovers, restarts
Client and server share the machine's cores, so the rates are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web import CORPUS, QUERIES, ROOT, build, free_port, wait_until_live

NEW_PAPERS = 1500  # about a day of arXiv
READERS = 1000  # client addresses, as the proxy in front passes them on
WEIGHTS = {"daily page": 20, "paper page": 25, "search page": 15, "API search": 15, "API upvote": 15,
           "API comment": 10}


# --- the stores ---------------------------------------------------------------------------------------

def postgres(work: Path) -> str:
    """A durable PostgreSQL of its own in ``work``, started (or found running); the database URL."""
    env = {**os.environ, "PGTEST_DIR": str(work / "pg" / "cluster"), "PGTEST_DURABLE": "1"}
    (work / "pg").mkdir(parents=True, exist_ok=True)
    admin = subprocess.run([str(ROOT / "scripts" / "postgres")], env=env, capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1]
    from sqlalchemy import create_engine, text

    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = 'paperboard'")).first():
            conn.execute(text('CREATE DATABASE "paperboard"'))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + "/paperboard"


def store(work: Path, kind: str) -> tuple[Path, str]:
    """The data folder and database URL of a built store of ``kind``, built on first use."""
    data = work / kind / "data"
    url = postgres(work) if kind == "postgres" else f"sqlite:///{data / 'paperboard.sqlite3'}"
    done = work / kind / "built"
    if not done.exists():
        build(data, url)
        from paperboard.ingest.gist_job import refresh
        from paperboard.storage.engine import open_database

        engine = open_database(url)
        refresh(engine)  # the gists, as `paperboard ingest` writes them (else the server's catch-up would)
        engine.dispose()
        done.touch()
    return data, url


def accounts(url: str, count: int, run: str) -> list[str]:
    """``count`` new accounts, each with an API token; the tokens."""
    from paperboard.community.accounts import create_token, create_user
    from paperboard.storage.engine import open_database

    engine = open_database(url)
    tokens = []
    with engine.begin() as conn:
        for n in range(count):
            user = create_user(conn, f"load{run}x{n}", "a long enough password")
            tokens.append(create_token(conn, user, "load"))
    engine.dispose()
    return tokens


def new_papers(work: Path, run: str) -> Path:
    """NEW_PAPERS papers never stored before (corpus texts under new ids), as a JSONL file."""
    rnd = random.Random(run)
    with gzip.open(CORPUS, "rt") as f:
        records = [json.loads(line) for line in f]
    path = work / f"new-{run}.jsonl"
    with open(path, "w") as out:
        for n, r in enumerate(rnd.sample(records, NEW_PAPERS)):
            # a new paper, or a new version of the last run's
            r = {**r, "id": f"2612.{n:05d}", "title": f"{r['title']} (load run {run})"}
            out.write(json.dumps(r) + "\n")
    return path


# --- the load -----------------------------------------------------------------------------------------

class Tally:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter[str]] = defaultdict(Counter)
        self.comments: dict[str, str] = {}  # the unique text of each acknowledged comment: its paper
        self.upvotes: set[tuple[str, str]] = set()  # (token, paper) acknowledged
        self.timeline: list[tuple[float, str, int, float]] = []  # (seconds since start, kind, status or 0,
        #                                                         seconds it took)


async def one(client: httpx.AsyncClient, kind: str, rnd: random.Random, ids: list[str], queries: list[str],
              tokens: list[str], tally: Tally, start: float) -> None:
    bust = f"nocache={uuid.uuid4().hex}"
    token = rnd.choice(tokens)
    reader = {"X-Forwarded-For": f"10.0.{rnd.randrange(READERS) // 250}.{rnd.randrange(250) + 1}"}
    auth = {"Authorization": f"Bearer {token}", **reader}
    paper = rnd.choice(ids)
    comment = None
    if kind == "daily page":
        call = client.get(f"/?{bust}", headers=reader)
    elif kind == "paper page":
        call = client.get(f"/papers/{paper}?{bust}", headers=reader)
    elif kind == "search page":
        call = client.get(f"/search?q={quote(rnd.choice(queries))}&{bust}", headers=reader)
    elif kind == "API search":
        call = client.get(f"/api/papers/search?q={quote(rnd.choice(queries))}&limit=20&{bust}",
                          headers=reader)
    elif kind == "API upvote":
        call = client.post(f"/api/papers/{paper}/upvote", headers=auth)
    else:
        comment = f"load comment {uuid.uuid4().hex}"
        call = client.post(f"/api/papers/{paper}/comments", headers=auth, json={"body": comment})
    began = time.perf_counter()
    try:
        response = await call
        status = response.status_code
    except httpx.HTTPError as exc:
        status, label = 0, type(exc).__name__
    else:
        label = str(status)
    elapsed = time.perf_counter() - began
    tally.status[kind][label] += 1
    tally.timeline.append((began - start, kind, status, elapsed))
    if 200 <= status < 300:
        tally.latency[kind].append(elapsed)
        if kind == "API upvote":
            tally.upvotes.add((token, paper))
        elif comment is not None:
            tally.comments[comment] = paper


async def load(url: str, seconds: float, concurrency: int, ids: list[str], queries: list[str],
               tokens: list[str], fault=None) -> Tally:  # type: ignore[no-untyped-def]
    tally = Tally()
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    start = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        async def lane(n: int) -> None:
            rnd = random.Random(n)
            while time.perf_counter() - start < seconds:
                await one(client, rnd.choices(kinds, weights)[0], rnd, ids, queries, tokens, tally, start)

        async def strike() -> None:
            await asyncio.sleep(seconds / 3)
            await asyncio.to_thread(fault)

        tasks = [lane(n) for n in range(concurrency)] + ([strike()] if fault else [])
        await asyncio.gather(*tasks)
    return tally


def verify(url: str, tally: Tally) -> dict[str, int]:
    """Every acknowledged comment stored exactly once, every acknowledged upvote stored."""
    from sqlalchemy import create_engine, text

    from paperboard.community.accounts import secret_hash

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT body, paper_id, count(*) FROM comments "
                                 "WHERE body LIKE 'load comment %' GROUP BY body, paper_id")).all()
        stored = {body: (paper, n) for body, paper, n in rows}
        votes = set(conn.execute(text("SELECT t.token_hash, u.paper_id FROM upvotes u "
                                      "JOIN api_tokens t ON t.user_id = u.user_id")).all())
    engine.dispose()
    missing_comments = sum(1 for body, paper in tally.comments.items()
                           if stored.get(body, (None, 0))[0] != paper)
    doubled = sum(1 for _, n in stored.values() if n > 1)
    missing_votes = sum(1 for token, paper in tally.upvotes if (secret_hash(token), paper) not in votes)
    return {"acknowledged comments": len(tally.comments), "comments missing": missing_comments,
            "comments stored twice": doubled, "acknowledged upvotes": len(tally.upvotes),
            "upvotes missing": missing_votes}


# --- servers and faults -------------------------------------------------------------------------------

def serve(data: Path, url: str, workers: int, log: Path,
          every: float) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    port = free_port()
    env = {**os.environ, "PAPERBOARD_DATA_DIR": str(data), "PAPERBOARD_DATABASE_URL": url,
           "PAPERBOARD_SECRET_KEY": "load-bench-" + "k" * 32, "PAPERBOARD_ARXIV_API_URL": "http://127.0.0.1:9/x",
           "PAPERBOARD_ARXIV_RETRIES": "0", "PAPERBOARD_TRUSTED_PROXIES": "127.0.0.1"}
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "paperboard", "serve", "--port", str(port),
                                 "--workers", str(workers), *(["--index-every", str(every)] if every else []),
                                 "--no-progress"],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_until_live(base, proc, 180, f": see {log}")
    return proc, base


def kill_a_worker(server: subprocess.Popen) -> None:  # type: ignore[type-arg]
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    workers = [int(pid) for pid in children]
    if workers:  # the last is a worker process (the first may be the multiprocessing helper)
        os.kill(workers[-1], signal.SIGKILL)
        print(f"  killed worker {workers[-1]} with SIGKILL", file=sys.stderr)


def restart_postgres(work: Path) -> None:
    cluster = work / "pg" / "cluster"
    binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
    command = [str(binary), "-D", str(cluster), "-l", str(cluster / "server.log"), "-m", "immediate", "-w",
               "restart"]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    began = time.perf_counter()
    # no pipes: the server pg_ctl starts would hold them open, and this would wait for it to exit
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"  PostgreSQL crashed and restarted in {time.perf_counter() - began:.1f} s", file=sys.stderr)


def run(kind: str, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    data, url = store(args.work, kind)
    run_id = uuid.uuid4().hex[:6]
    tokens = accounts(url, args.accounts, run_id)
    extra = new_papers(args.work, run_id)
    with gzip.open(CORPUS, "rt") as f:
        ids = random.Random(1).sample([json.loads(line)["id"] for line in f], 1000)
    queries = [json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line.strip()]
    server, base = serve(data, url, args.workers, args.work / f"server-{kind}.log", args.index_every)
    fault = None
    if args.fault == "kill-worker":
        fault = lambda: kill_a_worker(server)  # noqa: E731
    elif args.fault == "restart-postgres":
        fault = lambda: restart_postgres(args.work)  # noqa: E731
    try:
        for q in queries[:5]:  # each worker opens its index and model before the clock starts
            httpx.get(base + f"/api/papers/search?q={quote(q)}", timeout=60)
        env = {**os.environ, "PAPERBOARD_DATA_DIR": str(data), "PAPERBOARD_DATABASE_URL": url}
        began = time.perf_counter()
        ingest = subprocess.Popen([sys.executable, "-m", "paperboard", "ingest", str(extra), "--no-index",
                                   "--no-progress", "--output-format", "json"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) if args.ingest else None
        tally = asyncio.run(load(base, args.seconds, args.concurrency, ids, queries, tokens, fault))
        out = ingest.communicate(timeout=600)[0] if ingest else b""
        summary = json.loads(out) if out else {}
        added = summary.get("added", 0) + summary.get("updated", 0) if summary else None
        ingest_s = summary.get("seconds", time.perf_counter() - began)  # its own time, not the load's
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    result = {"kind": kind, "workers": args.workers, "concurrency": args.concurrency, "seconds": args.seconds,
              "fault": args.fault, "ingest": {"added": added, "seconds": round(ingest_s, 1)},
              "endpoints": {}, "writes": verify(url, tally)}
    for name in WEIGHTS:
        times = sorted(tally.latency[name])
        ok = len(times)
        result["endpoints"][name] = {
            "ok": ok, "per_s": round(ok / args.seconds, 1),
            "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "p95_ms": round(times[int(0.95 * (ok - 1))] * 1000, 1) if times else None,
            "other": {k: v for k, v in tally.status[name].items() if not k.startswith("2")}}
    if args.fault:
        result["after_fault"] = recovery(tally, args.seconds / 3)
    return result


def recovery(tally: Tally, at: float) -> dict[str, object]:
    """What the fault did: the failed requests, how fast they failed, and when requests succeeded again."""
    failed = [(t, s, took) for t, _, s, took in tally.timeline
              if t >= at - 1 and not 200 <= s < 300 and s != 429]
    later_ok = [t for t, _, s, _ in tally.timeline if t > at and 200 <= s < 300]
    last_fail = max((t for t, _, _ in failed), default=at)
    back = [t for t in later_ok if t > last_fail]
    slowest = max((took for _, _, took in failed), default=0.0)
    return {"failed": len(failed), "by_status": dict(Counter(str(s) for _, s, _ in failed)),
            "slowest failure_ms": round(slowest * 1000, 1),
            "all ok again after_s": round(back[0] - at, 1) if back else None,
            "requests ok after it": sum(1 for t in later_ok if t > last_fail)}


def markdown(results: list[dict]) -> None:  # type: ignore[type-arg]
    for r in results:
        fault = f", fault: {r['fault']}" if r["fault"] else ""
        beside = (f"ingest beside it: {r['ingest']['added']:,} papers in {r['ingest']['seconds']} s"
                  if r["ingest"]["added"] is not None else "nothing stored beside it")
        print(f"\n{r['kind']}, {r['workers']} workers, {r['concurrency']} in flight, {r['seconds']} s"
              f"{fault}; {beside}\n")
        print("| endpoint | ok/s | p50 ms | p95 ms | not 2xx |")
        print("| --- | ---: | ---: | ---: | --- |")
        for name, e in r["endpoints"].items():
            other = ", ".join(f"{k}: {v}" for k, v in sorted(e["other"].items())) or "0"
            print(f"| {name} | {e['per_s']} | {e['p50_ms']} | {e['p95_ms']} | {other} |")
        w = r["writes"]
        print(f"\nwrites: {w['acknowledged comments']:,} comments and {w['acknowledged upvotes']:,} upvotes "
              f"acknowledged; missing {w['comments missing'] + w['upvotes missing']}, "
              f"stored twice {w['comments stored twice']}")
        if r.get("after_fault"):
            print(f"after the fault: {json.dumps(r['after_fault'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / ".cache" / "bench-load")
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--fault", choices=["kill-worker", "restart-postgres"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--index-every", type=float, default=10,
                        help="serve --index-every SECONDS (0: the server indexes at start only)")
    parser.add_argument("--no-ingest", dest="ingest", action="store_false",
                        help="Nothing stored meanwhile (the load alone).")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if args.fault == "restart-postgres" and args.only != "postgres":
        parser.error("--fault restart-postgres goes with --only postgres")
    args.work.mkdir(parents=True, exist_ok=True)
    results = [run(kind, args) for kind in ([args.only] if args.only else ["postgres", "sqlite"])]
    if args.markdown:
        markdown(results)
    else:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
