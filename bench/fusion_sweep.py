"""How much fusion could gain: score the hybrid with other dense weights and normalisations on cached
candidates (one BM25 and one dense list per query), for one embedder and one judged set.

    .venv/bin/python bench/fusion_sweep.py --embedder minilm                       # SciFact dev
    .venv/bin/python bench/fusion_sweep.py --embedder minilm --max-seq-length 512
    .venv/bin/python bench/fusion_sweep.py --embedder wordllama --corpus ../shared/corpus/seed-papers.jsonl \\
        --qrels ../shared/eval/seed-queries-dev.jsonl

Prints nDCG@10 for: dense alone, the shipped weighting, constant dense weights, z-score instead of
min-max normalisation, and Rocchio feedback from the top fused papers. Builds its index in a temporary
folder (minutes with MiniLM on 2 cores).
"""

from __future__ import annotations

import argparse
import tempfile
from functools import partial
from pathlib import Path

import numpy as np

from paperboard.ids import title_hash
from paperboard.ingest.files_job import ingest_file
from paperboard.search.embedders import SentenceTransformerEmbedder, make_embedder
from paperboard.search.evaluate import load_qrels, ndcg_at, resolve
from paperboard.search.hybrid import dense_weight, fuse
from paperboard.search.query import lexical_text, parse_query
from paperboard.search.service import CANDIDATES, SearchIndex
from paperboard.storage.engine import open_database
from paperboard.storage.papers import iter_papers

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def zfuse(lexical, dense, weight):  # type: ignore[no-untyped-def]
    bm25 = dict(lexical)
    ids = list(dict.fromkeys([*bm25, *dense]))
    b = np.array([bm25.get(i, 0.0) for i in ids])
    d = np.array([dense.get(i, min(dense.values())) for i in ids])
    score = (1 - weight) * (b - b.mean()) / (b.std() or 1) + weight * (d - d.mean()) / (d.std() or 1)
    return [ids[i] for i in np.argsort(-score)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="wordllama")
    parser.add_argument("--max-seq-length", type=int, help="sentence-transformers models only")
    parser.add_argument("--corpus", type=Path, default=SHARED / "eval" / "scifact" / "corpus.jsonl.gz")
    parser.add_argument("--qrels", type=Path, default=SHARED / "eval" / "scifact" / "queries-dev.jsonl")
    args = parser.parse_args()
    embedder = make_embedder(args.embedder)
    if args.max_seq_length and isinstance(embedder, SentenceTransformerEmbedder):
        embedder._model.max_seq_length = args.max_seq_length
    with tempfile.TemporaryDirectory(prefix="paperboard-sweep-") as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'db.sqlite3'}")
        ingest_file(engine, str(args.corpus))
        index = SearchIndex(Path(tmp), embedder)
        index.reindex(engine)
        with engine.connect() as conn:
            by_title = {title_hash(p.title): p.id for p in iter_papers(conn)}
        cache = []
        for row in load_qrels(args.qrels):
            q = parse_query(row["query"])
            words, _ = index._corrected_words(q)
            lexical = index.lexical.search(lexical_text(q, words), limit=CANDIDATES)
            qvec = index.embedder.embed([q.text])[0]
            dense = index.vectors.scores_for(qvec, [p for p, _ in lexical])
            dense.update(index.vectors.top(qvec, CANDIDATES))
            if index.vectors.has_passages:  # as SearchIndex.search scores them
                best = index.vectors.best_passages(qvec, list(dense))
                dense = {p: s + best.get(p, s) for p, s in dense.items()}
            cache.append((q.words, lexical, dense, qvec, resolve(row["relevant"], set(by_title.values()),
                                                                    by_title)))

        def run(weight, normalise="minmax", feedback=0):  # type: ignore[no-untyped-def]
            total = 0.0
            for words, lexical, dense, qvec, relevant in cache:
                w = weight(words) if lexical else 1.0
                ranked = ([p for p, _ in fuse(lexical, dense, weight=w)] if normalise == "minmax"
                          else zfuse(lexical, dense, w))
                if feedback:
                    q2 = qvec + np.mean([index.vectors.vector(p) for p in ranked[:feedback]], axis=0)
                    q2 /= np.linalg.norm(q2)
                    again = index.vectors.scores_for(q2, list(dense) + [p for p, _ in lexical])
                    ranked = [p for p, _ in fuse(lexical, again, weight=w)]
                total += ndcg_at(ranked, relevant)
            return round(total / len(cache), 4)

        dense_only = round(sum(ndcg_at([p for p, _ in sorted(d.items(), key=lambda kv: -kv[1])], r)
                               for _, _, d, _, r in cache) / len(cache), 4)
        print(f"dense alone                {dense_only}")
        shipped = partial(dense_weight, base=index.embedder.fusion_base)
        print(f"shipped weighting          {run(shipped)}")
        for c in (0.3, 0.4, 0.5, 0.6, 0.7):
            print(f"constant {c}               {run(lambda _w, c=c: c)}")
            print(f"constant {c}, z-score      {run(lambda _w, c=c: c, 'z')}")
        for k in (3, 5):
            print(f"shipped + feedback top {k}  {run(shipped, feedback=k)}")
        engine.dispose()


if __name__ == "__main__":
    main()
