"""The lexical index (BM25, tantivy): titles, abstracts and authors, and the filter language compiled to
its queries.

Derived data: ``paperboard reindex`` rebuilds it from the database; ingest keeps it current.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import tantivy

from ..filter_rules import STEMMED, needle, paper_day, paper_texts
from ..filter_terms import HAS, FilterTerms, Term
from ..models import Paper

# 2: title and abstract in one field ("text"). BM25 over the pair as one text ranks better than the sum
# of two per-field scores (SciFact dev BM25 0.676 -> 0.700, bench/RESULTS.md): a word in a title no
# longer scores twice as a rare term of a very short field.
# 3: the links a paper has ("has": code, project), so that has: is answered by the index like every
# other filter term (it was checked on stored papers, a pool that cost seconds per query)
# 4: the title, the abstract and each keyword are values of their own, so that no phrase spans two of
# them (the filter language's rule, paperboard.filter_rules)
SCHEMA_VERSION = 4
SEARCHED_FIELDS = ["text", "authors"]
WRITER_HEAP = 256 << 20
PHRASES_KEPT = 100_000  # phrase frequencies remembered per process
PHRASE_THREADS = 2  # threads that count a reader's two-word phrases (the machine has two cores)


@functools.lru_cache(maxsize=1 << 16)  # highlights stem every word of every hit shown
def _stem(word: str) -> str:
    tokens = STEMMED.analyze(word)
    return tokens[0] if tokens else ""


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_text_field("text", stored=False, tokenizer_name="en_stem")  # title, abstract, keywords
    b.add_text_field("authors", stored=False, tokenizer_name="default")
    b.add_text_field("category", stored=False, tokenizer_name="raw")
    b.add_text_field("has", stored=False, tokenizer_name="raw")
    b.add_integer_field("day", stored=False, indexed=True, fast=True)
    return b.build()


def day_number(day: dt.date | None) -> int:
    """Dates as YYYYMMDD integers; papers without a date sort first (0)."""
    return day.year * 10000 + day.month * 100 + day.day if day else 0


NO_FILTERS = FilterTerms()


class LexicalWriter:
    def __init__(self, writer: tantivy.IndexWriter, document: Callable[[Paper], tantivy.Document]):
        self._writer = writer
        self._document = document

    def add(self, papers: Iterable[Paper], replace: bool) -> None:
        """Add ``papers``; ``replace`` first deletes any document with the same id."""
        for paper in papers:
            if replace:
                self._writer.delete_documents_by_term("id", paper.id)
            self._writer.add_document(self._document(paper))

    def remove(self, ids: Iterable[str]) -> None:
        for paper_id in ids:
            self._writer.delete_documents_by_term("id", paper_id)


class LexicalIndex:
    def __init__(self, path: Path):
        self.path = path
        self.schema = _schema()
        version_file = path / "paperboard-schema"
        fresh = not (path / "meta.json").exists() or (
            not version_file.exists() or version_file.read_text().strip() != str(SCHEMA_VERSION)
        )
        # an index written under another schema is dropped; when this open starts an empty index,
        # whoever keeps it current must index everything again
        self.created = fresh
        if fresh and path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path), reuse=not fresh)
        self._phrase_freq: dict[str, int] = {}
        self._phrases_of = -1  # the number of papers the remembered phrase counts were made over
        version_file.write_text(str(SCHEMA_VERSION))

    # --- writing ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[LexicalWriter]:
        """One writer for a whole run; one commit at the end (nothing is visible, or kept, if the run
        fails)."""
        # one thread: papers get their places in the order they are added, so equal scores come out in
        # the same order from every build (two threads shared them out as scheduled); BM25 over 74,728
        # papers takes 11 s instead of 5.5 s (tests/functional/test_search_repeatable.py)
        writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        try:
            yield LexicalWriter(writer, self._document)
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def clear(self) -> None:
        writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    @staticmethod
    def _document(paper: Paper) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("id", paper.id)
        # the gist's keywords once more: the paper's own phrases count a little more (bench/RESULTS.md)
        for text in paper_texts(paper):
            doc.add_text("text", text)
        for author in paper.authors:
            doc.add_text("authors", author.name)
        for category in paper.categories:
            doc.add_text("category", category)
        for kind in HAS:
            if paper.links.get(kind):
                doc.add_text("has", kind)
        doc.add_integer("day", day_number(paper_day(paper)))
        return doc

    # --- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.index.searcher().num_docs

    @staticmethod
    def stem(word: str) -> str:
        """``word`` as the text field indexes it (lower case, English stem)."""
        return _stem(word)

    def doc_freq(self, term: str) -> int:
        return self.index.searcher().doc_freq("text", term)

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """How many papers have each of ``terms`` (stems of the text field, or two or more of them with
        spaces between: a phrase), read from one searcher."""
        searcher = self.index.searcher()
        if searcher.num_docs != self._phrases_of or len(self._phrase_freq) > PHRASES_KEPT:
            self._phrase_freq, self._phrases_of = {}, searcher.num_docs  # counted in another index
        out = {}
        phrases = []
        for term in set(terms):
            if " " not in term:
                out[term] = searcher.doc_freq("text", term)
            else:
                phrases.append(term)
        # a phrase costs a search (a few ms for common words), remembered while the index is the same;
        # tantivy lets go of the GIL while it searches, so two threads count them in about half the time
        missing = [term for term in phrases if term not in self._phrase_freq]

        def count(term: str) -> int:
            return int(searcher.search(self._stems(term), limit=1, count=True).count)

        if len(missing) > 2:
            with ThreadPoolExecutor(max_workers=PHRASE_THREADS) as pool:
                self._phrase_freq.update(zip(missing, pool.map(count, missing), strict=True))
        else:
            self._phrase_freq.update((term, count(term)) for term in missing)
        out.update((term, self._phrase_freq[term]) for term in phrases)
        return out

    def _stems(self, term: str) -> tantivy.Query:
        """A stem, or stems with spaces between (a phrase), as a query of the text field."""
        words = term.split()
        if len(words) == 1:
            return tantivy.Query.term_query(self.schema, "text", words[0])
        return tantivy.Query.phrase_query(self.schema, "text", words)

    def terms_with_prefix(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Indexed title and abstract terms starting with ``prefix``, most frequent first."""
        return list(self.index.searcher().terms_with_prefix("text", prefix, limit=limit))

    def search(self, query: str, *, limit: int, filters: FilterTerms = NO_FILTERS,
               among: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """BM25 over title, abstract and authors; ``query`` is plain words and "quoted phrases".
        ``among`` keeps to those papers (ids)."""
        searcher = self.index.searcher()
        parsed = self._parse(query)
        if parsed is None:
            return []
        q = self._filtered(self._among(parsed, among), filters)
        hits = searcher.search(q, limit=limit).hits
        out = []
        for score, address in hits:
            doc = searcher.doc(address)
            out.append((doc["id"][0], float(score)))
        return out

    def weighted(self, words: dict[str, float], *, limit: int, filters: FilterTerms = NO_FILTERS,
                 among: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """BM25 of papers for indexed words (stems of the text field, or phrases of them as
        :meth:`doc_freqs` takes them), each counting ``words[w]`` times: a profile of papers searched for.
        ``among`` keeps to those papers (ids)."""
        clauses = [(tantivy.Occur.Should, tantivy.Query.boost_query(self._stems(word), weight))
                   for word, weight in words.items() if weight > 0 and word.strip()]
        if not clauses:
            return []
        query = self._among(tantivy.Query.boolean_query(clauses), among)
        searcher = self.index.searcher()
        hits = searcher.search(self._filtered(query, filters), limit=limit).hits
        return [(searcher.doc(address)["id"][0], float(score)) for score, address in hits]

    def newest(self, filters: FilterTerms, *, limit: int, among: Iterable[str] | None = None) -> list[str]:
        """The papers that pass ``filters``, newest listing day first (a query of fields alone);
        ``among`` keeps to those papers (ids)."""
        searcher = self.index.searcher()
        query = self._filtered(self._among(tantivy.Query.all_query(), among), filters)
        hits = searcher.search(query, limit=limit, order_by_field="day", order=tantivy.Order.Desc).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]

    def _among(self, query: tantivy.Query, among: Iterable[str] | None) -> tantivy.Query:
        if among is None:
            return query
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, (
            tantivy.Query.term_set_query(self.schema, "id", list(among))))])

    def _parse(self, query: str) -> tantivy.Query | None:
        """``query`` comes from :func:`paperboard.search.query.lexical_text`: words and quoted phrases
        only, so the tantivy query language cannot be injected."""
        if not query.strip():
            return None
        q, _errors = self.index.parse_query_lenient(query, SEARCHED_FIELDS)
        return q

    def _filtered(self, query: tantivy.Query, filters: FilterTerms) -> tantivy.Query:
        """``query`` narrowed by ``filters``, compiled by the rules of :mod:`paperboard.filter_rules`."""
        if not filters:
            return query
        must = [(tantivy.Occur.Must, query)]
        if filters.since or filters.until:
            must.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "day", tantivy.FieldType.Integer,
                day_number(filters.since) if filters.since else 1,  # a paper without a day is 0
                day_number(filters.until) if filters.until else None,
            )))
        for group in filters.require:
            must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self._term(t)) for t in group])))
        # at least one Must/Should clause stands before these (a query of exclusions alone finds nothing)
        must.extend((tantivy.Occur.MustNot, self._term(t)) for t in filters.exclude)
        return tantivy.Query.boolean_query(must)

    def _term(self, term: Term) -> tantivy.Query:
        """One term as a query of exact index terms (never query syntax)."""
        kind, value = term
        if kind in ("category", "has"):
            return tantivy.Query.term_query(self.schema, kind, value)
        words = needle(term).split()
        field = "authors" if kind == "author" else "text"  # "word" and "phrase": title, abstract, keywords
        if not words:
            return tantivy.Query.term_query(self.schema, "id", "")  # no paper: nothing to look for
        if len(words) == 1:
            return tantivy.Query.term_query(self.schema, field, words[0])
        return tantivy.Query.phrase_query(self.schema, field, words)
