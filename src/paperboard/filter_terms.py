"""The filter terms of Paperboard's one query language (pure): what narrows the papers a search, a
feed or an Atom feed lists, as opposed to the words that rank them.

- ``author:Name`` / ``author:"Full Name"``: with that author (every one given; any when joined by OR);
- ``category:cs.LG`` (or ``cat:``): in that category (any of those given);
- ``has:code`` / ``has:project``: with a code repository / project page linked;
- ``since:2025-03`` / ``until:2025-06-30`` (a year, month or day): listed in that range;
- ``-`` before any of these, before a word or a "quoted phrase": without it;
- ``OR`` between two field terms: either.

:func:`take_filters` takes them out of a query and leaves the rest (words and phrases) as text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .errors import PaperboardError
from .ids import category_spelling

# The language as people are told it: the search page's "Search syntax", `paperboard search --help`, the
# API's and the feeds' parameter descriptions all show these (what each matches: filter_rules)
SYNTAX = (
    ('"a phrase"', "those words in a row (any form of each: models, modelling)"),
    ('author:Name, author:"Full Name"', "by that author (every one given)"),
    ("category:cs.LG (or cat:)", "in that category (any of those given)"),
    ("has:code, has:project", "with a code repository / project page linked"),
    ("since:2025-03, until:2025-06-30", "listed in that range (a year, month or day)"),
    ("-term", 'without it: -category:cs.LG, -has:code, -word, -"a phrase"'),
    ("term OR term", "either of two field terms: author:Hinton OR author:LeCun"),
)
SYNTAX_LINE = ('category:cs.LG, author:"Name", has:code, since:2025-03, until:2025-06-30, words and '
               '"phrases"; -term leaves one out, OR between field terms')


def syntax_help(indent: str = "  ") -> str:
    """:data:`SYNTAX` as aligned plain-text lines (``--help``)."""
    width = max(len(term) for term, _ in SYNTAX) + 2
    return "\n".join(f"{indent}{term:<{width}}{meaning}" for term, meaning in SYNTAX)


# one term: an optional "-", a field with a (quoted) value; an excluded phrase or word; or OR
_TERM = re.compile(
    r'(?:(?<=\s)|^)(-?)(author|authors|category|cat|has|since|from|until|before):(?:"([^"]*)"|(\S+))'
    r'|(?:(?<=\s)|^)-"([^"]+)"'
    r'|(?:(?<=\s)|^)-([^\W\d_][\w.\'-]*)'  # a word to exclude starts with a letter: "-2" is a number
    r'|(?:(?<=\s)|^)(OR)(?=\s|$)',
    re.IGNORECASE)
HAS = ("code", "project")
MAX_TERMS = 24  # field terms and exclusions in one query or filter (each is a clause the index evaluates)
_KIND = {"author": "author", "authors": "author", "category": "category", "cat": "category", "has": "has"}
_WORD = re.compile(r"\w", re.UNICODE)

# (kind, value): ("category", "cs.LG"), ("author", ...), ("has", "code"), ("word" | "phrase", ...)
Term = tuple[str, str]


class QueryError(PaperboardError):
    """The query cannot be run; the message says why."""


@dataclass(frozen=True, slots=True)
class FilterTerms:
    """Every group of ``require`` must be met by one of its terms; any term of ``exclude`` rules a
    paper out; ``since`` / ``until`` bound its listing day."""

    require: tuple[tuple[Term, ...], ...] = ()
    exclude: tuple[Term, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None

    def __bool__(self) -> bool:
        return bool(self.require or self.exclude or self.since or self.until)

    @classmethod
    def where(cls, *, categories: tuple[str, ...] = (), author: str | None = None,
              since: dt.date | None = None, until: dt.date | None = None) -> FilterTerms:
        """The filters of a form's fields: in one of ``categories``, by ``author``, between the days."""
        require = ((tuple(("category", c) for c in categories),) if categories else ()) + (
            ((("author", author),),) if author else ())
        return cls(require, (), since, until)

    def __and__(self, other: FilterTerms) -> FilterTerms:
        """Papers that pass both (the later ``since``, the earlier ``until``)."""
        since = max((d for d in (self.since, other.since) if d), default=None)
        until = min((d for d in (self.until, other.until) if d), default=None)
        return FilterTerms(self.require + other.require, self.exclude + other.exclude, since, until)


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


def take_filters(text: str) -> tuple[str, FilterTerms]:
    """The filter terms of ``text``, and the text without them (its words and phrases)."""
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
            if negated:
                raise QueryError(f"-{name}: cannot be negated: write {'since' if end else 'until'}: for the "
                                 "other side of a day")
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

    rest = _TERM.sub(take, text)
    if len(fields) + len(exclude) > MAX_TERMS:
        raise QueryError(f"{len(fields) + len(exclude)} filter terms is more than the {MAX_TERMS} one query "
                         "may hold: keep the ones that matter")
    since, until = dates.get("since"), dates.get("until")
    if since and until and since > until:
        raise QueryError(f"since:{since} is after until:{until}: nothing can be in between")
    return rest, FilterTerms(_groups(fields), tuple(dict.fromkeys(exclude)), since, until)


_REST = re.compile(r'"([^"]+)"|(\S+)')
MAX_FILTER_CHARS = 500


def feed_terms(raw: str, *, has_code: bool = False) -> FilterTerms:
    """A feed's filter: the filter terms, and each remaining word or "phrase" required in the title or
    abstract (a feed lists, it does not rank); ``has_code`` adds ``has:code``. Blank: no filter (falsy)."""
    if "\x00" in raw:
        raise QueryError("the filter contains a NUL byte")
    if len(raw) > MAX_FILTER_CHARS:
        raise QueryError(f"the filter is longer than {MAX_FILTER_CHARS} characters")
    rest, terms = take_filters(raw.strip())
    words: list[tuple[Term, ...]] = []
    for m in _REST.finditer(rest):
        phrase, word = m.group(1), m.group(2)
        if phrase and _WORD.search(phrase):
            words.append((("phrase", " ".join(phrase.split())),))
        elif word and word != "OR" and _WORD.search(word):
            words.append((("word", word.strip(".,;:!?()[]{}'\"")),))
    if has_code:
        words.append((("has", "code"),))
    return FilterTerms(terms.require + tuple(dict.fromkeys(words)), terms.exclude, terms.since, terms.until)
