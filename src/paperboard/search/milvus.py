"""Search on Milvus (through ``pymilvus``): the second search backend, for sites that outgrow one machine.
Chosen by ``PAPERBOARD_SEARCH_URL``: ``http://host:19530`` for a Milvus server or cluster, or a file
path for the embedded Milvus Lite (one process at a time: the site and the worker need a server).

One collection holds a row per paper: its BM25 terms (Milvus's built-in BM25 function over the words
as the embedded index stems them, so that both backends match the same words), its dense vector, and
the scalar fields the filter language is compiled to (:mod:`paperboard.search.milvus_filter`). The
collection is reached through an alias: ``reindex`` fills a new collection beside the served one and
moves the alias when it is complete. The watermark (until when every paper is indexed) lives in Milvus
beside the rows, so that every app machine shares it; catching up writes rows by upsert, so two
machines catching up at once do the same work twice but never lose or double a paper.

What differs from the embedded backend (bench/RESULTS.md compares them; docs/scaling.md says more): no
spelling correction and no term statistics (For you and topics need them: on Milvus they answer 503),
no passage vectors, and BM25 statistics that Milvus keeps per segment. ``pymilvus`` is an extra
(``pip install 'paperboard[milvus]'``); without it a site set to Milvus says so.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from sqlalchemy import Engine

from ..clock import utcnow
from ..errors import Unavailable
from ..filter_rules import GAP, STEMMED
from ..filter_terms import FilterTerms
from ..models import Paper
from .documents import document_text
from .embedders import Embedder
from .lexical import day_number
from .milvus_filter import expression, filter_fields
from .query import ParsedQuery, content_words, word_tokens
from .querying import CANDIDATES, HybridSearch
from .service import changed_after, paper_batches, to_index, unseen_renames, watermark_of, watermark_state

log = logging.getLogger(__name__)

ALIAS = "papers"  # the name searches use; the collections behind it are papers_<stamp>
STATE = "paperboard_state"  # one row per collection: its watermark and embedder
TEXT_BYTES = 65_535  # Milvus's longest VARCHAR
TIMEOUT = 5.0  # seconds a call to Milvus may take before search says it is unavailable
QUERY_ROWS = 16_384  # the most rows one Milvus query returns
LISTING_WINDOWS = (7, 31, 366, 3660)  # days looked back for a listing's newest papers, widest last
NOT_ON_MILVUS = "this site searches with Milvus (PAPERBOARD_SEARCH_URL)"


def _clip(text: str) -> str:
    """``text`` cut to Milvus's longest VARCHAR (counted in bytes)."""
    data = text.encode()
    return text if len(data) <= TEXT_BYTES else data[:TEXT_BYTES].decode(errors="ignore")


def row(paper: Paper, vector: np.ndarray) -> dict[str, Any]:
    """``paper``'s Milvus row (pure): its BM25 terms (title, abstract and keywords stemmed as the embedded
    index stems them), its vector and its filter fields (authors are a filter, as on the embedded index's
    ``author:``)."""
    fields = filter_fields(paper)
    terms = fields["words"].replace(GAP, " ")
    return {"id": paper.id, "terms": _clip(" ".join(terms.split())), "dense": vector.tolist(),
            **{k: _clip(v) if isinstance(v, str) else v for k, v in fields.items()}}


def query_terms(query: ParsedQuery, words: tuple[str, ...]) -> str:
    """What BM25 is asked (pure): the words of the query, then its phrases' words again (Milvus ranks no
    phrase as one: they weigh twice instead), stemmed as the rows are, without function words unless
    nothing else is left ("A is B" would be three of the commonest words)."""
    return " ".join(STEMMED.analyze(" ".join(content_words(word_tokens((*words, *query.phrases))))))


