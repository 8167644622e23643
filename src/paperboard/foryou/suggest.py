"""Suggested topics: the recent papers clustered by their vectors (k-means), each cluster named by the
keywords that set it apart, and offered as a topic to follow in one click (its query is the cluster's
most distinctive keyword as a phrase). Pure functions; :func:`paperboard.foryou.service.refresh_suggested`
feeds them and keeps the result in the database (the worker runs it when papers arrive)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PER_CLUSTER = 150  # about this many papers per cluster
FEWEST, MOST = 4, 24  # clusters
ITERATIONS = 25
LABEL_WORDS = 3  # keywords in a cluster's name
LIFT = 3.0  # a keyword names a cluster only if it is this many times commoner there than overall
PHRASE = 1.5  # a keyword of two or more words counts this much more (it says more than one word)


@dataclass(frozen=True, slots=True)
class Suggestion:
    label: str  # "gaussian splatting · novel view synthesis · 3d reconstruction"
    query: str  # '"gaussian splatting"': the topic it becomes
    size: int
    papers: tuple[str, ...]  # the papers nearest its centre first


def kmeans(matrix: np.ndarray, k: int, *, seed: int = 0, iterations: int = ITERATIONS) -> np.ndarray:
    """Cluster labels of the rows (unit vectors, so the inner product is the similarity); k-means++
    seeding from a fixed seed, so the same papers give the same clusters."""
    n = matrix.shape[0]
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    centres = [matrix[rng.integers(n)]]
    for _ in range(1, k):
        distance = np.maximum(0.0, 1.0 - np.max(matrix @ np.stack(centres).T, axis=1))
        total = float(distance.sum())
        centres.append(matrix[rng.choice(n, p=distance / total) if total > 0 else rng.integers(n)])
    centre = np.stack(centres)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        new = np.argmax(matrix @ centre.T, axis=1)
        if _ and np.array_equal(new, labels):
            break
        labels = new
        for c in range(k):
            members = matrix[labels == c]
            if len(members):
                mean = members.mean(axis=0)
                centre[c] = mean / (np.linalg.norm(mean) or 1.0)
    return labels


def clusters(ids: Sequence[str], matrix: np.ndarray, keywords: dict[str, Sequence[str]]) -> list[Suggestion]:
    """The papers' clusters that have a name, largest first."""
    if len(ids) < FEWEST * 2:
        return []
    k = max(FEWEST, min(MOST, len(ids) // PER_CLUSTER))
    labels = kmeans(matrix, k)
    overall: Counter[str] = Counter()
    for pid in ids:
        overall.update({k.lower() for k in keywords.get(pid, ())})
    out: list[tuple[list[str], int, tuple[str, ...], list[str]]] = []
    for c in range(k):
        rows = np.flatnonzero(labels == c)
        if not len(rows):
            continue
        members = [ids[r] for r in rows]
        here: Counter[str] = Counter()
        for pid in members:
            here.update({k.lower() for k in keywords.get(pid, ())})
        scored = sorted(((n * math.log(len(ids) / overall[kw]) * (PHRASE if " " in kw else 1.0), kw)
                         for kw, n in here.items()
                         if n >= 3 and n / len(members) >= LIFT * overall[kw] / len(ids)), reverse=True)
        if not scored:
            continue
        names = [kw for _, kw in scored[:LABEL_WORDS]]
        centre = matrix[rows].mean(axis=0)
        nearest = rows[np.argsort(-(matrix[rows] @ centre))]
        out.append((names, len(members), tuple(ids[r] for r in nearest[:5]), [kw for _, kw in scored]))
    out.sort(key=lambda s: (-s[1], s[0]))
    used: set[str] = set()
    named = []
    for names, size, nearest_ids, ranked in out:  # two clusters never offer the same topic
        query = next((kw for kw in ranked if kw not in used), None)
        if query is not None:
            used.add(query)
            phrase = " ".join(query.replace('"', " ").split())
            named.append(Suggestion(" · ".join(names), f'"{phrase}"', size, nearest_ids))
    return named
