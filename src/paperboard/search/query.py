"""What a user typed -> what the engines need (pure). The one filter language of search, its API,
its Atom feeds and the CLI:

- plain words (ranked by relevance) and "quoted phrases";
- ``author:Name`` / ``author:"Full Name"``: papers with that author (every one given, or any of them
  when joined by ``OR``);
- ``category:cs.LG`` (or ``cat:``): papers in that category (any of those given);
- ``has:code`` (also ``has:project``): papers with a code repository (a project page) linked;
- ``since:2025-03`` / ``until:2025-06-30`` (a year, month or day): listed in that range;
- ``-`` before any of these excludes it: ``-category:cs.LG``, ``-author:"A. Name"``, ``-has:code``,
  ``-word``, ``-"a phrase"``;
- ``OR`` between two field terms makes them alternatives: ``author:Hinton OR author:LeCun``;
- an arXiv id or URL on its own goes to that paper.

Anything else is a plain word: no operator of the engines' own query languages gets through. The
filter terms are :mod:`paperboard.filter_terms`, which feeds share.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..filter_terms import FilterTerms, QueryError, Term, take_filters

__all__ = ["MAX_QUERY_CHARS", "MAX_WORDS", "ParsedQuery", "QueryError", "lexical_text", "parse_query"]
from ..ids import InvalidId, parse_arxiv_id
from .hybrid import STOPWORDS

MAX_QUERY_CHARS = 2_000
MAX_WORDS = 64  # words and phrase words: each is a term to rank by (a pasted abstract belongs in "related")

# "double" or 'single' quotes (a single quote must open after a space and close before one, so that
# apostrophes as in "don't" or "models' outputs" are left alone)
_PHRASE = re.compile(r'"([^"]+)"|(?:(?<=\s)|^)\'([^\']+)\'(?=[\s.,;:!?]|$)')
_WORD = re.compile(r"\w+(?:[.\-']\w+)*", re.UNICODE)
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str  # the free text, for the dense side
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    arxiv_id: str | None = None
    notes: tuple[str, ...] = field(default=())
    filters: FilterTerms = field(default_factory=FilterTerms)  # field terms, exclusions and dates

    @property
    def require(self) -> tuple[tuple[Term, ...], ...]:
        return self.filters.require

    @property
    def exclude(self) -> tuple[Term, ...]:
        return self.filters.exclude

    @property
    def since(self) -> dt.date | None:
        return self.filters.since

    @property
    def until(self) -> dt.date | None:
        return self.filters.until

    @property
    def authors(self) -> tuple[str, ...]:
        return tuple(v for group in self.require for k, v in group if k == "author")

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(v for group in self.require for k, v in group if k == "category")

    @property
    def filtered(self) -> bool:
        """Whether any field term, exclusion or date narrows the papers."""
        return bool(self.filters)

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.arxiv_id or self.filtered)


def parse_query(raw: str) -> ParsedQuery:
    if not isinstance(raw, str):
        raise QueryError("the query must be text")
    if "\x00" in raw:
        raise QueryError("the query contains a NUL byte")
    notes: list[str] = []
    text = raw.strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
    if text and " " not in text:
        try:
            return ParsedQuery(text=text, arxiv_id=parse_arxiv_id(text).id, notes=tuple(notes))
        except InvalidId:
            pass
    text, terms = take_filters(text)
    phrases = tuple(
        p.strip() for m in _PHRASE.finditer(text) if _WORD.search(p := m.group(1) or m.group(2))
    )
    free = _PHRASE.sub(lambda m: " " + (m.group(1) or m.group(2)) + " ", text)
    words = tuple(w for w in _WORD.findall(free))
    if len(words) > MAX_WORDS:
        raise QueryError(f"the query has {len(words)} words, more than the {MAX_WORDS} a search takes: "
                         "shorten it (to find papers like a whole abstract, search for related work)")
    return ParsedQuery(
        text=" ".join(free.split()), words=words, phrases=phrases, notes=tuple(notes),
        filters=terms,
    )


def word_tokens(texts: tuple[str, ...]) -> list[str]:
    """The lower-cased words (runs of letters and digits) of ``texts``."""
    return [t.lower() for text in texts for t in _TOKEN.findall(text)]


def content_words(tokens: list[str]) -> list[str]:
    """``tokens`` without function words, unless nothing else is left."""
    return [t for t in tokens if t not in STOPWORDS] or tokens


def lexical_text(query: ParsedQuery, words: tuple[str, ...] | None = None) -> str:
    """A tantivy query string built only from words and phrases (lower-cased, so that AND / OR /
    NOT and every other operator of the query language stay plain words)."""
    # function words match half the corpus: they cost the most posting-list work and add least to
    # BM25 (inside a quoted phrase they stay)
    parts = content_words(word_tokens(query.words if words is None else words))
    for phrase in query.phrases:
        inner = " ".join(word_tokens((phrase,)))
        if inner:
            parts.append(f'"{inner}"')
    return " ".join(parts)
