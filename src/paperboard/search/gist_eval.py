"""How good the offline summaries and keywords are, by a proxy: does the gist pick its own paper out of
the corpus? (``paperboard bench gists``; results in bench/RESULTS.md.)

- **Summary.** The chosen sentence is embedded and compared with every paper's *rest*: its abstract
  without that sentence and without the title (each method's sentence is removed from its own paper,
  so no method finds its words copied, and the title the summary scorer reads is not the target). A
  sentence that says what the paper is about finds the rest of its abstract among its nearest
  neighbours; background ("LLMs have shown...") and asides do not. Baseline: the first sentence.
- **Keywords.** The keywords, joined, are embedded and compared with every paper's title (the
  authors' own keywords) and, separately, with every abstract. The keyword scorer favours phrases of
  the title, so the abstract is the target it cannot read ahead. Baseline: the most frequent phrases,
  cut to as many as the method chose, so both have the same number of words to use.

Both proxies reward what a reader wants from a gist (it is about this paper and no other) and
neither reads a reference summary, which the corpora do not have. Reported: the share of papers whose
own paper ranks first (R@1) and in the top 10 (R@10), and the mean reciprocal rank, with the embedder
the index uses (wordllama by default).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..gist import first_sentence, frequent_phrases, keywords, summarize
from ..ingest.files import DumpFile
from ..models import Paper
from ..text import sentences
from .embedders import make_embedder


def _papers(corpus: Path, limit: int | None) -> list[Paper]:
    out = []
    for item in DumpFile(corpus):
        paper = item.paper
        if isinstance(paper, Paper) and paper.abstract and paper.title:
            out.append(paper)
        if limit and len(out) >= limit:
            break
    return out


def _without(abstract: str, sentence: str | None) -> str:
    """The abstract without the sentence a summary took from it (as near as the shortening allows)."""
    if not sentence:
        return abstract
    head = sentence.rstrip("…")[:60]
    kept = [s for s in sentences(" ".join(abstract.split())) if head not in " ".join(s.split())
            and " ".join(s.split())[:60] not in sentence]
    return " ".join(kept)


def _ranks(queries: np.ndarray, targets: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """Where each query's own target (same row) ranks among all targets by cosine, 1 = first."""
    out = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        q = queries[start : start + chunk]
        sims = q @ targets.T
        own = sims[np.arange(len(q)), np.arange(start, start + len(q))]
        out[start : start + len(q)] = (sims > own[:, None]).sum(axis=1) + 1
    return out


def _metrics(ranks: np.ndarray) -> dict[str, float]:
    return {"R@1": float(np.mean(ranks == 1)), "R@10": float(np.mean(ranks <= 10)),
            "MRR": float(np.mean(1.0 / ranks))}


def run_gists(corpus: Path, *, embedder: str = "wordllama", limit: int | None = None,
              on_step: Callable[[str], None] | None = None) -> dict[str, Any]:
    papers = _papers(corpus, limit)
    embed = make_embedder(embedder).embed
    step = on_step or (lambda _: None)

    def vectors(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(embed(list(texts)), dtype=np.float32)

    report: dict[str, Any] = {"papers": len(papers), "summary": {}, "keywords": {}}
    summaries = {"first sentence": [first_sentence(p.abstract) for p in papers],
                 "gist": [summarize(p.title, p.abstract) for p in papers]}
    for name, chosen in summaries.items():
        step(f"summary: {name}")
        rest = vectors([_without(p.abstract, s) for p, s in zip(papers, chosen, strict=True)])
        ranks = _ranks(vectors([s or "" for s in chosen]), rest)
        lengths = [len(s or "") for s in chosen]
        report["summary"][name] = {**_metrics(ranks), "mean chars": float(np.mean(lengths)),
                                   "max chars": int(max(lengths, default=0))}
    step("keywords")
    ours = [keywords(p.title, p.abstract) for p in papers]
    frequent = [frequent_phrases(p.title, p.abstract)[: len(k)] for p, k in zip(papers, ours, strict=True)]
    targets = {"title": vectors([p.title for p in papers]), "abstract": vectors([p.abstract for p in papers])}
    for name, chosen in (("most frequent phrases", frequent), ("gist", ours)):
        query = vectors(["; ".join(k) for k in chosen])
        counts = [len(k) for k in chosen]
        for target, rows in targets.items():
            report["keywords"][f"{name} -> {target}"] = {
                **_metrics(_ranks(query, rows)), "mean count": float(np.mean(counts)),
                "3 to 8": float(np.mean([3 <= c <= 8 for c in counts]))}
    return report
