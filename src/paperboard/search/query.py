"""What a user typed -> what the engines need (pure).

Understands plain words, "quoted phrases", ``author:Name`` / ``author:"Full Name"``,
``category:cs.LG`` (or ``cat:``), and an arXiv id or URL on its own (a direct hit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import PaperboardError
from ..ids import InvalidId, category_spelling, parse_arxiv_id
from .hybrid import STOPWORDS

MAX_QUERY_CHARS = 2_000

_FIELD = re.compile(r'\b(author|authors|category|cat):(?:"([^"]*)"|(\S+))', re.IGNORECASE)
# "double" or 'single' quotes (a single quote must open after a space and close before one, so that
# apostrophes as in "don't" or "models' outputs" are left alone)
_PHRASE = re.compile(r'"([^"]+)"|(?:(?<=\s)|^)\'([^\']+)\'(?=[\s.,;:!?]|$)')
_WORD = re.compile(r"\w+(?:[.\-']\w+)*", re.UNICODE)
_TOKEN = re.compile(r"\w+", re.UNICODE)


class QueryError(PaperboardError):
    """The query cannot be run; the message says why."""


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str  # the free text, for the dense side
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    arxiv_id: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.authors or self.categories or self.arxiv_id)


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
    authors: list[str] = []
    categories: list[str] = []

    def take_field(m: re.Match[str]) -> str:
        name, value = m.group(1).lower(), (m.group(2) or m.group(3) or "").strip()
        if value:
            if name.startswith("author"):
                authors.append(value)
            else:
                categories.append(category_spelling(value))
        return " "

    text = _FIELD.sub(take_field, text)
    phrases = tuple(
        p.strip() for m in _PHRASE.finditer(text) if _WORD.search(p := m.group(1) or m.group(2))
    )
    free = _PHRASE.sub(lambda m: " " + (m.group(1) or m.group(2)) + " ", text)
    words = tuple(w for w in _WORD.findall(free))
    return ParsedQuery(
        text=" ".join(free.split()), words=words, phrases=phrases, authors=tuple(authors),
        categories=tuple(categories), notes=tuple(notes),
    )


def lexical_text(query: ParsedQuery, words: tuple[str, ...] | None = None) -> str:
    """A tantivy query string built only from words and phrases (lower-cased, so that AND / OR /
    NOT and every other operator of the query language stay plain words)."""
    tokens = [t.lower() for w in (query.words if words is None else words) for t in _TOKEN.findall(w)]
    # function words match half the corpus: they cost the most posting-list work and add least to
    # BM25 (inside a quoted phrase they stay)
    parts = [t for t in tokens if t not in STOPWORDS] or tokens
    for phrase in query.phrases:
        inner = " ".join(t.lower() for t in _TOKEN.findall(phrase))
        if inner:
            parts.append(f'"{inner}"')
    return " ".join(parts)
