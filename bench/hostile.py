"""The cost of hostile searches: the most expensive queries the filter language allows, and the ones past
its limits, on the 74,728-paper corpus, through the library and through the site's search routes.

    .venv/bin/python bench/hostile.py                     # builds a store in a temporary folder (~4 min)
    .venv/bin/python bench/hostile.py --data-dir /tmp/pb  # a store `paperboard ingest` built (kept)

For each query: the median and the slowest of ``--repeat`` runs (ms), and what came back (hits, or the
400's reason). Then the median of ordinary searches alone and while four threads send the worst queries
without pause (the attack that held both cores for minutes when has: was checked on stored papers).
Prints JSON; ``--markdown`` prints rows for RESULTS.md.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "arxiv-cs-2025-2026.jsonl.gz"

EXCLUDED = ["benchmark", "vision", "graph", "robot", "speech", "image", "video", "medical", "agent",
            "quantum", "privacy", "federated", "diffusion", "wireless", "audio", "survey", "math",
            "protein", "molecule", "driving", "finance", "reinforcement", "attack"]
_COMMON = ("the model learning data results method based approach performance task training network large "
           "language models show propose paper using deep neural state art new framework tasks existing "
           "dataset methods different problem work study information time high human real structure system "
           "systems evaluation analysis multiple quality generation prediction accuracy robust efficient "
           "improve features knowledge spatial temporal graph reasoning to of in")
COMMON = _COMMON.split(" ")[:64]
RARE = [f"{a}{b}modls" for a in "bcdfghjk" for b in "aeiouyrl"][:64]  # misspelt: each looked at for a fix

# (name, query, sort, limit): the dearest queries that the limits still allow
WORST = "has:code " + " ".join(f"-{w}" for w in EXCLUDED)
WITHIN = [
    ("has:code and 23 exclusions, by upvotes", WORST, "upvotes", 120),
    ("the same, by relevance, 10 pages deep", WORST, "relevance", 201),
    ("24 authors joined by OR", " OR ".join(f'author:"{n}"' for n in
                                           ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang",
                                            "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin",
                                            "Luo", "Gao", "Zheng", "Liang", "Xie", "Song"]), "upvotes", 120),
    (f"{len(COMMON)} common words and has:code", " ".join(COMMON) + " has:code", "upvotes", 120),
    ("64 misspelt words", " ".join(RARE), "relevance", 120),
    (f"a {len(COMMON)}-word phrase", '"' + " ".join(COMMON) + '"', "relevance", 120),
    ("words, has:code, 20 exclusions, recent", "language models has:code " +
     " ".join(f"-{w}" for w in EXCLUDED[:20]), "date", 120),
]
# past the limits: refused before any index is touched
PAST = [
    ("has:code and 198 exclusions (the reported attack)",
     "has:code " + " ".join(f"-{a}{b}{c}" for a, b, c in zip("abcdefghij" * 20, "klmnopqrst" * 20,
                                                              "uvwxyzabcd" * 20, strict=True))),
    ("250 words", " ".join(COMMON * 4)),
]
ORDINARY = ["diffusion models for video generation", "knowledge distillation for small language models",
            "graph neural networks for molecules", "retrieval augmented generation", "grokking"]


def build(folder: Path) -> Path:
    from paperboard.config import load_config
    from paperboard.ingest import gist_job
    from paperboard.ingest.files_job import ingest_file
    from paperboard.search.service import SearchIndex
    from paperboard.storage.engine import open_database

    config = load_config({}, data_dir=str(folder))
    engine = open_database(config.database_url)
    ingest_file(engine, str(CORPUS))
    gist_job.refresh(engine)
    SearchIndex(folder).reindex(engine)
    engine.dispose()
    return folder


def timed(fn, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), round(max(times), 1), out


def library(board, repeat: int) -> list[dict]:  # type: ignore[no-untyped-def]
    from paperboard.errors import PaperboardError

    rows = []
    for name, q, sort, limit in WITHIN:
        p50, slowest, result = timed(lambda q=q, sort=sort, limit=limit: board.search(q, limit=limit,
                                                                                      sort=sort), repeat)
        rows.append({"query": name, "via": "library", "p50_ms": p50, "max_ms": slowest,
                     "answer": f"{len(result.hits)} hits"})
    for name, q in PAST:
        def refused(q: str = q) -> str:
            try:
                board.search(q, limit=120, sort="upvotes")
            except PaperboardError as exc:
                return f"400: {str(exc)[:60]}"
            return "answered"

        p50, slowest, said = timed(refused, repeat)
        rows.append({"query": name, "via": "library", "p50_ms": p50, "max_ms": slowest, "answer": said})
    return rows


def routes(board, repeat: int) -> list[dict]:  # type: ignore[no-untyped-def]
    """The site's search routes in process (rendering included), the page cache off."""
    from fastapi.testclient import TestClient

    from paperboard.web.app import create_app

    app = create_app(board.config, board=board, cache_seconds=0)
    asks = [("/search.bib", {"q": WORST, "sort": "upvotes"}), ("/search", {"q": WORST, "page": 10}),
            ("/api/papers/search", {"q": WORST[:250], "limit": 120}), ("/feeds/search.atom", {"q": WORST}),
            ("/search.bib", {"q": PAST[0][1], "sort": "upvotes"})]
    rows = []
    with TestClient(app) as client:
        for path, params in asks:
            p50, slowest, r = timed(lambda path=path, params=params: client.get(path, params=params), repeat)
            rows.append({"query": f"GET {path} ({len(params['q'])} characters)", "via": "site",
                         "p50_ms": p50, "max_ms": slowest, "answer": str(r.status_code)})
    return rows


