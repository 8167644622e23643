"""Hybrid search, whatever engine holds the index: what a query means (parsing, corrections, filters),
how the two rankings are fused, and the hits made of the stored papers. Each backend answers the few
questions this asks of an index (:class:`HybridSearch`'s hooks): the embedded one
(:mod:`paperboard.search.service`, tantivy and usearch beside the process) and Milvus
(:mod:`paperboard.search.milvus`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine

from ..clock import utcnow
from ..community.votes import counts
from ..filter_rules import paper_day
from ..filter_terms import FilterTerms
from ..models import Paper
from ..storage.papers import fetch_many
from .embedders import Embedder, make_embedder
from .excerpts import excerpt, matching_words
from .hybrid import damerau_levenshtein, dense_weight, diversify, fuse, recency_boost
from .lexical import NO_FILTERS, LexicalIndex
from .query import ParsedQuery, lexical_text, parse_query

CANDIDATES = 100


@dataclass(slots=True)
class Hit:
    id: str
    title: str
    score: float
    published: str | None
    authors: list[str]
    categories: list[str]
    snippet: str  # plain text: an excerpt of the abstract around the words that matched
    matched: list[str] = field(default_factory=list)  # those words of the title and abstract, lower case
    upvotes: int | None = None  # filled when sorting by upvotes
    summary: str | None = None  # the paper's one-sentence gist
    keywords: list[str] = field(default_factory=list)

    def as_dict(self, base_url: str | None = None) -> dict[str, object]:
        """The one JSON shape of a search hit: the CLI's ``--format json`` and the MCP tools; with its
        page's address when ``base_url`` is given."""
        out: dict[str, object] = {
            "id": self.id, "title": self.title, "score": round(self.score, 4),
            "published": self.published, "authors": self.authors, "categories": self.categories,
            "summary": self.summary, "keywords": self.keywords,
            "highlights": {"abstract": self.snippet, "terms": self.matched}}
        if self.upvotes is not None:
            out["upvotes"] = self.upvotes
        if base_url is not None:
            out["url"] = f"{base_url}/papers/{self.id}"
        return out


@dataclass(slots=True)
class SearchResult:
    query: ParsedQuery
    hits: list[Hit]
    corrected: dict[str, str] = field(default_factory=dict)