class MilvusSearch(HybridSearch):
    """Search over one Milvus (a server, a cluster or a Lite file). Milvus down or unreachable leaves
    search unavailable (:class:`paperboard.errors.Unavailable`) and every other page working; what was
    stored meanwhile is indexed by the next catch-up, from the watermark."""

    term_statistics = False

    def __init__(self, url: str, embedder: str | Embedder = "wordllama"):
        self.url = url
        self._use(embedder)
        self._client: Any = None
        self._loaded: str | None = None
        self.problem: str | None = None

    # --- the connection -----------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                from pymilvus import MilvusClient
            except ImportError:
                raise Unavailable("PAPERBOARD_SEARCH_URL names Milvus, and pymilvus is not installed: "
                                  "pip install 'paperboard[milvus]'") from None
            if "://" not in self.url:  # Milvus Lite, served from this process: its server logs what it
                # does not implement (calls pymilvus makes and gets past) as errors of its own
                logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
                logging.getLogger("milvus_lite").setLevel(logging.WARNING)
                Path(self.url).expanduser().parent.mkdir(parents=True, exist_ok=True)
            with self._calling():
                self._client = MilvusClient(uri=self.url, timeout=TIMEOUT)
        return self._client

    @contextmanager
    def _calling(self) -> Iterator[None]:
        """A call to Milvus: any failure of Milvus or of the way to it is Unavailable, with the reason."""
        try:
            from grpc import RpcError
            from pymilvus.exceptions import MilvusException
        except ImportError:
            self.client  # noqa: B018 - Unavailable, saying what to install
            raise

        try:
            yield
        except (MilvusException, RpcError, OSError, ConnectionError) as exc:
            if not isinstance(exc, MilvusException):  # the way to Milvus broke: connect again
                self._client = None
            self._loaded = None  # loaded again on the next call, in case Milvus restarted
            self.problem = f"search is unavailable: Milvus at {self.url} did not answer ({str(exc)[:200]})"
            log.error("%s", self.problem)
            raise Unavailable(self.problem) from None
        else:
            self.problem = None

    def close(self) -> None:
        """The connection to Milvus (and Milvus Lite's server, for a file)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- the collections ------------------------------------------------------------------------------

    def _served(self) -> str | None:
        """The collection the alias names (None before the first build)."""
        with self._calling():
            if not self.client.has_collection(ALIAS):
                return None
            name = str(self.client.describe_collection(ALIAS)["collection_name"])
            if name != self._loaded:  # a collection is read once loaded (a restarted Milvus forgets it)
                for loaded in (name, STATE):
                    self.client.load_collection(loaded)
                self._loaded = name
        return name

    def _ready(self) -> bool:
        """Whether there is a collection to search (asked of Milvus once, then after each failure:
        searches name the alias, which Milvus resolves, and a collection is loaded when created)."""
        return self._loaded is not None or self._served() is not None

    def _create(self) -> str:
        from pymilvus import DataType, Function, FunctionType

        name = f"{ALIAS}_{time.time_ns()}"
        with self._calling():
            client = self.client
            schema = client.create_schema(auto_id=False)
            schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
            schema.add_field("terms", DataType.VARCHAR, max_length=TEXT_BYTES, enable_analyzer=True)
            schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.embedder.dim)
            schema.add_field("words", DataType.VARCHAR, max_length=TEXT_BYTES)
            schema.add_field("names", DataType.VARCHAR, max_length=TEXT_BYTES)
            for array in ("categories", "has"):
                schema.add_field(array, DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=64,
                                 max_length=64)
            schema.add_field("day", DataType.INT64)
            schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                         input_field_names=["terms"], output_field_names=["sparse"]))
            params = client.prepare_index_params()
            params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                             params={"bm25_k1": 1.2, "bm25_b": 0.75})  # tantivy's, as the embedded index
            params.add_index("dense", index_type="HNSW", metric_type="IP",
                             params={"M": 16, "efConstruction": 200})
            params.add_index("day", index_type="INVERTED")
            client.create_collection(name, schema=schema, index_params=params)
            if not client.has_collection(STATE):
                state = client.create_schema(auto_id=False)
                state.add_field("collection", DataType.VARCHAR, is_primary=True, max_length=128)
                state.add_field("value", DataType.VARCHAR, max_length=1024)
                state.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector in each
                state_params = client.prepare_index_params()
                state_params.add_index("unused", index_type="FLAT", metric_type="L2")
                client.create_collection(STATE, schema=state, index_params=state_params)
        return name

    def _serve(self, name: str, old: str | None) -> None:
        with self._calling():
            if old is None:
                self.client.create_alias(name, ALIAS)
            else:
                self.client.alter_alias(name, ALIAS)
                self.client.drop_collection(old)
                self.client.delete(STATE, ids=[old])

    def _state(self, name: str) -> dict[str, Any]:
        with self._calling():
            found = self.client.get(STATE, ids=[name], output_fields=["value"])
        return json.loads(found[0]["value"]) if found else {}

    def _save_state(self, engine: Engine, name: str, stamp: dt.datetime | None) -> None:
        if stamp is None:
            return
        value = json.dumps({**watermark_state(engine, stamp), "embedder": self.embedder.name})
        with self._calling():
            self.client.upsert(STATE, [{"collection": name, "value": value, "unused": [0.0, 0.0]}])

    # --- keeping it current ---------------------------------------------------------------------------

    def watermark(self) -> dt.datetime | None:
        name = self._served()
        return watermark_of(self._state(name)) if name else None

    def pending(self, engine: Engine) -> tuple[list[str], dt.datetime | None]:
        name = self._served()
        return changed_after(engine, self._state(name) if name else {})

    def catch_up(self, engine: Engine, on_progress: Callable[[int], None] | None = None, *, fold: bool = True,
                 wait: float | None = None, rebuild: bool = True,
                 on_step: Callable[[str, int], None] | None = None,
                 prepare: Callable[[], int] | None = None) -> int:
        """Write every paper added or changed since the watermark (the first time: every paper). The
        embedded backend's arguments that concern its files (``fold``, ``wait``) mean nothing here."""
        name = self._served()
        if name is None:
            if not rebuild:
                raise Unavailable("the Milvus collection does not exist yet: run `paperboard reindex`")
            return self.reindex(engine, on_progress, on_step, prepare=prepare)
        state = self._state(name)
        if state.get("embedder", self.embedder.name) != self.embedder.name:
            raise Unavailable(f"the Milvus collection holds {state['embedder']} vectors, and this site "
                              f"embeds with {self.embedder.name}: run `paperboard reindex`")
        if prepare is not None:
            prepare()
        return self._write(engine, name, state, on_progress, on_step)

    def reindex(self, engine: Engine, on_progress: Callable[[int], None] | None = None,
                on_step: Callable[[str, int], None] | None = None, *,
                prepare: Callable[[], int] | None = None) -> int:
        """Fill a new collection from the database, then serve it (searches meanwhile use the old one;
        a rebuild that fails leaves nothing behind)."""
        if prepare is not None:
            prepare()
        old = self._served()
        name = self._create()
        try:
            done = self._write(engine, name, {}, on_progress, on_step)
            with self._calling():
                self.client.flush(name)
        except BaseException:
            with self._calling():
                self.client.drop_collection(name)
            raise
        self._serve(name, old)
        return done

    def _write(self, engine: Engine, name: str, state: dict[str, Any],
               on_progress: Callable[[int], None] | None, on_step: Callable[[str, int], None] | None) -> int:
        work = to_index(engine, state, on_step, "Milvus")
        if work is None:
            return 0
        ids, latest, mark = work
        with engine.connect() as conn:
            gone = [old for old, _ in unseen_renames(conn, mark)]
            if gone and state:
                with self._calling():
                    self.client.delete(name, ids=gone)
            for batch in paper_batches(conn, ids):
                vectors = self.embedder.embed([document_text(p) for p in batch])
                with self._calling():
                    self.client.upsert(name, [row(p, v) for p, v in zip(batch, vectors, strict=True)])
                if on_progress:
                    on_progress(len(batch))
        self._save_state(engine, name, latest)
        return len(ids)

    def semantic_share(self) -> float | None:
        """Every row carries its vector, and a collection is served only once whole: 1.0 once there is
        one (None while Milvus is down). Asked on every search page, so it asks Milvus nothing once a
        collection is loaded."""
        try:
            return 1.0 if self._ready() else 0.0
        except Unavailable:
            return None

    def indexed(self) -> int:
        """How many papers the served collection holds."""
        if not self._ready():
            return 0
        with self._calling():
            found = self.client.query(ALIAS, filter="", output_fields=["count(*)"])
        return int(found[0]["count(*)"]) if found else 0

    @property
    def lexical(self) -> NoReturn:
        """Term statistics (For you, topics, the terms of related papers): not on Milvus yet."""
        raise Unavailable(f"{NOT_ON_MILVUS}: search and similar papers work, this does not yet")

    @property
    def vectors(self) -> NoReturn:
        raise Unavailable(f"{NOT_ON_MILVUS}: search and similar papers work, this does not yet")

    # --- querying (the hooks of HybridSearch) ------------------------------------------------------

    def _search(self, data: list[Any], field: str, limit: int, expr: str) -> list[tuple[str, float]]:
        if limit <= 0:
            return []
        with self._calling():
            found = self.client.search(ALIAS, data=data, anns_field=field, limit=min(limit, QUERY_ROWS),
                                       filter=expr, output_fields=["id"])
        if field != "sparse":
            return [(str(h["id"]), float(h["distance"])) for h in found[0]]
        # BM25 scores are positive (Milvus Lite gives them negated, and pads the results with papers
        # that share no word with the query, at 0)
        scored = [(str(h["id"]), abs(float(h["distance"]))) for h in found[0]]
        return [(pid, score) for pid, score in scored if score > 0]

    def _bm25(self, query: ParsedQuery, words: tuple[str, ...], corrected: dict[str, str],
              filters: FilterTerms) -> list[tuple[str, float]]:
        terms = query_terms(query, words)
        if not terms or not self._ready():
            return []
        return self._search([terms], "sparse", CANDIDATES, expression(filters))

    def _dense(self, text: str, candidates: list[str], *, filtered: bool) -> dict[str, float]:
        qvec = self.embedder.embed([text])[0].tolist()
        dense = dict(self._search([qvec], "dense", len(candidates), f"id in {json.dumps(candidates)}"))
        if not filtered:
            dense.update(self._search([qvec], "dense", CANDIDATES, ""))
        return dense

    def _newest(self, engine: Engine, filters: FilterTerms, limit: int) -> list[str]:
        """The newest papers the filters select: Milvus has no order, so the days before today are looked
        at in widening windows until one holds ``limit`` papers."""
        if not self._ready():
            return []
        base = expression(filters)
        today = utcnow().date()
        rows: list[dict[str, Any]] = []
        for days in (*LISTING_WINDOWS, None):
            since = f"day >= {day_number(today - dt.timedelta(days=days))}" if days else ""
            expr = " and ".join(f"({e})" for e in (base, since) if e)
            with self._calling():
                rows = self.client.query(ALIAS, filter=expr, output_fields=["id", "day"], limit=QUERY_ROWS)
            if len(rows) >= limit:
                break
        rows.sort(key=lambda r: (-int(r["day"]), str(r["id"])))
        return [str(r["id"]) for r in rows[:limit]]

    def _vector(self, paper_id: str) -> np.ndarray | None:
        ids, matrix = self._rows([paper_id])
        return matrix[0] if ids else None

    def _nearest(self, vector: np.ndarray, k: int, exclude: set[str]) -> list[tuple[str, float]]:
        found = self._search([vector.tolist()], "dense", k + len(exclude), "")
        return [(pid, score) for pid, score in found if pid not in exclude][:k]

    def _rows(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        if not ids:
            return [], np.zeros((0, self.embedder.dim), np.float32)
        with self._calling():
            rows = self.client.get(ALIAS, ids=ids, output_fields=["dense"])
        found = {str(r["id"]): r["dense"] for r in rows}
        present = [pid for pid in ids if pid in found]
        matrix = np.asarray([found[pid] for pid in present], dtype=np.float32).reshape(len(present), -1)
        return present, matrix
