"""Hybrid search over the store: the one query function behind the CLI (and later the web and digests)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import orjson
from sqlalchemy import Engine

from ..clock import utcnow
from ..community.paper_links import with_given_links
from ..community.votes import counts
from ..errors import Unavailable
from ..filter_rules import paper_day
from ..filter_terms import FilterTerms
from ..models import Paper
from ..storage.papers import changed_since, count_changed_between, fetch_many, renamed_since
from .documents import document_text, passages
from .embedders import Embedder, make_embedder
from .excerpts import excerpt, matching_words
from .folders import IndexFolders, discard
from .hybrid import best_correction, damerau_levenshtein, dense_weight, diversify, fuse, recency_boost
from .lexical import NO_FILTERS, LexicalIndex
from .query import ParsedQuery, lexical_text, parse_query
from .vectors import VectorIndex

log = logging.getLogger(__name__)

CANDIDATES = 100
REOPEN_AFTER = 10.0  # seconds between looks at an index that could not be read
MAX_TYPO_FREQ = 200  # a word in more papers than this is meant as written
CORRECTION_CANDIDATES = 1000  # the most frequent terms sharing a word's first two letters
MAX_CORRECTED = 8  # rare words looked at for a correction in one query (each scans a thousand terms)
EMBED_BATCH = 2048
WATERMARK_OVERLAP = dt.timedelta(minutes=1)


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

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id, "title": self.title, "score": round(self.score, 4),
            "published": self.published, "authors": self.authors, "categories": self.categories,
            "summary": self.summary, "keywords": self.keywords,
            "highlights": {"abstract": self.snippet, "terms": self.matched}}
        if self.upvotes is not None:
            out["upvotes"] = self.upvotes
        return out


@dataclass(slots=True)
class SearchResult:
    query: ParsedQuery
    hits: list[Hit]
    corrected: dict[str, str] = field(default_factory=dict)


class SearchIndex:
    """Both indexes of one data folder, and the embedder that fills the dense one. An index that cannot
    be read leaves search unavailable (:class:`paperboard.errors.Unavailable`, with the reason) and
    everything else working; ``catch_up`` and ``reindex`` build a new one."""

    def __init__(self, data_dir: Path, embedder: str | Embedder = "wordllama"):
        self.root = data_dir / "index"
        self.folders = IndexFolders(self.root)
        self._embedder_spec = embedder
        self._embedder: Embedder | None = embedder if not isinstance(embedder, str) else None
        self.problem: str | None = None  # why the index cannot be read, while it cannot
        self._open()

    def _open(self) -> None:
        """Open the generation being served (never raises: a damaged index is recorded in ``problem``)."""
        self._stamp = self.folders.stamp()
        self._folder = folder = self.folders.live()
        self._lexical: LexicalIndex | None = None
        self._vectors: VectorIndex | None = None
        try:
            self._lexical = LexicalIndex(folder / "lexical")
        except (ValueError, OSError) as exc:
            self._broken(f"the search index cannot be read ({str(exc)[:300]})")
            return
        self.problem = None
        if self._lexical.created:  # a watermark described an index that is gone: index everything again
            for state in [folder / "state.json", *folder.glob("vectors-*/state.json")]:
                state.unlink(missing_ok=True)

    def _broken(self, why: str) -> None:
        self.problem = f"{why}; search is back once it is rebuilt (`paperboard reindex`, or the worker)"
        self._retry_at = time.monotonic() + REOPEN_AFTER
        log.error("%s", self.problem)

    def refresh(self) -> None:
        """Follow a rebuild another process published, and look again now and then at an index that
        could not be read (one ``stat`` per call otherwise)."""
        if self.folders.stamp() != self._stamp or (self.problem and time.monotonic() >= self._retry_at):
            self._open()
        elif self._vectors is not None:
            try:
                self._vectors.refresh()  # another process (an ingest, another worker) may have added papers
            except (ValueError, OSError) as exc:
                self._vectors = None
                self._broken(f"the search vectors cannot be read ({str(exc)[:300]})")

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            raise Unavailable(self.problem or "the search index is not open")
        return self._lexical

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(str(self._embedder_spec))
        return self._embedder

    @property
    def vectors(self) -> VectorIndex:
        if self._vectors is None:
            self.lexical  # noqa: B018 - unavailable when the whole generation is
            try:
                self._vectors = self._vectors_in(self._folder)
            except (ValueError, OSError) as exc:
                self._broken(f"the search vectors cannot be read ({str(exc)[:300]})")
                raise Unavailable(self.problem) from None
        return self._vectors

    def _vectors_in(self, folder: Path) -> VectorIndex:
        e = self.embedder
        slug = re.sub(r"[^A-Za-z0-9]+", "-", e.name).strip("-")
        return VectorIndex(folder / f"vectors-{slug}", e.dim, e.name)

    # --- keeping the index current ---------------------------------------------------------------
    # The index records the newest ``changed_at`` it has seen (its watermark). ``catch_up`` indexes
    # every paper changed since, so an ingest that was killed before indexing is caught up by the next
    # one; ``reindex`` starts from nothing. A writer may commit a stamp slightly older than one already
    # indexed, so the minute before the watermark is looked at again: the state also keeps how many
    # papers that minute held, and only if that number grew is the minute indexed again.

    def _state_file(self, vectors: VectorIndex | None = None) -> Path:
        """One watermark per embedder (each has its own vectors; the lexical index takes any paper
        twice by replacing it)."""
        return (vectors or self.vectors).path / "state.json"

    def _state(self) -> dict[str, object]:
        state = self._state_file()
        return orjson.loads(state.read_bytes()) if state.exists() else {}

    def watermark(self) -> dt.datetime | None:
        value = self._state().get("indexed_until")
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None

    def _save_watermark(self, engine: Engine, stamp: dt.datetime | None,
                        vectors: VectorIndex | None = None) -> None:
        if stamp is None:
            return
        with engine.connect() as conn:
            window = count_changed_between(conn, stamp - WATERMARK_OVERLAP, stamp)
        state = self._state_file(vectors)
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_bytes(orjson.dumps({"indexed_until": stamp.isoformat(), "window": window}))

    def reindex(self, engine: Engine, on_progress: Callable[[int], None] | None = None) -> int:
        """Rebuild both indexes from the database, beside the ones being served, and switch to them when
        they are complete (searches meanwhile answer from the old ones)."""
        with self.folders.writing():
            return self._rebuild(engine, on_progress)

    def _rebuild(self, engine: Engine, on_progress: Callable[[int], None] | None) -> int:
        folder = self.folders.new_generation()
        try:
            lexical = LexicalIndex(folder / "lexical")
            vectors = self._vectors_in(folder)
            with engine.connect() as conn:
                ids, latest = changed_since(conn, None)
            done = self._index(engine, lexical, vectors, ids, None, on_progress, fold=True)
            self._save_watermark(engine, latest, vectors)
        except BaseException:
            discard(folder)
            raise
        self.folders.publish(folder)
        self._open()
        return done

    def pending(self, engine: Engine) -> tuple[list[str], dt.datetime | None]:
        """Ids changed since the watermark (and the minute before it, if papers arrived in it late)."""
        state = self._state()
        mark = self.watermark()
        with engine.connect() as conn:
            if mark is None:
                return changed_since(conn, None)
            window = count_changed_between(conn, mark - WATERMARK_OVERLAP, mark)
            if window == state.get("window"):
                ids, latest = changed_since(conn, mark, strictly_after=True)
                return ids, latest or mark
            return changed_since(conn, mark - WATERMARK_OVERLAP)

    def catch_up(self, engine: Engine, on_progress: Callable[[int], None] | None = None,
                 pending: tuple[list[str], dt.datetime | None] | None = None, *, fold: bool = True,
                 wait: float | None = None, rebuild: bool = True) -> int:
        """Index every paper added or changed since the last run; an index that holds nothing yet is built
        anew, and so is one that cannot be read (``rebuild=False``: left to another process, Unavailable).
        ``fold=False`` (a serving process) never loads the whole HNSW graph to fold updates into it: the
        next ingest does. Writers of every process take turns: ``wait`` seconds at most for the one
        writing now (IndexBusy after), or as long as it takes."""
        with self.folders.writing(wait):
            self.refresh()
            try:
                lexical, vectors = self.lexical, self.vectors
            except Unavailable:  # unreadable: a new generation, switched to when complete
                if not rebuild:
                    raise
                return self._rebuild(engine, on_progress)
            if not len(lexical):  # nothing indexed yet: built as a generation of its own
                return self._rebuild(engine, on_progress)
            ids, latest = pending if pending is not None else self.pending(engine)
            mark = self.watermark()
            if not ids and latest == mark:
                return 0
            done = self._index(engine, lexical, vectors, ids, mark, on_progress, fold)
            self._save_watermark(engine, latest)
            return done

    def _index(self, engine: Engine, lexical_index: LexicalIndex, vectors: VectorIndex, ids: list[str],
               mark: dt.datetime | None, on_progress: Callable[[int], None] | None, fold: bool) -> int:
        everything = mark is None  # ``ids`` is every paper: the vectors are rewritten
        replace = len(lexical_index) > 0
        filler = vectors.fill() if everything else None
        done = 0
        new_ids: list[str] = []
        new_vectors: list[np.ndarray] = []
        new_blocks: list[np.ndarray] = []
        with lexical_index.writing() as lexical, engine.connect() as conn:
            # a rebuild drops every renamed id the shared BM25 may hold, a catch-up those since its mark
            renamed = renamed_since(conn, None if mark is None else mark - WATERMARK_OVERLAP)
            lexical.remove(old for old, _ in renamed)
            for start in range(0, len(ids), EMBED_BATCH):
                # the links people gave count for has: as they do on every page
                found = fetch_many(conn, ids[start : start + EMBED_BATCH])
                batch = list(with_given_links(conn, found).values())
                lexical.add(batch, replace)
                embedded = self.embedder.embed([document_text(p) for p in batch])
                blocks = self._passage_vectors(batch)
                if filler is not None:
                    filler.add([p.id for p in batch], embedded, blocks)
                else:
                    new_ids.extend(p.id for p in batch)
                    new_vectors.append(embedded)
                    if blocks is not None:
                        new_blocks.extend(blocks)
                done += len(batch)
                if on_progress:
                    on_progress(len(batch))
            # the vectors are published while the lexical writer's lock is held: one writer at a time
            if filler is not None:
                filler.close()
            elif new_ids:
                vectors.rename(renamed)  # the renamed rows then take the new ids' vectors in place
                blocks = new_blocks if self.embedder.passages else None
                vectors.upsert(new_ids, np.vstack(new_vectors), blocks, fold=fold)
        return done

    def _passage_vectors(self, batch: list[Paper]) -> list[np.ndarray] | None:
        """One block of passage vectors per paper (for embedders that want them; else None)."""
        if not self.embedder.passages:
            return None
        texts = [passages(p.abstract) for p in batch]
        flat_texts = [t for ts in texts for t in ts]
        flat = self.embedder.embed(flat_texts) if flat_texts else np.zeros((0, self.embedder.dim), np.float32)
        bounds = np.cumsum([0, *map(len, texts)])
        return [flat[a:b] for a, b in pairwise(bounds)]

    # --- querying --------------------------------------------------------------------------------

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
            lexical = self.lexical.search(_lexical_query(query, words, corrected), limit=CANDIDATES,
                                          filters=filters)
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

    def _dense(self, text: str, candidates: list[str], *, filtered: bool) -> dict[str, float]:
        """Cosine scores of ``candidates``, and of the nearest papers when nothing is ``filtered``; none
        while the vectors cannot be read (search answers from BM25 alone meanwhile)."""
        try:
            vectors = self.vectors
            if not len(vectors):
                return {}
            # the query as typed: the corrected words cost dense nDCG@10 (bench/RESULTS.md)
            qvec = self.embedder.embed([text])[0]
            dense = vectors.scores_for(qvec, candidates)
            if not filtered:
                dense.update(vectors.top(qvec, CANDIDATES))
            if vectors.has_passages:  # the whole paper and its best passage count alike
                best = vectors.best_passages(qvec, list(dense))
                dense = {pid: score + best.get(pid, score) for pid, score in dense.items()}
            return dense
        except Unavailable:
            return {}
        except (ValueError, OSError) as exc:  # a damaged file: derived data, rebuilt by the next catch-up
            self._vectors = None
            self._broken(f"the search vectors cannot be read ({str(exc)[:300]})")
            return {}

    def _listing(self, engine: Engine, query: ParsedQuery, filters: FilterTerms, *, limit: int,
                 sort: str) -> SearchResult:
        if not filters:
            return SearchResult(query, [])
        wide = limit if sort in ("relevance", "date") else max(limit * 3, 50)
        ids = self.lexical.newest(filters, limit=wide)  # every filter is the index's to apply
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

    def _corrected_words(self, query: ParsedQuery) -> tuple[tuple[str, ...], dict[str, str]]:
        """Replace words the index has never seen, or seen far less than a close word, by that word's
        stem (typo tolerance); quoted phrases and ids are never touched. At most ``MAX_CORRECTED``
        rare words are looked at (each costs a scan of a thousand terms); the rest stay as typed."""
        words, corrected = [], {}
        # a capital inside the query marks a name ("between Deltex and"), wherever else it stands (the
        # first word's capital may be the keyboard's)
        names = {w.lower() for w in query.words[1:] if w[:1].isupper()}
        looked_at = 0
        for word in query.words:
            rare = None if word.lower() in names or looked_at == MAX_CORRECTED else self._rare(word)
            fixed = None
            if rare is not None:
                looked_at += 1
                stem, freq = rare
                candidates = self.lexical.terms_with_prefix(stem[:2], limit=CORRECTION_CANDIDATES)
                fixed = best_correction(stem, candidates, freq=freq)
            if fixed and fixed != word.lower():
                corrected[word] = fixed
            words.append(fixed or word)
        return tuple(words), corrected

    def _rare(self, word: str) -> tuple[str, int] | None:
        """``word``'s stem and how many papers hold it, when it is rare enough to be a typo (None for
        common words, acronyms and names)."""
        if len(word) < 4 or not word.isalpha() or not word[1:].islower():  # acronyms and names: RUNX, StARkin
            return None
        stem = self.lexical.stem(word)
        freq = self.lexical.doc_freq(stem) if stem else 0
        if not stem or freq > MAX_TYPO_FREQ:  # common enough to be meant
            return None
        return stem, freq

    def similar(self, engine: Engine, *, paper_id: str | None = None, text: str | None = None,
                limit: int = 10) -> list[Hit]:
        """Nearest papers by embedding: near-duplicates of the source removed, then diversified (MMR)."""
        self.refresh()
        if paper_id is not None:
            vec = self.vectors.vector(paper_id)
            if vec is None:
                raise KeyError(paper_id)
            exclude = {paper_id}
        else:
            vec = self.embedder.embed([text or ""])[0]
            exclude = set()
        near = self.vectors.top(vec, limit * 3 + 5, exclude=exclude)
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
        ids, matrix = self.vectors.rows_for([pid for pid, _ in pool])
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


def _lexical_query(query: ParsedQuery, words: tuple[str, ...], corrected: dict[str, str]) -> str:
    """The BM25 query: a corrected word is its stem, searched in titles and abstracts only (as a word
    it would also match author names: the stem "model" finds Charlotte Model)."""
    if not corrected:
        return lexical_text(query, words)
    stems = set(corrected.values())
    kept = tuple(w for w in words if w not in stems)
    return " ".join([lexical_text(query, kept), *(f"text:{stem}" for stem in sorted(stems))]).strip()


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
