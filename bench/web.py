"""Web throughput and latency on loopback: the daily page, paper pages and search, over the real
74,728-paper arXiv corpus, with `paperboard serve --workers 2` and wrk (Debian package) as the client.

    .venv/bin/python bench/web.py                   # builds .cache/bench-web once, then measures
    .venv/bin/python bench/web.py --markdown        # rows for bench/RESULTS.md

The store: the corpus, plus a daily feed of 40 submissions on each of its last 30 listing days (the
wire shape of Hugging Face's /api/daily_papers, deterministic upvotes). Paper pages cycle through 1,000
papers; searches cycle through the queries of the seed dev set. Client and server share the 2 cores,
so the figures are a floor for a server with the machine to itself.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx

logging.getLogger("httpx").setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PAPERBOARD_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "arxiv-cs-2025-2026.jsonl.gz"
QUERIES = SHARED / "eval" / "seed-queries-dev.jsonl"

# wrk script: cycle through the paths given in PATHS_FILE; report percentiles as JSON
LUA = """
local paths, i = {}, 0
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local bust, n = os.getenv("BUST_CACHE") == "1", 0
request = function()
  i = i % #paths + 1
  if bust then  -- a query string never seen before: the anonymous-page cache cannot answer it
    n = n + 1
    local sep = string.find(paths[i], "?", 1, true) and "&" or "?"
    return wrk.format("GET", paths[i] .. sep .. "nocache=" .. math.random(1, 1e9) .. "-" .. n)
  end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format('RESULT {"requests": %d, "seconds": %.3f, "errors": %d, '
    .. '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def build(data: Path, url: str | None = None) -> None:
    """The corpus and a daily feed in the database at ``url`` (a SQLite file in ``data`` by default),
    indexed in ``data``."""
    from paperboard.ingest.files_job import ingest_file
    from paperboard.search.service import SearchIndex
    from paperboard.storage.engine import open_database

    data.mkdir(parents=True, exist_ok=True)
    engine = open_database(url or f"sqlite:///{data / 'paperboard.sqlite3'}")
    started = time.perf_counter()
    ingest_file(engine, str(CORPUS))
    with gzip.open(CORPUS, "rt") as f:
        records = [json.loads(line) for line in f]
    per_day = Counter(r["listed"] for r in records)
    days = sorted(d for d, n in per_day.items() if n >= 40)[-30:]
    rnd = random.Random(42)
    items = []
    for day in days:
        for n, r in enumerate(rnd.sample([r for r in records if r["listed"] == day], 40)):
            at = f"{day}T{6 + n % 12:02d}:{n:02d}:00.000Z"
            items.append({"paper": {"id": r["id"], "title": r["title"], "summary": r["summary"],
                                    "authors": [{"name": a} for a in r["authors"]],
                                    "submittedOnDailyAt": at, "upvotes": int(rnd.paretovariate(1.2)) - 1},
                          "publishedAt": at, "title": r["title"], "numComments": rnd.randint(0, 6),
                          "submittedBy": {"name": f"reader{n % 7}", "fullname": f"Reader {n % 7}"}})
    dump = data / "daily.json"
    dump.write_text(json.dumps(items))
    ingest_file(engine, str(dump))
    SearchIndex(data).catch_up(engine)
    engine.dispose()
    print(f"built {data} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_live(url: str, server: subprocess.Popen, seconds: float,  # type: ignore[type-arg]
                    why: str = "") -> None:
    """Until ``url``/livez answers 200; exit when ``server`` ends or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url + "/livez", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"the server did not start{why}")
        time.sleep(0.3)


def wrk(url: str, paths: list[str], seconds: int, connections: int, work: Path, bust: bool) -> dict:
    script, paths_file = work / "cycle.lua", work / "paths.txt"
    script.write_text(LUA)
    paths_file.write_text("\n".join(paths) + "\n")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        env={**os.environ, "PATHS_FILE": str(paths_file), "BUST_CACHE": "1" if bust else "0"},
        capture_output=True, text=True, check=True,
    ).stdout
    result = json.loads(out.split("RESULT ", 1)[1])
    result["requests_per_s"] = round(result["requests"] / result["seconds"], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".cache" / "bench-web")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 16],
                        help="concurrent connections; each count is a separate run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    if not (args.data_dir / "paperboard.sqlite3").exists():
        partial = args.data_dir.with_name(args.data_dir.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        build(partial)
        partial.rename(args.data_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PAPERBOARD_DATA_DIR": str(args.data_dir)}
    env.pop("PAPERBOARD_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "paperboard", "serve", "--port", str(port),
                               "--workers", str(args.workers)], env=env)
    try:
        wait_until_live(url, server, 120)
        ids = [item["paper"]["id"] for item in httpx.get(url + "/api/daily_papers?limit=100").json()]
        with gzip.open(CORPUS, "rt") as f:
            every = [json.loads(line)["id"] for line in f]
        paper_ids = random.Random(1).sample(every, 1000)
        queries = [json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line.strip()]
        scenarios = {  # name: (paths, bypass the anonymous-page cache)
            "daily page (/)": (["/"], False),
            "daily page (/), uncached": (["/"], True),
            "paper page, uncached": ([f"/papers/{i}" for i in paper_ids], True),
            "search page, uncached": ([f"/search?q={quote(q)}" for q in queries], True),
            "card thumbnail (a cover), uncached": ([f"/papers/{i}/thumbnail" for i in ids], True),
            "API /api/daily_papers, uncached": (["/api/daily_papers?limit=50"], True),
            "API /api/papers/search, uncached": (
                [f"/api/papers/search?q={quote(q)}&limit=20" for q in queries], True),
        }
        assert ids, "the daily feed is empty"
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            for name, (paths, bust) in scenarios.items():
                for p in paths[:50]:  # warm up the workers (first queries load model pages from disk)
                    httpx.get(url + p, timeout=30).raise_for_status()
                for connections in args.connections:
                    results[f"{name} @{connections}"] = wrk(url, paths, args.seconds, connections, Path(tmp),
                                                            bust)
    finally:
        server.terminate()
        server.wait(15)
    if args.markdown:
        print("| scenario @ connections | requests/s | p50 ms | p95 ms | p99 ms | errors |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, r in results.items():
            print(f"| {name} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
                  f"{r['p99_ms']:.1f} | {r['errors']} |")
    else:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
