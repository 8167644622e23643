"""Relevance benchmarks: nDCG@10, Recall@10 and MRR of BM25, dense and hybrid search on judged queries.

Qrels files are JSONL ``{"query": ..., "relevant": {title or id: grade}}``; a judgment names a paper by
id when the corpus has that id, else by title.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from ..ids import title_hash
from ..ingest.files_job import ingest_file
from ..ingest.gist_job import refresh as refresh_gists
from ..storage.engine import open_database
from ..storage.papers import iter_papers
from .milvus import MilvusSearch
from .querying import HybridSearch
from .service import SearchIndex

MODES = ("bm25", "dense", "hybrid")
BACKENDS = ("embedded", "milvus")


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    dcg = sum((2 ** relevant.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    wanted = {pid for pid, g in relevant.items() if g > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int]) -> float:
    for i, pid in enumerate(ranked):
        if relevant.get(pid, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def load_qrels(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def resolve(judgments: Mapping[str, int], ids: set[str], by_title: Mapping[int, str]) -> dict[str, int]:
    out = {}
    for key, grade in judgments.items():
        pid = key if key in ids else by_title.get(title_hash(key))
        if pid is not None:
            out[pid] = max(grade, out.get(pid, 0))
    return out


def run_relevance(corpus: Path, qrels_files: Sequence[Path], *, embedder: str = "wordllama",
                  modes: Sequence[str] = MODES, on_query: Callable[[], None] | None = None,
                  details: bool = False, backend: str = "embedded") -> dict[str, Any]:
    """Build a fresh store and index from ``corpus`` in a temporary folder and score every query;
    ``backend``: the embedded index, or ``milvus`` (Milvus Lite in the same folder)."""
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="paperboard-bench-") as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        ingest_file(engine, str(corpus))
        refresh_gists(engine, workers=1)  # as `paperboard ingest` does before indexing
        index: HybridSearch = (MilvusSearch(str(Path(tmp) / "milvus.db"), embedder) if backend == "milvus"
                               else SearchIndex(Path(tmp), embedder))
        index.reindex(engine)
        with engine.connect() as conn:
            by_title = {title_hash(p.title): p.id for p in iter_papers(conn)}
        ids = set(by_title.values())
        for qrels_path in qrels_files:
            per_mode: dict[str, Any] = {}
            rows = load_qrels(qrels_path)
            for mode in modes:
                scores = {"ndcg@10": 0.0, "recall@10": 0.0, "mrr": 0.0}
                per_query = []
                for row in rows:
                    relevant = resolve(row["relevant"], ids, by_title)
                    ranked = [h.id for h in index.search(engine, row["query"], limit=100, mode=mode).hits]
                    n = ndcg_at(ranked, relevant)
                    r = recall_at(ranked, relevant)
                    m = reciprocal_rank(ranked, relevant)
                    scores["ndcg@10"] += n
                    scores["recall@10"] += r
                    scores["mrr"] += m
                    per_query.append({"query": row["query"], "ndcg@10": round(n, 4)})
                    if on_query:
                        on_query()
                summary: dict[str, Any] = {k: round(v / max(1, len(rows)), 4) for k, v in scores.items()}
                if details:
                    summary["queries"] = per_query
                per_mode[mode] = summary
            report[str(qrels_path)] = per_mode
        engine.dispose()
        index.close()
    return report
