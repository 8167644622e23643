"""Ingest throughput: papers/s parsed and stored in a fresh SQLite store (search indexing is separate).

    .venv/bin/python bench/ingest.py                 # the 74,728-paper corpus and a synthetic 1M corpus
    .venv/bin/python bench/ingest.py --synthetic 0   # the real corpus only

Each corpus is ingested into an empty store, then ingested again (everything unchanged).
Prints a JSON report; `--markdown` prints the rows for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperboard.ingest.files import DumpFile
from paperboard.ingest.files_job import ingest_file
from paperboard.storage.engine import open_database
from synthetic import CORPUS, base_records, synthetic, write_jsonl


def measure(path: Path, workdir: Path) -> dict:
    started = time.perf_counter()
    parsed = sum(1 for _ in DumpFile(path))
    parse_s = time.perf_counter() - started
    db = workdir / f"{path.stem}.sqlite3"
    engine = open_database(f"sqlite:///{db}")
    first = ingest_file(engine, str(path))
    again = ingest_file(engine, str(path))
    engine.dispose()
    size = db.stat().st_size + sum(p.stat().st_size for p in workdir.glob(f"{db.name}-*"))
    return {
        "file": path.name,
        "papers": parsed,
        "parse_only_per_s": round(parsed / parse_s),
        "ingest_s": round(first.seconds, 2),
        "ingest_per_s": round(first.processed / first.seconds),
        "reingest_s": round(again.seconds, 2),
        "reingest_per_s": round(again.processed / again.seconds),
        "added": first.added,
        "unchanged_on_reingest": again.unchanged,
        "db_mb": round(size / 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--synthetic", type=int, default=1_000_000,
                        help="papers in the synthetic corpus (0: skip)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        work = Path(tmp)
        results.append(measure(CORPUS, work))
        if args.synthetic:
            path = work / f"synthetic-{args.synthetic}.jsonl"
            write_jsonl(path, synthetic(args.synthetic, base_records()))
            results.append(measure(path, work))
    report = {"cpus": os.cpu_count(), "results": results}
    if args.markdown:
        for r in results:
            print(f"| {r['file']} | {r['papers']:,} | {r['parse_only_per_s']:,} | {r['ingest_s']} | "
                  f"{r['ingest_per_s']:,} | {r['reingest_per_s']:,} | {r['db_mb']:,} |")
    else:
        print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
