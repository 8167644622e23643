"""What each term of the filter language matches, written once (pure). Every backend compiles a parsed
filter (:class:`paperboard.filter_terms.FilterTerms`) by these rules: the lexical index
(:mod:`paperboard.search.lexical`), SQL on SQLite and PostgreSQL (:mod:`paperboard.feeds.filtering`),
and :func:`matches` here, for papers already in memory.

- A **word** or **"phrase"** matches when its words, each lower-cased and reduced to its English stem,
  stand in a row in the paper's title, in its abstract or in one of its keywords (never across two of
  them): ``transformers`` finds "Transformer", ``"language models"`` finds "language modelling".
- An **author** matches when its words, lower-cased (not stemmed), stand in a row in one author's name:
  ``author:hinton`` and ``author:"geoffrey hinton"`` find Geoffrey E. Hinton; ``author:hint`` does not.
- A **category** matches one of the paper's categories, spelled as arXiv spells it.
- **has:code** / **has:project**: the paper has that link (found at ingest, or given by a verified
  author).
- A paper's **day** is the day arXiv listed it or, for a paper only arXiv's API gave (the papers people
  submit by id), the day it was published; ``since`` and ``until`` include the days they name.

Words are split as the lexical index splits them (tantivy's simple tokenizer: runs of letters and
digits), and a word of 40 bytes or more is dropped as it drops it, leaving a gap no phrase spans. A
paper's text in this form (:func:`words_column`, :func:`name_column`) is what SQL stores and matches
with ``LIKE '% needle %'``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import tantivy

from .filter_terms import FilterTerms, Term
from .models import Paper

LONGEST = 40  # bytes: a longer word is dropped by the index (tantivy's remove_long)
GAP = "|"  # between the texts of a paper, and where a long word was dropped: no phrase spans it

_SPLIT = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build()
STEMMED = (  # the lexical index's "en_stem" analysis
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(LONGEST))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)
LOWERED = (  # the lexical index's "default" analysis (author names)
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(LONGEST))
    .filter(tantivy.Filter.lowercase())
    .build()
)


class _Words:
    """One analysis per distinct word: tantivy's analyzers work word by word after splitting, so a word's
    analyzed form is looked up (a text of 200 words costs one split and 200 lookups, not 200 stemmings)."""

    LIMIT = 1 << 20  # distinct words remembered; then the memory starts again

    def __init__(self, analyzer: tantivy.TextAnalyzer):
        self.analyzer = analyzer
        self.known: dict[str, str] = {}

    def analyzed(self, word: str) -> str:
        done = self.analyzer.analyze(word)  # nothing for a word of LONGEST bytes or more
        if len(self.known) >= self.LIMIT:
            self.known.clear()
        self.known[word] = form = done[0] if done else GAP
        return form

    def __call__(self, text: str) -> list[str]:
        """The analyzed words of ``text``, with :data:`GAP` where a long word was dropped."""
        known, analyzed = self.known, self.analyzed
        return [known.get(w) or analyzed(w) for w in _SPLIT.analyze(text)]


_stems, _lowered = _Words(STEMMED), _Words(LOWERED)


def needle(term: Term) -> str:
    """What a word, phrase or author term looks for, in the form the columns hold ("" matches nothing)."""
    kind, value = term
    return " ".join((LOWERED if kind == "author" else STEMMED).analyze(value))


def words_column(texts: Iterable[str]) -> str:
    """A paper's texts (title, abstract, keywords) as word terms match them: ``" w w | w w "``."""
    return " " + f" {GAP} ".join(" ".join(_stems(t)) for t in texts) + " "


def name_column(name: str) -> str:
    """An author's name as author terms match it: ``" geoffrey e hinton "``."""
    return " " + " ".join(_lowered(name)) + " "


def contains(column: str, found: str) -> bool:
    """Whether a column of :func:`words_column` or :func:`name_column` holds ``found`` (a needle) as
    whole words in a row: SQL's ``column LIKE '% found %'``."""
    return bool(found) and f" {found} " in column


@functools.lru_cache(maxsize=1 << 12)  # a digest matches the same papers for every subscriber
def _texts_column(texts: tuple[str, ...]) -> str:
    return words_column(texts)


def paper_day(paper: Paper) -> dt.date | None:
    return paper.listed or paper.published


def paper_texts(paper: Paper) -> tuple[str, ...]:
    return (paper.title, paper.abstract, *paper.keywords)


def _term(term: Term, paper: Paper, text: str, names: list[str]) -> bool:
    kind, value = term
    if kind == "category":
        return value in paper.categories
    if kind == "has":
        return bool(paper.links.get(value))
    found = needle(term)
    if kind == "author":
        return any(contains(name, found) for name in names)
    return contains(text, found)


def matches(terms: FilterTerms, paper: Paper) -> bool:
    """Whether ``paper`` (read with its keywords and given links) passes ``terms``."""
    if not terms:
        return True
    day = paper_day(paper)
    if terms.since and (day is None or day < terms.since):
        return False
    if terms.until and (day is None or day > terms.until):
        return False
    text = _texts_column(paper_texts(paper))
    names = [name_column(a.name) for a in paper.authors]
    return (all(any(_term(t, paper, text, names) for t in group) for group in terms.require)
            and not any(_term(t, paper, text, names) for t in terms.exclude))
