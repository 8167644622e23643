"""The two search backends side by side on the real corpus (74,728 arXiv cs papers): the time each takes
to index it from the store, and hybrid query latency (p50/p95 over the seed dev set and 200 SciFact
claims, after one warm-up pass), and the median time of the index's own two calls in a search (BM25's
candidates; the dense scores).

    .venv/bin/python bench/backends.py [--work /tmp/backends] [--markdown]

The store is one SQLite file (kept in ``--work`` when given, so a second run skips the ingest). The
embedded index is built in the work folder; Milvus is Milvus Lite, a file in the same folder, served
from this process. Milvus Lite reimplements Milvus in Python for trials and tests: its figures say what
this project's code costs around the engine, not what a Milvus server would answer in.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperboard.ingest.files_job import ingest_file
from paperboard.ingest.gist_job import refresh as refresh_gists
from paperboard.search.backends import SearchBackend
from paperboard.search.milvus import MilvusSearch
from paperboard.search.query import parse_query
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from paperboard.storage.papers import count_papers
from search import queries, query_latencies  # the query set bench/search.py times, and how
from synthetic import CORPUS


def latencies(index: SearchBackend, engine, qs: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    for q in qs:  # warm-up pass
        index.search(engine, q, limit=10)
    return query_latencies(index, engine, qs)


def engine_share(index: SearchBackend, qs: list[str]) -> tuple[float, float]:
    """Median milliseconds of the index's two calls in a hybrid search: BM25's candidates, then the dense
    scores (of those candidates and of the nearest papers)."""
    bm25, dense = [], []
    for raw in qs:
        query = parse_query(raw)
        started = time.perf_counter()
        found = index._bm25(query, query.words, {}, query.filters)
        bm25.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index._dense(query.text, [pid for pid, _ in found], filtered=bool(query.filters))
        dense.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(bm25), 1), round(statistics.median(dense), 1)


def run(work: Path) -> dict:
    engine = open_database(f"sqlite:///{work / 'store.sqlite3'}")
    with engine.connect() as conn:
        stored = count_papers(conn)
    if not stored:
        ingest_file(engine, str(CORPUS))
        refresh_gists(engine, workers=1)
        with engine.connect() as conn:
            stored = count_papers(conn)
    qs = queries()
    report: dict = {"papers": stored, "queries": len(qs)}
    for name in ("embedded", "milvus"):
        shutil.rmtree(work / name, ignore_errors=True)
        index: SearchBackend = (MilvusSearch(str(work / name / "milvus.db")) if name == "milvus"
                                else SearchIndex(work / name))
        started = time.perf_counter()
        index.reindex(engine)
        built = time.perf_counter() - started
        p50, p95 = latencies(index, engine, qs)
        bm25, dense = engine_share(index, qs)
        report[name] = {"index_s": round(built, 1), "p50_ms": p50, "p95_ms": p95, "bm25_ms": bm25,
                        "dense_ms": dense}
        index.close()
    engine.dispose()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="keep the store here (a second run skips the ingest)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # Milvus Lite's server logs the calls it does not implement
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        report = run(args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="paperboard-backends-") as tmp:
            report = run(Path(tmp))
    if not args.markdown:
        print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    for name in ("embedded", "milvus"):
        r = report[name]
        print(f"| {name} | {report['papers']:,} | {r['index_s']} s | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['bm25_ms']} | {r['dense_ms']} |")


if __name__ == "__main__":
    main()
