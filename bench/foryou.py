"""For you, measured on readers built from the arXiv corpus.

A reader of a topic (a phrase such as "gaussian splatting") upvoted five papers with the phrase in their
title, listed before SPLIT; For you then ranks every paper listed from SPLIT on (26,809 in the shared
corpus). A paper is on the topic when the phrase is in its title or abstract. Reported: precision@20 and
nDCG@10 of For you against newest first, BM25 searches for the five liked titles, arxiv-sanity's
tf-idf + linear SVM per reader (when scikit-learn is installed) and zotero-arxiv-daily's embedding
similarity to the library; two-topic readers (three papers of one topic, two of another); and what each
kind of feedback does. Topics are split in two: For you's constants were set on the first half (dev);
the second half (test) is reported apart.

    .venv/bin/python bench/foryou.py --corpus ../shared/corpus/arxiv-cs-2025-2026.jsonl.gz --work /tmp/fy
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np

from paperboard.filter_rules import words_column
from paperboard.filter_terms import FilterTerms
from paperboard.foryou import service
from paperboard.foryou.ranking import Liked
from paperboard.foryou.signals import Signals
from paperboard.ingest.dumps import parse_record
from paperboard.search.lexical import LexicalIndex

SPLIT = dt.date(2026, 3, 2)
DEV = ["knowledge distillation", "gaussian splatting", "federated learning", "speculative decoding",
       "mixture of experts", "sparse autoencoder", "jailbreak", "watermark"]
# sixteen more dev topics (2026-12-07), many of them phrases of common words as the weak test topics
# are: the share of the group's papers that have a word (ranking.top_terms) was chosen on all 24 dev topics
MORE_DEV = ["hallucination", "retrieval augmented", "text to image", "quantization", "reinforcement learning",
            "diffusion model", "speech", "vision language", "object detection", "machine translation",
            "question answering", "image segmentation", "anomaly detection", "recommend",
            "contrastive learning", "video generation"]
TEST = ["point cloud", "time series", "code generation", "graph neural network", "protein", "mamba",
        "medical image", "autonomous driving"]
READERS = 3  # per topic
LIKES = 5


def load(corpus: Path, work: Path):  # type: ignore[no-untyped-def]
    cache = work / "papers.pickle"
    if cache.exists():
        papers = pickle.loads(cache.read_bytes())
    else:
        with gzip.open(corpus, "rt") as fh:
            papers = [parse_record(json.loads(line)) for line in fh]
        cache.write_bytes(pickle.dumps(papers))
    lexical = LexicalIndex(work / "lexical")
    if len(lexical) != len(papers):
        started = time.perf_counter()
        lexical.clear()
        with lexical.writing() as writer:
            writer.add(papers, replace=False)
        print(f"indexed {len(papers)} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return papers, lexical


def folded(text: str) -> str:
    return text.lower().replace("-", " ")


class Bench:
    def __init__(self, papers, lexical, work: Path):  # type: ignore[no-untyped-def]
        self.papers, self.lexical = papers, lexical
        self.by_id = {p.id: p for p in papers}
        self.words = {p.id: words_column((p.title, p.abstract)) for p in papers}
        self.after = [p for p in papers if p.listed and p.listed >= SPLIT]
        self.before = [p for p in papers if p.listed and p.listed < SPLIT]
        self.newest = max(p.listed for p in self.after)
        self.text = {p.id: folded(p.title + " " + p.abstract) for p in self.after}
        self.work = work
        self._dense = None

    def readers(self, topic: str, n: int = READERS) -> list[list[str]]:
        pool = [p.id for p in self.before if topic in folded(p.title)]
        return [random.Random(f"{topic}{seed}").sample(pool, LIKES) for seed in range(n)]

    def on(self, topic: str, ids: list[str]) -> np.ndarray:
        return np.array([topic in self.text[i] for i in ids], dtype=float)

    def ideal(self, topic: str) -> int:
        return sum(topic in t for t in self.text.values())

    def signals(self, liked: list[str], *, more: tuple[str, ...] = (), less: tuple[str, ...] = (),
                dismissed: tuple[str, ...] = ()) -> Signals:
        def one(pid: str, how: str) -> Liked:
            return Liked(pid, self.by_id[pid].title, how, self.words[pid])
        return Signals([*(one(p, "more_like_this") for p in more), *(one(p, "upvote") for p in liked)],
                       [one(p, "less_like_this") for p in less], {*liked, *more, *less, *dismissed})

    # --- methods: each returns the ids of the ranked papers from SPLIT on --------------------------

    def for_you(self, liked: list[str], limit: int = 20, **feedback) -> list[str]:  # type: ignore[no-untyped-def]
        got = service.rank(self.lexical, self.signals(liked, **feedback),
                           lambda ids: {i: self.words[i] for i in ids}, since=SPLIT, until=self.newest,
                           limit=limit)
        return [p.paper_id for p in got.picks]

    def newest_first(self, liked: list[str]) -> list[str]:
        return [p.id for p in sorted(self.after, key=lambda p: (p.listed, p.id), reverse=True)[:20]]

    def title_search(self, liked: list[str]) -> list[str]:
        from paperboard.search.query import lexical_text, parse_query
        total: dict[str, float] = {}
        for pid in liked:
            hits = self.lexical.search(lexical_text(parse_query(self.by_id[pid].title)), limit=100,
                                       filters=FilterTerms.where(since=SPLIT))
            top = hits[0][1] if hits else 1.0
            for hid, score in hits:
                total[hid] = total.get(hid, 0.0) + score / top
        return sorted(total, key=lambda i: -total[i])[:20]

    def svm(self, liked: list[str]) -> list[str]:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC
        if not hasattr(self, "_tfidf"):
            texts = [p.title + "\n" + p.abstract for p in self.papers]
            vec = TfidfVectorizer(ngram_range=(1, 2), max_features=20000, sublinear_tf=True,
                                  stop_words="english", min_df=5)
            self._tfidf = vec.fit_transform(texts).tocsr()
            self._row = {p.id: i for i, p in enumerate(self.papers)}
            self._after_rows = [self._row[p.id] for p in self.after]
        y = np.zeros(self._tfidf.shape[0])
        y[[self._row[i] for i in liked]] = 1
        clf = LinearSVC(class_weight="balanced", C=0.01, max_iter=10000, tol=1e-6).fit(self._tfidf, y)
        scores = clf.decision_function(self._tfidf[self._after_rows])
        return [self.after[i].id for i in np.argsort(-scores)[:20]]

    def zotero(self, liked: list[str]) -> list[str]:
        if self._dense is None:
            cache = self.work / "dense.npy"
            if cache.exists():
                self._dense = np.load(cache)
            else:
                from paperboard.search.embedders import make_embedder
                texts = [p.title + "\n" + p.abstract for p in self.papers]
                self._dense = make_embedder("wordllama").embed(texts)
                np.save(cache, self._dense)
            self._drow = {p.id: i for i, p in enumerate(self.papers)}
            self._dafter = self._dense[[self._drow[p.id] for p in self.after]]
        weights = 1 / (1 + np.log10(np.arange(len(liked)) + 1))
        weights /= weights.sum()
        scores = (self._dafter @ self._dense[[self._drow[i] for i in liked]].T) @ weights
        return [self.after[i].id for i in np.argsort(-scores)[:20]]


def ndcg10(rel: np.ndarray, ideal: int) -> float:
    gains = rel[:10] / np.log2(np.arange(2, 2 + len(rel[:10])))
    best = (1 / np.log2(np.arange(2, 2 + min(10, ideal)))).sum()
    return float(gains.sum() / best) if best else 0.0


def one_topic(bench: Bench, methods: dict, topics: list[str]) -> dict[str, tuple[float, float]]:  # type: ignore[type-arg]
    out = {}
    for name, method in methods.items():
        rows = []
        for topic in topics:
            for liked in bench.readers(topic):
                ranked = method(liked)
                rel = bench.on(topic, ranked)
                rows.append((rel[:20].sum() / 20, ndcg10(rel, bench.ideal(topic))))
        out[name] = tuple(np.mean(rows, axis=0))
    return out


def two_topics(bench: Bench, methods: dict, topics: list[str]) -> dict[str, list[tuple[int, int]]]:  # type: ignore[type-arg]
    pairs = list(itertools.combinations(topics, 2))
    out = {}
    for name, method in methods.items():
        counts = []
        for a, b in pairs:
            liked = bench.readers(a, 1)[0][:3] + bench.readers(b, 1)[0][:2]
            ranked = method(liked)[:20]
            on_a, on_b = bench.on(a, ranked), bench.on(b, ranked)
            counts.append((int(on_a.sum()), int(on_b.sum()), int(np.maximum(on_a, on_b).sum())))
        out[name] = counts
    return out


def feedback_effects(bench: Bench, topics: list[str]) -> dict[str, float]:
    """What each signal does, averaged over one reader per topic."""
    dismissed_back = less_near = less_near_after = more_before = more_after = 0.0
    n = 0
    for topic, other in zip(topics, topics[1:] + topics[:1], strict=True):
        liked = bench.readers(topic, 1)[0]
        before = bench.for_you(liked, limit=20)
        # not interested: the top pick, dismissed, never comes back
        again = bench.for_you(liked, limit=50, dismissed=(before[0],))
        dismissed_back += before[0] in again
        # less like this on the top pick: how many of the top 20 are among its 20 nearest papers
        near = set(bench.for_you([before[0]], limit=20))
        after = bench.for_you(liked, limit=20, less=(before[0],))
        less_near += len(near & set(before[1:])) / 19
        less_near_after += len(near & set(after)) / 20
        # more like this on one paper of another topic: that topic's share of the top 20
        foreign = bench.readers(other, 1)[0][0]
        more_before += bench.on(other, before).mean()
        more_after += bench.on(other, bench.for_you(liked, limit=20, more=(foreign,))).mean()
        n += 1
    return {"dismissed paper back in the top 50": dismissed_back / n,
            "share of the top 20 near a paper marked less like this, before": less_near / n,
            "... after it": less_near_after / n,
            "share of the top 20 on the topic of a paper marked more like this, before": more_before / n,
            "... after": more_after / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="a folder for the index and caches")
    parser.add_argument("--only", nargs="*", help="methods to run (default: all)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    papers, lexical = load(args.corpus, args.work)
    bench = Bench(papers, lexical, args.work)
    methods = {"newest first": bench.newest_first, "BM25 search for the liked titles": bench.title_search,
               "zotero-arxiv-daily (embedding similarity)": bench.zotero, "For you": bench.for_you}
    try:
        import sklearn  # noqa: F401
        methods["arxiv-sanity (tf-idf + linear SVM)"] = bench.svm
    except ImportError:
        print("scikit-learn is not installed: no arxiv-sanity baseline", file=sys.stderr)
    if args.only:
        methods = {k: v for k, v in methods.items() if any(o.lower() in k.lower() for o in args.only)}
    print(f"{len(bench.after)} papers listed from {SPLIT} on; {READERS} readers per topic, "
          f"{LIKES} upvotes each\n")
    for label, topics in (("dev", DEV), ("more dev", MORE_DEV), ("test", TEST)):
        started = time.perf_counter()
        print(f"### One topic, {label} topics ({', '.join(topics)})\n")
        print("| method | precision@20 | nDCG@10 |\n|---|---|---|")
        for name, (p20, ndcg) in one_topic(bench, methods, topics).items():
            print(f"| {name} | {p20:.3f} | {ndcg:.3f} |")
        if label == "more dev":  # two-topic readers: every pair of the first eight dev topics only
            print()
            continue
        print(f"\n### Two topics (3 + 2 upvotes), {label} topics, every pair\n")
        print("| method | on either topic (of 20) | the smaller share (mean) "
              "| readers losing one topic (0 of 20) |"
              "\n|---|---|---|---|")
        for name, counts in two_topics(bench, methods, topics).items():
            arr = np.array(counts)
            smaller = arr[:, :2].min(1)
            print(f"| {name} | {arr[:, 2].mean():.1f} | {smaller.mean():.1f} | "
                  f"{int((smaller == 0).sum())} of {len(arr)} |")
        print(f"\n({time.perf_counter() - started:.0f} s)\n")
    print("### Feedback (one reader per topic, all 16 topics)\n\n| effect | value |\n|---|---|")
    for name, value in feedback_effects(bench, DEV + TEST).items():
        print(f"| {name} | {value:.2f} |")
    cold, warm = [], []
    for topic in DEV + TEST:  # the first For you of a reader counts its phrases; later ones remember them
        liked = bench.readers(topic, 1)[0]
        bench.lexical._phrase_freq.clear()
        for times in (cold, warm, warm):
            started = time.perf_counter()
            bench.for_you(liked, limit=50)
            times.append(time.perf_counter() - started)
    ms = {name: float(value) * 1000 for name, value in (
        ("cold", np.median(cold)), ("warm", np.median(warm)), ("p95", np.percentile(warm, 95)))}
    print(f"\nFor you of one reader, 50 picks, median of {len(cold)} readers: {ms['cold']:.0f} ms the first "
          f"time, {ms['warm']:.0f} ms after (p95 {ms['p95']:.0f} ms)")
    timeline = []
    for topic in DEV + TEST:  # a topic of five example papers: its page's 50 newest papers like them
        examples = bench.signals(bench.readers(topic, 1)[0]).liked
        for _ in range(2):
            started = time.perf_counter()
            liked = service.like(bench.lexical, examples, FilterTerms(), limit=service.TOPIC_CANDIDATES)
            bench.lexical.newest(FilterTerms(), limit=50, among=liked)
            timeline.append(time.perf_counter() - started)
    print(f"A topic of five example papers, its 50 newest papers like them: median "
          f"{np.median(timeline) * 1000:.0f} ms (p95 {np.percentile(timeline, 95) * 1000:.0f} ms)")

if __name__ == "__main__":
    main()
