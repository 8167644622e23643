"""Search at scale: index build time, size, memory and hybrid query latency (p50/p95).

    .venv/bin/python bench/search.py --sizes 100000            # quick
    .venv/bin/python bench/search.py --sizes 100000 1000000    # the 1M figure
    .venv/bin/python bench/search.py --sizes 3000000           # the full-arXiv figure (an hour)

Each size builds a fresh store from the deterministic synthetic corpus (bench/synthetic.py) and both
indexes (`SearchIndex.reindex`, timed) in one process; then a fresh process opens the indexes as a
server would and times every query of the seed dev set and 200 SciFact claims after one warm-up pass.
Each process reports its own peak resident memory (build, serve). Prints JSON; `--markdown` prints
rows for RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperboard.ingest.files_job import ingest_file
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from synthetic import SHARED, base_records, synthetic, write_jsonl


def queries() -> list[str]:
    seed = SHARED / "eval" / "seed-queries-dev.jsonl"
    claims = SHARED / "eval" / "scifact" / "queries-dev.jsonl"
    out = [orjson.loads(line)["query"] for line in seed.read_bytes().splitlines() if line.strip()]
    out += [orjson.loads(line)["query"] for line in claims.read_bytes().splitlines()[:200] if line.strip()]
    return out


def folder_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def _peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def build(data: Path, size: int) -> dict:
    """In its own process: the store, then both indexes (timed)."""
    dump = data / "corpus.jsonl"
    write_jsonl(dump, synthetic(size, base_records()))
    engine = open_database(f"sqlite:///{data / 'db.sqlite3'}")
    ingest_file(engine, str(dump))
    dump.unlink()
    started = time.perf_counter()
    SearchIndex(data).reindex(engine)
    build_s = time.perf_counter() - started
    engine.dispose()
    return {"index_build_s": round(build_s, 1), "build_rss_mb": _peak_rss_mb()}


def serve(data: Path) -> dict:
    """In a fresh process, as a server would: open the indexes, warm up, time every query."""
    engine = open_database(f"sqlite:///{data / 'db.sqlite3'}")
    index = SearchIndex(data)
    qs = queries()
    for q in qs:  # warm-up: page cache, mapped vectors, lazy loads
        index.search(engine, q, limit=10)
    latencies = []
    for q in qs:
        t = time.perf_counter()
        index.search(engine, q, limit=10)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    engine.dispose()
    return {
        "queries": len(latencies),
        "p50_ms": round(latencies[len(latencies) // 2], 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "serve_rss_mb": _peak_rss_mb(),
        "serve_resident_mb": resident_by_mapping(),
    }


def resident_by_mapping() -> dict[str, int]:
    """Resident MB now, by what is mapped: the process's own memory ("anonymous") and each file (pages
    of a mapped file are shared with the page cache; the kernel drops them first when memory is short)."""
    totals: dict[str, float] = {}
    name = "anonymous"
    try:
        lines = Path("/proc/self/smaps").read_text().splitlines()
    except OSError:  # not Linux
        return {}
    for line in lines:
        first = line.split(maxsplit=5)
        if first and "-" in first[0] and len(first) >= 5 and not first[0].endswith(":"):
            path = first[5].strip() if len(first) == 6 else ""
            if not path.startswith("/"):
                name = "anonymous"
            elif ".so" in Path(path).name:
                name = "libraries"
            else:
                name = Path(path).name
        elif first and first[0] == "Rss:":
            totals[name] = totals.get(name, 0.0) + int(first[1]) / 1024
    big = {k: round(v) for k, v in sorted(totals.items(), key=lambda kv: -kv[1]) if v >= 20}
    return big


def in_fresh_process(fn, *args):  # type: ignore[no-untyped-def]
    """Run ``fn`` in a new interpreter, so that its peak resident memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def measure(size: int, work: Path) -> dict:
    data = work / f"n{size}"
    built: dict = {}
    if not (data / "index").exists():  # a kept store (--work) is only served again
        data.mkdir(exist_ok=True)
        built = in_fresh_process(build, data, size)
    served = in_fresh_process(serve, data)
    return {"papers": size, **built, "index_mb": folder_mb(data / "index"), **served}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--work", type=Path, help="keep the stores in this folder; a store already "
                        "there is not built again, only served (to measure serving after a change)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="pb-search-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            results.append(measure(size, work))
            print(orjson.dumps(results[-1]).decode(), file=sys.stderr, flush=True)
    if args.markdown:
        for r in results:
            print(f"| {r['papers']:,} | {r.get('index_build_s', '–')} | {r['index_mb']:,} | {r['p50_ms']} | "
                  f"{r['p95_ms']} | {r.get('build_rss_mb', '–'):,} | {r['serve_rss_mb']:,} |")
    else:
        print(orjson.dumps({"results": results}, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
