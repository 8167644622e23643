"""Search at scale: ingest and index build time, size, memory, hybrid query latency (p50/p95), and an
update while serving.

    .venv/bin/python bench/search.py --sizes 100000            # quick
    .venv/bin/python bench/search.py --sizes 100000 1000000    # the 1M figure
    .venv/bin/python bench/search.py --sizes 3000000           # the full-arXiv figure (40 minutes)

Each size runs fresh processes, each reporting its own peak resident memory: one ingests the
deterministic synthetic corpus (bench/synthetic.py) into a new SQLite store; one builds both indexes
(`SearchIndex.reindex`, timed); one opens them as a server would and times every query of the seed dev
set and 200 SciFact claims after one warm-up pass, then ingests and indexes 1,000 more papers as a
submission on the site does (timed) and times the queries again. A fourth ingests and indexes 25,000
more papers, as a later `paperboard ingest` would (timed, with its peak memory): enough to fold them into
the HNSW graph. A kept store (`--work`) finds those papers already there. Prints JSON; `--markdown`
prints rows for RESULTS.md.
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


UPDATE = 1_000  # papers added while serving
INGEST_UPDATE = 25_000  # papers added by a later ingest: more than FOLD_AT, so the graph is folded


def ingest(data: Path, size: int) -> dict:
    """In its own process: the store."""
    dump = data / "corpus.jsonl"
    write_jsonl(dump, synthetic(size, base_records()))
    engine = open_database(f"sqlite:///{data / 'db.sqlite3'}")
    started = time.perf_counter()
    ingest_file(engine, str(dump))
    ingest_s = time.perf_counter() - started
    dump.unlink()
    engine.dispose()
    return {"ingest_s": round(ingest_s, 1), "ingest_rss_mb": _peak_rss_mb()}


def build(data: Path) -> dict:
    """In its own process: both indexes, from nothing (timed)."""
    engine = open_database(f"sqlite:///{data / 'db.sqlite3'}")
    started = time.perf_counter()
    SearchIndex(data).reindex(engine)
    build_s = time.perf_counter() - started
    engine.dispose()
    return {"index_build_s": round(build_s, 1), "build_rss_mb": _peak_rss_mb()}


def query_latencies(index: SearchIndex, engine, qs: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    latencies = []
    for q in qs:
        t = time.perf_counter()
        index.search(engine, q, limit=10)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return round(latencies[len(latencies) // 2], 1), round(latencies[int(len(latencies) * 0.95) - 1], 1)


def write_updates(data: Path, size: int) -> None:
    """The papers ``serve`` and ``ingest_update`` add, written beforehand (the corpus they are made from
    takes memory)."""
    base = base_records()
    write_jsonl(data / "update.jsonl", synthetic(UPDATE, base, start=size))
    write_jsonl(data / "ingest-update.jsonl", synthetic(INGEST_UPDATE, base, start=size + UPDATE))


def ingest_update(data: Path) -> dict:
    """In its own process, as ``paperboard ingest`` after serving has begun: ``INGEST_UPDATE`` new
    papers stored and indexed (timed together), which folds the delta into the graph from 200k papers."""
    engine = open_database(f"sqlite:///{data / 'db.sqlite3'}")
    started = time.perf_counter()
    ingest_file(engine, str(data / "ingest-update.jsonl"))
    SearchIndex(data).catch_up(engine)
    took = time.perf_counter() - started
    engine.dispose()
    return {"ingest_update_s": round(took, 1), "ingest_update_rss_mb": _peak_rss_mb()}


def serve(data: Path) -> dict:
    """In a fresh process, as a server would: open the indexes, warm up, time every query; then ingest
    ``UPDATE`` new papers and index them in this process, and time the queries again. (A rerun on a
    kept store finds those papers unchanged: nothing to index.)"""
    engine = open_database(f"sqlite:///{data / 'db.sqlite3'}")
    index = SearchIndex(data)
    qs = queries()
    for q in qs:  # warm-up: page cache, mapped vectors, lazy loads
        index.search(engine, q, limit=10)
    p50, p95 = query_latencies(index, engine, qs)
    out = {"queries": len(qs), "p50_ms": p50, "p95_ms": p95, "serve_rss_mb": _peak_rss_mb(),
           "serve_resident_mb": resident_by_mapping()}
    ingest_file(engine, str(data / "update.jsonl"))
    started = time.perf_counter()
    index.catch_up(engine, fold=False)  # as the site does for a submitted paper
    out["update_index_s"] = round(time.perf_counter() - started, 1)
    out["p50_after_update_ms"], out["p95_after_update_ms"] = query_latencies(index, engine, qs)
    out["rss_after_update_mb"] = _peak_rss_mb()
    engine.dispose()
    return out


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
        built = in_fresh_process(ingest, data, size)
        built.update(in_fresh_process(build, data))
    if not (data / "ingest-update.jsonl").exists():
        in_fresh_process(write_updates, data, size)
    served = in_fresh_process(serve, data)
    served.update(in_fresh_process(ingest_update, data))
    return {"papers": size, **built, "index_mb": folder_mb(data / "index"), **served}


def _cell(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int | float) and value >= 1000 else str(value)


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
        keys = ["papers", "index_build_s", "index_mb", "p50_ms", "p95_ms", "ingest_rss_mb", "build_rss_mb",
                "serve_rss_mb", "update_index_s", "p95_after_update_ms", "rss_after_update_mb",
                "ingest_update_s", "ingest_update_rss_mb"]
        for r in results:  # a kept store was not built by this run: its build columns are empty
            print("| " + " | ".join(_cell(r.get(k)) for k in keys) + " |")
    else:
        print(orjson.dumps({"results": results}, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
