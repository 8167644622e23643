"""Fusion of lexical and dense results, and the small pure helpers around it.

Every candidate from either retriever gets both scores: the dense score is exact for all of them (the
vectors are at hand), the lexical score is 0 for papers BM25 did not return. Both are scaled to [0, 1]
over the candidates (BM25 by its best score; cosine between the weakest and strongest candidate), then
mixed with a weight that grows with the share of function words in the query: keyword queries lean on
BM25, questions, claims and paraphrases more on the embedding. Measured in bench/RESULTS.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

# Function words: a query made mostly of them is a sentence (a question, a claim, a paraphrase), where
# the embedding knows more than the few content words BM25 can match.
STOPWORDS = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "not",
    "no", "nor", "is", "are", "was", "were", "be", "been", "being", "this", "that", "these", "those",
    "it", "its", "as", "can", "cannot", "could", "do", "does", "did", "has", "have", "had", "will",
    "would", "should", "may", "might", "than", "then", "there", "their", "which", "who", "whom",
    "what", "when", "where", "why", "how", "into", "over", "under", "about", "between",
))


def dense_weight(words: Sequence[str], *, base: float = 0.25, slope: float = 0.45,
                 headroom: float = 0.35) -> float:
    """How much the dense score counts: ``base`` (the embedder's own, by how well it ranks alone), more
    for sentence-like queries (share of function words), at most ``base + headroom``."""
    if not words:
        return base
    function_words = sum(1 for w in words if len(w) == 1 or w.lower() in STOPWORDS)
    return min(base + headroom, base + slope * function_words / len(words))


def fuse(
    lexical: Sequence[tuple[str, float]],
    dense: Mapping[str, float],
    *,
    weight: float,
) -> list[tuple[str, float]]:
    """Rank the union of candidates by ``(1 - weight) * bm25' + weight * cos'`` (best first)."""
    bm25 = dict(lexical)
    candidates = list(dict.fromkeys([*bm25, *dense]))
    if not candidates:
        return []
    top_bm25 = max(bm25.values(), default=0.0) or 1.0
    cos_values = [dense.get(pid, 0.0) for pid in candidates]
    lo, hi = min(cos_values), max(cos_values)
    span = (hi - lo) or 1.0
    scored = [
        (pid, (1 - weight) * bm25.get(pid, 0.0) / top_bm25 + weight * (dense.get(pid, lo) - lo) / span)
        for pid in candidates
    ]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


def damerau_levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance with transpositions; returns ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


KNOWN_RATIO = 50  # a known word is taken for a typo only of a close word this many times as frequent
MIN_SUPPORT = 3  # a correction is a word of at least this many papers, not another stray spelling


def best_correction(term: str, candidates: Sequence[tuple[str, int]], *, freq: int = 0) -> str | None:
    """The most frequent candidate within edit distance 1, or 2 for terms of 6 letters or more whose first
    three letters it shares (a wider net turns real terms into other words: "career" into "cancer").
    ``freq``:
    how many papers hold ``term`` itself; a term the index knows is corrected only to a candidate one
    edit away and at least ``KNOWN_RATIO`` times as frequent (one stray "modles" in the corpus does not
    make it a word, but "cytidine" is not a misspelled "cytokine")."""
    limit = 1 if len(term) < 6 or freq > 0 else 2
    floor = max(MIN_SUPPORT, KNOWN_RATIO * freq)
    best: tuple[int, int, str] | None = None
    for candidate, count in candidates:
        if candidate == term or count < floor:
            continue
        d = damerau_levenshtein(term, candidate, limit)
        if d == 1 or (d == 2 <= limit and candidate[:3] == term[:3]):
            key = (d, -count, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def diversify(relevance: Sequence[float], vectors: np.ndarray, k: int, *,
              trade_off: float = 0.85) -> list[int]:
    """Maximal marginal relevance: pick ``k`` of the candidates (best first), each time the one with the
    best ``trade_off * relevance - (1 - trade_off) * (similarity to the closest one already picked)``,
    so that a list of near neighbours does not repeat one idea. Returns indexes into the candidates."""
    n = len(relevance)
    if n == 0 or k <= 0:
        return []
    rel = np.asarray(relevance, dtype=np.float32)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    closest = np.full(n, -np.inf, dtype=np.float32)  # similarity to the nearest picked candidate
    picked: list[int] = []
    available = np.ones(n, dtype=bool)
    for _ in range(min(k, n)):
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        gain = trade_off * rel - (1 - trade_off) * penalty
        gain[~available] = -np.inf
        best = int(np.argmax(gain))
        picked.append(best)
        available[best] = False
        closest = np.maximum(closest, unit @ unit[best])
    return picked


RECENCY_HALF_LIFE_DAYS = 180.0


def recency_boost(score: float, age_days: float | None, *,
                  half_life: float = RECENCY_HALF_LIFE_DAYS) -> float:
    """A relevance score raised for fresh papers: up to twice as high for one out today, halving its extra
    every ``half_life`` days (a paper without a date gets nothing extra). Scores are positive."""
    if age_days is None:
        return score
    return score * (1.0 + 0.5 ** (max(age_days, 0.0) / half_life))
