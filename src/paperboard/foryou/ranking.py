"""For you's ranking, as pure functions: a reader's papers become interests, each interest a weighted set
of words; candidates scored per interest (by whoever owns the index) come back here to be floored,
pushed down by what the reader disliked, and interleaved so that every interest keeps its share.

Words are the stems of :func:`paperboard.filter_rules.words_column` (title, abstract, keywords), weighted
by tf-idf. On readers built from the arXiv corpus (bench/foryou.py, bench/RESULTS.md), the words of a
reader's papers put more papers of the reader's topic in the top 20 than their embeddings do, and
grouping the papers into interests before searching keeps a second interest that one profile of all of
them drowns.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..filter_rules import GAP

Vector = dict[str, float]

# the average cosine between two groups of a reader's papers at which they are one interest, and the
# share of papers above which a word says nothing about a reader: both set on the dev topics of
# bench/foryou.py, never on its test topics (SAME_INTEREST 0.05-0.12 tried: lower merges two topics,
# higher splits one; COMMON 0.2-0.5: at 0.2 it drops "code" and "generat" from "code generation")
SAME_INTEREST = 0.1
COMMON = 0.5
RARE = 3  # a word in fewer papers than this (the reader's own paper and one more) is left out
QUERY_TERMS = 30  # the words of an interest that are searched for
# the most two-word phrases of a reader's papers whose frequency is looked up (a search each): 24 did
# best of 0, 12, 24 and 60 on the dev topics and eight more (bench/foryou.py; 0.866, 0.979, 0.990, 0.957)
PHRASES = 24
# a candidate scoring below this share of its interest's own papers' score is not a pick: about the
# median share of the off-topic papers in a dev reader's top 200 (0.15-0.18 for readers of 1 to 10
# papers; of on-topic papers 5 % are under 0.13 for readers of one paper, under 0.32 for readers of five)
FLOOR = 0.17
PUSH = 1.0  # how hard "less like this" pushes a paper down (times its likeness to the disliked one)
# a paper belongs to a topic of example papers when it scores at least this share of the likest paper's
# score (and passes FLOOR): on the 24 dev topics of bench/foryou.py, with 3 and 5 examples, 0.86 and 0.92
# of such papers have the topic's phrase against 0.69 and 0.75 at FLOOR alone, keeping 0.64 and 0.75 of
# the papers that have it (without FLOOR, 0.4: 0.74 / 0.80 precision; 0.6: 0.93 / 0.95, recall 0.48 / 0.58)
TOPIC_SHARE = 0.5

# what each signal says, and the weight of a paper it marks as liked
LIKED = {"upvote": 1.0, "save": 1.0, "more_like_this": 1.5, "example": 1.0}
SIGNALS = ("not_interested", "less_like_this", "more_like_this")
SAID = {"upvote": "you upvoted", "save": "you saved", "more_like_this": "you asked for more like",
        "example": "an example of the topic"}


@dataclass(frozen=True, slots=True)
class Liked:
    """A paper the reader liked, and how: one of :data:`LIKED`."""

    paper_id: str
    title: str
    how: str
    words: str  # its words column


@dataclass(slots=True)
class Interest:
    papers: list[Liked]
    vectors: list[Vector]
    weight: float = 0.0
    query: Vector = field(default_factory=dict)

    def reason_for(self, words: Vector) -> str:
        """Why a paper with these words is recommended: the liked paper of this interest nearest to it."""
        best = max(range(len(self.papers)), key=lambda i: (cosine(self.vectors[i], words), -i))
        paper = self.papers[best]
        return f"similar to “{paper.title}” {SAID[paper.how]}"


@dataclass(frozen=True, slots=True)
class Pick:
    paper_id: str
    score: float  # the candidate's score as a share of its interest's own papers' score, less any push
    reason: str
    followed: bool = False  # there for an author the reader follows (the digest gives those a section)


def _runs(words: str) -> list[list[str]]:
    """A words column's texts (title first), each a run of words, numbers left out."""
    return [[w for w in run.split() if not w.isdigit()] for run in words.split(GAP)]


def pairs(words: str) -> Counter[str]:
    """The column's two-word phrases ("code generat"): adjacent words of one text."""
    return Counter(f"{a} {b}" for run in _runs(words) for a, b in itertools.pairwise(run))


def phrases_worth_asking(columns: Sequence[str], limit: int = PHRASES) -> frozenset[str]:
    """The two-word phrases of a reader's papers that may say what the papers are about: those of their
    titles and those two or more of them share (a phrase's frequency costs a search, so few are asked)."""
    shared: Counter[str] = Counter()
    titled: set[str] = set()
    for column in columns:
        found = pairs(column)
        shared.update(found.keys())
        titled.update(pairs(column.split(GAP, 1)[0]))
    ranked = sorted((p for p in shared if shared[p] >= 2 or p in titled),
                    key=lambda p: (-shared[p], p not in titled, p))
    return frozenset(ranked[:limit])