def under_attack(board, seconds: float = 10.0) -> dict:  # type: ignore[no-untyped-def]
    """Ordinary searches alone, then while four threads send the worst allowed queries nonstop."""
    def ordinary() -> list[float]:
        out = []
        for q in ORDINARY * 4:
            started = time.perf_counter()
            board.search(q, limit=10)
            out.append((time.perf_counter() - started) * 1000)
        return out

    alone = ordinary()
    stop = threading.Event()
    sent = [0]

    def attacker(i: int) -> None:
        _, q, sort, limit = WITHIN[i % len(WITHIN)]
        while not stop.is_set():
            board.search(q, limit=limit, sort=sort)
            sent[0] += 1

    threads = [threading.Thread(target=attacker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    attacked = ordinary()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        attacked += ordinary()
    stop.set()
    for t in threads:
        t.join()
    return {"ordinary_p50_alone_ms": round(statistics.median(alone), 1),
            "ordinary_p50_under_attack_ms": round(statistics.median(attacked), 1),
            "ordinary_max_under_attack_ms": round(max(attacked), 1), "hostile_queries_answered": sent[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path,
                        help="a store of the corpus (built in a temporary folder if not given)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    from threadpoolctl import threadpool_limits

    from paperboard.board import Paperboard
    from paperboard.config import load_config

    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(limits=1):  # as `paperboard serve` runs
        folder = args.data_dir or build(Path(tmp))
        board = Paperboard(load_config({}, data_dir=str(folder)), fetch_from_arxiv=False)
        board.search("warm up")
        rows = library(board, args.repeat) + routes(board, args.repeat)
        load = under_attack(board)
        board.close()
    if args.markdown:
        print("| query | via | p50 ms | slowest ms | answer |\n| --- | --- | ---: | ---: | --- |")
        for r in rows:
            print(f"| {r['query']} | {r['via']} | {r['p50_ms']} | {r['max_ms']} | {r['answer']} |")
        print("\n" + ", ".join(f"{k}: {v}" for k, v in load.items()))
    else:
        out = orjson.dumps({"rows": rows, "load": load}, option=orjson.OPT_INDENT_2)
        sys.stdout.buffer.write(out + b"\n")


if __name__ == "__main__":
    main()
