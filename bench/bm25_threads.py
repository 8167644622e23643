"""BM25 indexing with one writer thread (what Paperboard does) against two, on the shared arXiv corpus:
how long each takes, and whether builds of the same papers rank equal scores in the same order.

    .venv/bin/python bench/bm25_threads.py [--papers 74728] [--builds 3]

Each build writes the papers in batches of 2,048 into a new tantivy index, as a catch-up does.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

import orjson
import tantivy

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperboard.models import Paper
from paperboard.search.lexical import WRITER_HEAP, LexicalIndex, LexicalWriter
from synthetic import CORPUS

QUERIES = ("diffusion", "language models", "graph neural networks", "robot")


def papers(n: int) -> list[Paper]:
    out = []
    with gzip.open(CORPUS, "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            out.append(Paper(id=r["id"], title=r["title"], abstract=r.get("summary") or ""))
            if len(out) == n:
                break
    return out


def build(folder: Path, batch: list[Paper], threads: int) -> tuple[float, list]:
    index = LexicalIndex(folder)
    started = time.perf_counter()
    writer: tantivy.IndexWriter = index.index.writer(heap_size=WRITER_HEAP, num_threads=threads)
    lexical = LexicalWriter(writer, index._document)
    for start in range(0, len(batch), 2048):
        lexical.add(batch[start:start + 2048], replace=False)
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    index.index.reload()
    return seconds, [index.search(q, limit=100) for q in QUERIES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=74_728)
    parser.add_argument("--builds", type=int, default=3)
    args = parser.parse_args()
    batch = papers(args.papers)
    with tempfile.TemporaryDirectory() as work:
        for threads in (1, 2):
            times, answers = [], []
            for b in range(args.builds):
                seconds, found = build(Path(work) / f"t{threads}-{b}", batch, threads)
                times.append(seconds)
                answers.append(found)
            same = sum(a == answers[0] for a in answers[1:])
            print(f"{threads} writer thread(s): {len(batch):,} papers in {min(times):.1f}-{max(times):.1f} s "
                  f"({len(batch) / min(times):,.0f} papers/s at best); builds ranking like the first: "
                  f"{same} of {len(answers) - 1}")


if __name__ == "__main__":
    main()