class HybridSearch:
    """Search and similar papers over one backend. A backend sets ``problem`` (why it cannot answer,
    None while it can), has an ``embedder``, and answers the hooks below; any hook may raise
    :class:`paperboard.errors.Unavailable`."""

    problem: str | None = None
    term_statistics = True  # whether it has ``lexical`` (For you, topics and corrections read it)

    def _use(self, embedder: str | Embedder) -> None:
        """The embedder: a name (loaded on first use) or one already loaded."""
        self._embedder_spec = embedder
        self._embedder: Embedder | None = embedder if not isinstance(embedder, str) else None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(str(self._embedder_spec))
        return self._embedder

    def refresh(self) -> None:
        """Follow what other processes changed (called before each search)."""

    def close(self) -> None:
        """Let go of what the backend holds open (nothing, unless it says otherwise)."""

    def _corrected_words(self, query: ParsedQuery) -> tuple[tuple[str, ...], dict[str, str]]:
        """The query's words with misspellings corrected (as stems), and those corrections."""
        return query.words, {}

    def _bm25(self, query: ParsedQuery, words: tuple[str, ...], corrected: dict[str, str],
                 filters: FilterTerms) -> list[tuple[str, float]]:
        """BM25's best ``CANDIDATES`` papers for ``words`` (and the query's phrases) among ``filters``."""
        raise NotImplementedError

    def _dense(self, text: str, candidates: list[str], *, filtered: bool) -> dict[str, float]:
        """Cosine scores of ``candidates``, and of the nearest papers when nothing is ``filtered``; none
        while the vectors cannot be read."""
        raise NotImplementedError

    def _newest(self, engine: Engine, filters: FilterTerms, limit: int) -> list[str]:
        """The newest ``limit`` papers that ``filters`` select."""
        raise NotImplementedError

    def _vector(self, paper_id: str) -> np.ndarray | None:
        raise NotImplementedError

    def _nearest(self, vector: np.ndarray, k: int, exclude: set[str]) -> list[tuple[str, float]]:
        raise NotImplementedError

    def _rows(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """The vectors of ``ids`` (those it has, in order) as rows of a matrix."""
        raise NotImplementedError

    def search(self, engine: Engine, raw: str, *, limit: int = 10, filters: FilterTerms = NO_FILTERS,
               sort: str = "relevance", mode: str = "hybrid", correct: bool = True,
               recent: bool = False) -> SearchResult:
        """``mode``: ``hybrid`` (default), or ``bm25`` / ``dense`` alone (for benchmarks); ``correct``:
        whether misspelled words are corrected (they are said in ``SearchResult.corrected``); ``recent``:
        relevance boosted for fresh papers (:func:`paperboard.search.hybrid.recency_boost`)."""
        query = parse_query(raw)
        filters = filters & query.filters  # the form's and the query's own (both dates narrow)
        if query.arxiv_id:
            with engine.connect() as conn:
                paper = fetch_many(conn, [query.arxiv_id]).get(query.arxiv_id)
            hits = [_hit(paper, 1.0, [])] if paper else []
            return SearchResult(query, hits)
        if query.empty:
            return SearchResult(query, [])
        self.refresh()  # another process (an ingest, a rebuild, another worker) may have added papers
        if not lexical_text(query).strip():  # fields alone (author:, category:): those papers, newest first
            return self._listing(engine, query, filters, limit=limit, sort=sort)
        words, corrected = self._corrected_words(query) if correct else (query.words, {})
        lexical: list[tuple[str, float]] = []
        if mode != "dense":
            lexical = self._bm25(query, words, corrected, filters)
        dense: dict[str, float] = {}
        if mode == "hybrid" and not lexical and lexical_text(query, words).strip():
            # no paper shares a single (corrected) word with the query: nearest embeddings would be noise
            return SearchResult(query, [], corrected)
        if corrected and lexical:  # the corrections as words people write, from the best lexical matches
            with engine.connect() as conn:
                best = fetch_many(conn, [pid for pid, _ in lexical[:5]])
            stems = list(corrected.values())
            seen = [w for p in best.values()
                    for w in matching_words(f"{p.title} {p.abstract}", stems, LexicalIndex.stem)]
            corrected = _shown(corrected, seen)
        if mode != "bm25" and query.text:
            dense = self._dense(query.text, [pid for pid, _ in lexical], filtered=bool(filters))
        if mode == "bm25":
            ranked = lexical
        elif mode == "dense":
            ranked = sorted(dense.items(), key=lambda kv: (-kv[1], kv[0]))
        else:
            weight = dense_weight(query.words, base=self.embedder.fusion_base) if lexical else 1.0
            ranked = fuse(lexical, dense, weight=weight)
        # every candidate passed the filters in the lexical index (the dense side adds candidates only
        # to a query without filters): relevance needs the top ``limit``, other orders re-sort a wider
        # pool of relevant papers; either way the pool is bounded, whatever the query holds
        pool = limit + 10 if sort == "relevance" and not recent else max(limit * 3, 50)
        with engine.connect() as conn:
            papers = fetch_many(conn, [pid for pid, _ in ranked[:pool]])
        matched_terms = [w.lower() for w in words]
        hits = [_hit(papers[pid], score, matched_terms) for pid, score in ranked[:pool] if pid in papers]
        if recent and sort == "relevance":
            today = utcnow().date()
            for h in hits:
                h.score = recency_boost(h.score, _age(h.published, today))
            hits.sort(key=lambda h: -h.score)
        self._order(engine, hits, sort)
        return SearchResult(query, hits[:limit], corrected)

    def _listing(self, engine: Engine, query: ParsedQuery, filters: FilterTerms, *, limit: int,
                 sort: str) -> SearchResult:
        if not filters:
            return SearchResult(query, [])
        wide = limit if sort in ("relevance", "date") else max(limit * 3, 50)
        ids = self._newest(engine, filters, wide)
        with engine.connect() as conn:
            papers = fetch_many(conn, ids)
        hits = [_hit(papers[pid], 0.0, []) for pid in ids if pid in papers]
        self._order(engine, hits, "date" if sort == "relevance" else sort)
        return SearchResult(query, hits[:limit])

    @staticmethod
    def _order(engine: Engine, hits: list[Hit], sort: str) -> None:
        if sort == "date":
            hits.sort(key=lambda h: h.published or "", reverse=True)
        elif sort == "upvotes":  # the community's favourites among the relevant papers
            with engine.connect() as conn:
                tallies = counts(conn, [h.id for h in hits])
            for h in hits:
                h.upvotes = tallies[h.id][0]
            hits.sort(key=lambda h: -(h.upvotes or 0))

    def similar(self, engine: Engine, *, paper_id: str | None = None, text: str | None = None,
                limit: int = 10) -> list[Hit]:
        """Nearest papers by embedding: near-duplicates of the source removed, then diversified (MMR)."""
        self.refresh()
        if paper_id is not None:
            vec = self._vector(paper_id)
            if vec is None:
                raise KeyError(paper_id)
            exclude = {paper_id}
        else:
            vec = self.embedder.embed([text or ""])[0]
            exclude = set()
        near = self._nearest(vec, limit * 3 + 5, exclude)
        with engine.connect() as conn:
            papers = fetch_many(conn, [pid for pid, _ in near])
        pool, seen = [], set()
        for pid, score in near:
            paper = papers.get(pid)
            if paper is None or score > 0.995:  # the same paper listed twice, or the pasted text itself
                continue
            key = paper.title.casefold()
            if key not in seen:
                seen.add(key)
                pool.append((pid, score))
        ids, matrix = self._rows([pid for pid, _ in pool])
        order = diversify([s for _, s in pool], matrix, limit) if len(ids) == len(pool) else range(limit)
        return [_hit(papers[pool[i][0]], pool[i][1], []) for i in order if i < len(pool)]


def _age(published: str | None, today: dt.date) -> int | None:
    """Days since a hit's listing day (None when it has no full date)."""
    try:
        return (today - dt.date.fromisoformat(published[:10])).days if published else None
    except ValueError:
        return None


def _shown(corrected: dict[str, str], seen: list[str]) -> dict[str, str]:
    """Each correction (a stem) as a word people write: of the ``seen`` words with that stem, the one
    closest to what was typed ("modl" is shown as "models" for "modles"); the stem when none is seen."""
    shown = {}
    for word, stem in corrected.items():
        forms = list(dict.fromkeys(w for w in seen if LexicalIndex.stem(w) == stem))  # "model", "models"
        shown[word] = min(forms, key=lambda w: damerau_levenshtein(word.lower(), w, 4)) if forms else stem
    return shown


def apply_corrections(text: str, corrected: dict[str, str]) -> str:
    """What was typed, each corrected word replaced (whole words only)."""
    for word, fixed in corrected.items():
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", fixed, text)
    return text


def _hit(paper: Paper, score: float, terms: list[str]) -> Hit:
    day = paper_day(paper)
    words = matching_words(f"{paper.title} {paper.abstract}", terms, LexicalIndex.stem) if terms else []
    return Hit(
        id=paper.id, title=paper.title, score=score,
        published=day.isoformat() if day else paper.published_text,
        authors=[a.name for a in paper.authors], categories=list(paper.categories),
        snippet=excerpt(paper.abstract, words), matched=words,
        summary=paper.gist, keywords=list(paper.keywords),
    )