def counts(words: str, phrases: frozenset[str] = frozenset()) -> Counter[str]:
    """Term frequencies of a words column: its words, and those of its two-word phrases in ``phrases``."""
    found = Counter(w for run in _runs(words) for w in run)
    if phrases:
        found.update({p: n for p, n in pairs(words).items() if p in phrases})
    return found


def tfidf(words: str, doc_freq: Callable[[str], int], n_docs: int,
          phrases: frozenset[str] = frozenset(), *, unit: bool = True) -> Vector:
    """Unit-length tf-idf (sublinear tf) of one words column. Words that most papers have say nothing
    about a reader, and words that hardly any paper has (a method's name) find no other paper while
    making the reader's own papers score as no other can: both are left out."""
    out: Vector = {}
    for word, tf in counts(words, phrases).items():
        df = doc_freq(word)
        if df > COMMON * n_docs or df < RARE:
            continue
        out[word] = (1.0 + math.log(tf)) * (math.log((n_docs + 1) / (df + 1)) + 1.0)
    norm = (math.sqrt(sum(v * v for v in out.values())) or 1.0) if unit else 1.0
    return {w: v / norm for w, v in out.items()}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def interests(liked: Sequence[Liked], vectors: Sequence[Vector]) -> list[Interest]:
    """The reader's papers grouped by average-link clustering: two groups join while their papers'
    average cosine is at least :data:`SAME_INTEREST`. Largest interest first."""
    groups = [[i] for i in range(len(liked))]
    sims = [[cosine(a, b) for b in vectors] for a in vectors]
    while len(groups) > 1:
        best, pair = -1.0, (0, 0)
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                count = len(groups[x]) * len(groups[y])
                mean = sum(sims[i][j] for i in groups[x] for j in groups[y]) / count
                if mean > best:
                    best, pair = mean, (x, y)
        if best < SAME_INTEREST:
            break
        x, y = pair
        groups[x] += groups.pop(y)
    out = []
    for group in groups:
        members = [liked[i] for i in group]
        interest = Interest(members, [vectors[i] for i in group], sum(LIKED[p.how] for p in members))
        interest.query = top_terms(interest.vectors, [LIKED[p.how] for p in members])
        out.append(interest)
    out.sort(key=lambda it: (-it.weight, it.papers[0].paper_id))
    return out


def top_terms(vectors: Iterable[Vector], weights: Iterable[float], limit: int = QUERY_TERMS) -> Vector:
    """The words of a group of papers that weigh most: their weighted sum, times the (weighted) share of
    the papers that have them. A word every paper of the group has says what the group is about; words
    that two of five papers share (a setting, a dataset) would otherwise add up and pull the group's
    search towards those two (on the dev topics of bench/foryou.py: 0.971 → 0.983 precision@20)."""
    total: Counter[str] = Counter()
    having: Counter[str] = Counter()
    whole = 0.0
    for vector, weight in zip(vectors, weights, strict=True):
        whole += weight
        for word, value in vector.items():
            total[word] += weight * value
            having[word] += weight
    scored = {word: value * having[word] / whole for word, value in total.items()} if whole > 0 else {}
    return dict(sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def floored(scored: Sequence[tuple[str, float]], reference: float, push: Mapping[str, float],
            skip: set[str]) -> list[tuple[str, float]]:
    """One interest's candidates as shares of ``reference`` (its own papers' score), less the push of
    what the reader disliked; below :data:`FLOOR`, or in ``skip``, a candidate is left out. Best first."""
    if reference <= 0:
        return []
    out = []
    for pid, score in scored:
        if pid in skip:
            continue
        share = score / reference - PUSH * push.get(pid, 0.0)
        if share >= FLOOR:
            out.append((pid, share))
    out.sort(key=lambda kv: (-kv[1], kv[0]))
    return out


def closest(ranking: Sequence[tuple[str, float]], share: float = TOPIC_SHARE) -> list[tuple[str, float]]:
    """The head of a ranking (best first) that scores at least ``share`` of its first paper's score."""
    return [kv for kv in ranking if kv[1] >= share * ranking[0][1]] if ranking else []


def interleave(rankings: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float],
               limit: int) -> list[tuple[int, str, float]]:
    """Weighted round robin: each interest gets turns in proportion to its weight (an interest with
    nothing left gives its turns to the others). Returns (interest, paper, score), no paper twice."""
    credit = [0.0] * len(rankings)
    at = [0] * len(rankings)
    seen: set[str] = set()
    out: list[tuple[int, str, float]] = []
    live = [i for i, r in enumerate(rankings) if r]
    while len(out) < limit and live:
        # shares of what is still live: a ranking without papers must not dilute the others' turns
        total = sum(weights[i] for i in live) or 1.0
        for i in live:
            credit[i] += weights[i] / total
        turn = max(live, key=lambda i: (credit[i], -i))
        credit[turn] -= 1.0
        ranking = rankings[turn]
        while at[turn] < len(ranking) and ranking[at[turn]][0] in seen:
            at[turn] += 1
        if at[turn] < len(ranking):
            pid, score = ranking[at[turn]]
            seen.add(pid)
            out.append((turn, pid, score))
            at[turn] += 1
        if at[turn] >= len(ranking):
            live.remove(turn)
    return out
