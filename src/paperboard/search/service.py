"""The embedded search backend: BM25 (tantivy) and vectors (usearch) in the data folder, kept current
with the database by watermarks; the querying is :class:`paperboard.search.querying.HybridSearch`."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import orjson
from sqlalchemy import Engine

from ..community.paper_links import with_given_links
from ..errors import Unavailable
from ..filter_terms import FilterTerms
from ..models import Paper
from ..storage.papers import changed_since, count_changed_between, fetch_many, renamed_since
from .documents import document_text, passages
from .embedders import Embedder
from .folders import IndexFolders, discard
from .hybrid import best_correction
from .lexical import LexicalIndex
from .query import ParsedQuery, lexical_text
from .querying import CANDIDATES, Hit, HybridSearch, SearchResult, apply_corrections
from .vectors import VectorIndex

__all__ = ["Hit", "SearchIndex", "SearchResult", "apply_corrections"]

log = logging.getLogger(__name__)

REOPEN_AFTER = 10.0  # seconds between looks at an index that could not be read
MAX_TYPO_FREQ = 200  # a word in more papers than this is meant as written
CORRECTION_CANDIDATES = 1000  # the most frequent terms sharing a word's first two letters
MAX_CORRECTED = 8  # rare words looked at for a correction in one query (each scans a thousand terms)
EMBED_BATCH = 2048
PUBLISH_EVERY = 8192  # papers embedded between two publications of a growing index
WATERMARK_OVERLAP = dt.timedelta(minutes=1)


class SearchIndex(HybridSearch):
    """Both indexes of one data folder, and the embedder that fills the dense one. An index that cannot
    be read leaves search unavailable (:class:`paperboard.errors.Unavailable`, with the reason) and
    everything else working; ``catch_up`` and ``reindex`` build a new one."""

    def __init__(self, data_dir: Path, embedder: str | Embedder = "wordllama"):
        self.root = data_dir / "index"
        self.folders = IndexFolders(self.root)
        self._use(embedder)
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
    # Each half of the index records the newest ``changed_at`` it has seen (its watermark): the BM25
    # index in the generation's ``state.json``, each embedder's vectors in their own folder. A catch-up
    # brings BM25 up to date first (seconds), then the vectors (the embedding is most of the time), so
    # searches answer from BM25 as soon as it is written and blend in the dense side as vectors arrive.
    # A half killed part way is caught up by the next run. A writer may commit a stamp slightly older
    # than one already indexed, so the minute before a watermark is looked at again: the state also
    # keeps how many papers that minute held, and only if that number grew is the minute indexed again.

    def _state_file(self, vectors: VectorIndex | None = None) -> Path:
        """The vectors' watermark (one per embedder: each has its own vectors)."""
        return (vectors if vectors is not None else self.vectors).path / "state.json"

    def _lexical_state_file(self, folder: Path | None = None) -> Path:
        return (folder or self._folder) / "state.json"

    @staticmethod
    def _read_state(path: Path) -> dict[str, object]:
        return orjson.loads(path.read_bytes()) if path.exists() else {}

    def _state(self) -> dict[str, object]:
        return self._read_state(self._state_file())

    def _lexical_state(self) -> dict[str, object]:
        """The BM25 watermark; an index from before the halves had their own shares the vectors' one."""
        own = self._lexical_state_file()
        return self._read_state(own if own.exists() else self._state_file())

    def watermark(self) -> dt.datetime | None:
        """Until when every paper is indexed: in BM25 and with its vector (the later of the two)."""
        return watermark_of(self._state())

    @staticmethod
    def _save_watermark(engine: Engine, stamp: dt.datetime | None, path: Path) -> None:
        if stamp is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(watermark_state(engine, stamp)))

    def semantic_share(self) -> float | None:
        """How much of the BM25 index has its vectors (1.0 when complete; 0.0 while BM25 holds nothing
        either); None while unreadable."""
        try:
            lexical, vectors = self.lexical, self.vectors
        except Unavailable:
            return None
        return min(1.0, len(vectors) / len(lexical)) if len(lexical) else 0.0

    def indexed(self) -> int:
        """How many papers BM25 holds."""
        return len(self.lexical)

    def reindex(self, engine: Engine, on_progress: Callable[[int], None] | None = None,
                on_step: Callable[[str, int], None] | None = None) -> int:
        """Rebuild both indexes from the database, beside the ones being served, and switch to them when
        they are complete (searches meanwhile answer from the old ones)."""
        def both(folder: Path) -> int:
            done = self._lexical_step(engine, LexicalIndex(folder / "lexical"), on_progress, on_step,
                                      folder=folder)
            self._vector_step(engine, self._vectors_in(folder), on_progress, on_step, fold=True, fill=True)
            return done

        with self.folders.writing():
            return self._generation(both)

    def _generation(self, write: Callable[[Path], int]) -> int:
        """``write`` a new generation's folder, then serve it (nothing is kept if it fails); its count."""
        folder = self.folders.new_generation()
        try:
            done = write(folder)
        except BaseException:
            discard(folder)
            raise
        self.folders.publish(folder)
        self._open()
        return done

    def _build(self, engine: Engine, on_progress: Callable[[int], None] | None,
               on_step: Callable[[str, int], None] | None, prepare: Callable[[], int] | None) -> int:
        """A first index (or one replacing an unreadable one): BM25 as a generation of its own, served
        as soon as it is complete, then the vectors written into it as they are embedded. What BM25
        reads besides the papers (``prepare``: their gists' keywords) is written after that first
        publication, and BM25 written again if it wrote anything: searches answer meanwhile."""
        done = self._generation(lambda folder: self._lexical_step(
            engine, LexicalIndex(folder / "lexical"), on_progress, on_step, folder=folder))
        if prepare is not None and prepare():
            self._lexical_step(engine, self.lexical, on_progress, on_step, again=True)
        return max(done, self._vector_step(engine, self.vectors, on_progress, on_step, fold=True))

    def pending(self, engine: Engine) -> tuple[list[str], dt.datetime | None]:
        """Ids changed since the vectors' watermark, and the minute before it if papers arrived in it
        late."""
        return changed_after(engine, self._state())

    def catch_up(self, engine: Engine, on_progress: Callable[[int], None] | None = None, *, fold: bool = True,
                 wait: float | None = None, rebuild: bool = True,
                 on_step: Callable[[str, int], None] | None = None,
                 prepare: Callable[[], int] | None = None) -> int:
        """Index every paper added or changed since the last run, BM25 first then the vectors; an index
        that holds nothing yet is built anew, and so is one that cannot be read (``rebuild=False``: left
        to another process, Unavailable). ``on_step(name, papers)`` is told as each half starts
        (``"BM25"``, ``"embeddings"``), ``on_progress(papers)`` after each batch of either. ``fold=False``
        (a serving process) never loads the whole HNSW graph to fold updates into it: the next ingest
        does. Writers of every process take turns: ``wait`` seconds at most for the one writing now
        (IndexBusy after), or as long as it takes; ``prepare`` (what BM25 reads besides the papers,
        written by one process at a time: how many it wrote) runs once it is this one's turn, after a
        first BM25 is served when there is none."""
        with self.folders.writing(wait):
            self.refresh()
            try:
                lexical, vectors = self.lexical, self.vectors
            except Unavailable:  # unreadable: a new generation, served as soon as BM25 is complete
                if not rebuild:
                    raise
                return self._build(engine, on_progress, on_step, prepare)
            if not len(lexical):  # nothing indexed yet
                return self._build(engine, on_progress, on_step, prepare)
            if prepare is not None:
                prepare()
            done = self._lexical_step(engine, lexical, on_progress, on_step)
            return max(done, self._vector_step(engine, vectors, on_progress, on_step, fold=fold))

    def _lexical_step(self, engine: Engine, index: LexicalIndex, on_progress: Callable[[int], None] | None,
                      on_step: Callable[[str, int], None] | None, *, folder: Path | None = None,
                      again: bool = False) -> int:
        """Bring BM25 up to date (``folder``: a new generation's, from nothing; ``again``: every paper
        written again); one commit at the end."""
        state = {} if folder or again else self._lexical_state()
        work = to_index(engine, state, on_step, "BM25 with keywords" if again else "BM25")
        if work is None:
            return 0
        ids, latest, mark = work
        replace = len(index) > 0
        with index.writing() as writer, engine.connect() as conn:
            # a rebuild drops every renamed id the shared BM25 may hold, a catch-up those since its mark
            writer.remove(old for old, _ in unseen_renames(conn, mark))
            for batch in paper_batches(conn, ids):
                writer.add(batch, replace)
                if on_progress:
                    on_progress(len(batch))
        self._save_watermark(engine, latest, self._lexical_state_file(folder))
        return len(ids)

    def _vector_step(self, engine: Engine, vectors: VectorIndex, on_progress: Callable[[int], None] | None,
                     on_step: Callable[[str, int], None] | None, *, fold: bool, fill: bool = False) -> int:
        """Embed every paper changed since the vectors' watermark. ``fill``: a new generation's, streamed
        into one file; otherwise written in growing chunks (each published at once: searches use the
        vectors written so far), and the watermark saved when all are."""
        state_file = self._state_file(vectors)
        state = self._read_state(state_file)
        work = to_index(engine, state, on_step, "embeddings")
        if work is None:
            return 0
        ids, latest, mark = work
        filler = vectors.fill() if fill else None
        chunk: tuple[list[str], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        with engine.connect() as conn:
            vectors.rename(unseen_renames(conn, mark))
            for batch in paper_batches(conn, ids):
                embedded = self.embedder.embed([document_text(p) for p in batch])
                blocks = self._passage_vectors(batch)
                if filler is not None:
                    filler.add([p.id for p in batch], embedded, blocks)
                else:
                    chunk[0].extend(p.id for p in batch)
                    chunk[1].append(embedded)
                    chunk[2].extend(blocks or ())
                    if len(chunk[0]) >= max(PUBLISH_EVERY, len(vectors) // 4):  # O(log n) publishes
                        self._write_vectors(vectors, chunk, fold)
                        chunk = ([], [], [])
                if on_progress:
                    on_progress(len(batch))
        if filler is not None:
            filler.close()
        elif chunk[0]:
            self._write_vectors(vectors, chunk, fold)
        self._save_watermark(engine, latest, state_file)
        return len(ids)

    def _write_vectors(self, vectors: VectorIndex,
                       chunk: tuple[list[str], list[np.ndarray], list[np.ndarray]], fold: bool) -> None:
        ids, embedded, blocks = chunk
        vectors.upsert(ids, np.vstack(embedded), blocks if self.embedder.passages else None, fold=fold)

    def _passage_vectors(self, batch: list[Paper]) -> list[np.ndarray] | None:
        """One block of passage vectors per paper (for embedders that want them; else None)."""
        if not self.embedder.passages:
            return None
        texts = [passages(p.abstract) for p in batch]
        flat_texts = [t for ts in texts for t in ts]
        flat = self.embedder.embed(flat_texts) if flat_texts else np.zeros((0, self.embedder.dim), np.float32)
        bounds = np.cumsum([0, *map(len, texts)])
        return [flat[a:b] for a, b in pairwise(bounds)]

    # --- querying (the hooks of HybridSearch) ------------------------------------------------------

    def _bm25(self, query: ParsedQuery, words: tuple[str, ...], corrected: dict[str, str],
              filters: FilterTerms) -> list[tuple[str, float]]:
        return self.lexical.search(_lexical_query(query, words, corrected), limit=CANDIDATES, filters=filters)

    def _newest(self, engine: Engine, filters: FilterTerms, limit: int) -> list[str]:
        return self.lexical.newest(filters, limit=limit)  # every filter is the index's to apply

    def _vector(self, paper_id: str) -> np.ndarray | None:
        return self.vectors.vector(paper_id)

    def _nearest(self, vector: np.ndarray, k: int, exclude: set[str]) -> list[tuple[str, float]]:
        return self.vectors.top(vector, k, exclude=exclude)

    def _rows(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        return self.vectors.rows_for(ids)

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


def watermark_of(state: dict[str, object]) -> dt.datetime | None:
    """The watermark a half's state records (None before its first run)."""
    value = state.get("indexed_until")
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def changed_after(engine: Engine, state: dict[str, object]) -> tuple[list[str], dt.datetime | None]:
    """Ids changed since the watermark of ``state``, and the minute before it if papers arrived in it
    late; the newest change among them (the next watermark)."""
    mark = watermark_of(state)
    with engine.connect() as conn:
        if mark is None:
            return changed_since(conn, None)
        window = count_changed_between(conn, mark - WATERMARK_OVERLAP, mark)
        if window == state.get("window"):
            ids, latest = changed_since(conn, mark, strictly_after=True)
            return ids, latest or mark
        return changed_since(conn, mark - WATERMARK_OVERLAP)


def to_index(engine: Engine, state: dict[str, object], on_step: Callable[[str, int], None] | None,
             step: str) -> tuple[list[str], dt.datetime | None, dt.datetime | None] | None:
    """What a half whose state is ``state`` has to index (ids, the next watermark, its own), told to
    ``on_step`` as ``step``; None when nothing changed since its watermark."""
    ids, latest = changed_after(engine, state)
    mark = watermark_of(state)
    if not ids and latest == mark:
        return None
    if on_step:
        on_step(step, len(ids))
    return ids, latest, mark


def watermark_state(engine: Engine, stamp: dt.datetime) -> dict[str, object]:
    """What a half records once every paper changed until ``stamp`` is indexed: the watermark, and how
    many papers its last minute held (if more arrive in it late, that minute is indexed again)."""
    with engine.connect() as conn:
        window = count_changed_between(conn, stamp - WATERMARK_OVERLAP, stamp)
    return {"indexed_until": stamp.isoformat(), "window": window}


def unseen_renames(conn, mark: dt.datetime | None) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The renames a half whose watermark is ``mark`` has not seen (every one when it has none)."""
    return renamed_since(conn, None if mark is None else mark - WATERMARK_OVERLAP)


def paper_batches(conn, ids: list[str]) -> Iterator[list[Paper]]:  # type: ignore[no-untyped-def]
    """The papers of ``ids`` in batches, with the links people gave (they count for ``has:`` as they
    do on every page)."""
    for start in range(0, len(ids), EMBED_BATCH):
        found = fetch_many(conn, ids[start : start + EMBED_BATCH])
        yield list(with_given_links(conn, found).values())


def _lexical_query(query: ParsedQuery, words: tuple[str, ...], corrected: dict[str, str]) -> str:
    """The BM25 query: a corrected word is its stem, searched in titles and abstracts only (as a word
    it would also match author names: the stem "model" finds Charlotte Model)."""
    if not corrected:
        return lexical_text(query, words)
    stems = set(corrected.values())
    kept = tuple(w for w in words if w not in stems)
    return " ".join([lexical_text(query, kept), *(f"text:{stem}" for stem in sorted(stems))]).strip()
