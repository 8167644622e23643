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

Anything else is a plain word: no operator of the engines' own query languages gets through.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from ..errors import PaperboardError
from ..ids import InvalidId, category_spelling, parse_arxiv_id
from .hybrid import STOPWORDS

MAX_QUERY_CHARS = 2_000

# one term of the language: an optional "-", a field with a (quoted) value, a quoted phrase, or OR
_TERM = re.compile(
    r'(?:(?<=\s)|^)(-?)(author|authors|category|cat|has|since|from|until|before):(?:"([^"]*)"|(\S+))'
    r'|(?:(?<=\s)|^)-"([^"]+)"'
    r'|(?:(?<=\s)|^)-([^\W\d_][\w.\'-]*)'  # a word to exclude starts with a letter: "-2" is a number
    r'|(?:(?<=\s)|^)(OR)(?=\s|$)',
    re.IGNORECASE)
HAS = ("code", "project")
_KIND = {"author": "author", "authors": "author", "category": "category", "cat": "category", "has": "has"}
# "double" or 'single' quotes (a single quote must open after a space and close before one, so that
# apostrophes as in "don't" or "models' outputs" are left alone)
_PHRASE = re.compile(r'"([^"]+)"|(?:(?<=\s)|^)\'([^\']+)\'(?=[\s.,;:!?]|$)')
_WORD = re.compile(r"\w+(?:[.\-']\w+)*", re.UNICODE)
_TOKEN = re.compile(r"\w+", re.UNICODE)


class QueryError(PaperboardError):
    """The query cannot be run; the message says why."""


# (kind, value): ("category", "cs.LG"), ("author", ...), ("has", "code"), ("word" | "phrase", ...)
Term = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str  # the free text, for the dense side
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    arxiv_id: str | None = None
    notes: tuple[str, ...] = field(default=())
    # every group must be met by one of its terms (field terms only); any excluded term rules a paper out
    require: tuple[tuple[Term, ...], ...] = ()
    exclude: tuple[Term, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def authors(self) -> tuple[str, ...]:
        return tuple(v for group in self.require for k, v in group if k == "author")

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(v for group in self.require for k, v in group if k == "category")

    @property
    def filtered(self) -> bool:
        """Whether any field term, exclusion or date narrows the papers."""
        return bool(self.require or self.exclude or self.since or self.until)

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.arxiv_id or self.filtered)


def _day(value: str, *, end: bool) -> dt.date:
    """``2025``, ``2025-03`` or ``2025-03-14`` as the first (or, ``end``, the last) day it covers."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    try:
        if not m:
            raise ValueError
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if day:
            return dt.date(year, int(month), int(day))
        if month:
            last = calendar.monthrange(year, int(month))[1]
            return dt.date(year, int(month), last if end else 1)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    except ValueError:
        raise QueryError(f"{value!r} is not a date: write 2025, 2025-03 or 2025-03-14") from None


def _groups(terms: list[tuple[Term, bool]]) -> tuple[tuple[Term, ...], ...]:
    """Field terms in order, each flagged when ``OR`` joined it to the one before, as groups of
    alternatives. Categories given without OR are alternatives too (one group), as they always were."""
    groups: list[list[Term]] = []
    for term, joined in terms:
        if joined and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
    lone_categories = [g[0] for g in groups if len(g) == 1 and g[0][0] == "category"]
    rest = [tuple(dict.fromkeys(g)) for g in groups if not (len(g) == 1 and g[0][0] == "category")]
    return tuple(rest + ([tuple(dict.fromkeys(lone_categories))] if lone_categories else []))


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
    fields: list[tuple[Term, bool]] = []
    exclude: list[Term] = []
    dates: dict[str, dt.date] = {}
    last_was: list[str] = [""]  # what the term before was: "field", "or" or anything else

    def take(m: re.Match[str]) -> str:
        if m.group(7):  # OR
            was_field = last_was[0] == "field"
            last_was[0] = "or" if was_field else ""
            return " " if was_field else m.group(0)  # between words it is only a word
        if m.group(5) or m.group(6):  # -"phrase" or -word
            kind, value = ("phrase", m.group(5).strip()) if m.group(5) else ("word", m.group(6))
            if _WORD.search(value):
                exclude.append((kind, value))
            last_was[0] = ""
            return " "
        negated, name, value = m.group(1) == "-", m.group(2).lower(), (m.group(3) or m.group(4) or "").strip()
        if not value:
            return " "
        if name in ("since", "from", "until", "before"):
            end = name in ("until", "before")
            dates["until" if end else "since"] = _day(value, end=end)
            last_was[0] = ""
            return " "
        kind = _KIND[name]
        if kind == "category":
            value = category_spelling(value)
        elif kind == "has":
            value = value.lower()
            if value not in HAS:
                raise QueryError(f"has:{value} is not a filter: has:code or has:project")
        if negated:
            exclude.append((kind, value))
            last_was[0] = ""
        else:
            fields.append(((kind, value), last_was[0] == "or"))
            last_was[0] = "field"
        return " "

    text = _TERM.sub(take, text)
    since, until = dates.get("since"), dates.get("until")
    if since and until and since > until:
        raise QueryError(f"since:{since} is after until:{until}: nothing can be in between")
    phrases = tuple(
        p.strip() for m in _PHRASE.finditer(text) if _WORD.search(p := m.group(1) or m.group(2))
    )
    free = _PHRASE.sub(lambda m: " " + (m.group(1) or m.group(2)) + " ", text)
    words = tuple(w for w in _WORD.findall(free))
    return ParsedQuery(
        text=" ".join(free.split()), words=words, phrases=phrases, notes=tuple(notes),
        require=_groups(fields), exclude=tuple(dict.fromkeys(exclude)), since=since, until=until,
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
