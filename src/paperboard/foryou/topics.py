"""Topics: a reader's saved filters in the one filter language ("gaussian splatting" -category:cs.GR,
author:"Ada Lovelace", has:code, ...) and example papers, each with a timeline that fills itself as
papers arrive (the papers that pass the filter and, when there are examples, are like them: newest
first) and a place in its owner's For you. Public topics are readable by anyone with the link; private
ones by their owner only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, update

from ..clock import utcnow
from ..errors import NotFound, PaperboardError
from ..filter_terms import FilterTerms, QueryError
from ..ids import InvalidId, canonical_id
from ..search.query import parse_query
from ..storage.schema import papers, topics, users
from ..text import xml_safe

MOST_TOPICS = 50
UNNAMED = "Papers like my examples"  # the name of a topic of example papers alone, when none is given
MOST_EXAMPLES = 20
LONGEST_NAME = 100
LONGEST_QUERY = 500


@dataclass(frozen=True, slots=True)
class Topic:
    id: int
    owner: str
    name: str
    query: str
    public: bool
    created_at: dt.datetime
    examples: tuple[str, ...] = ()  # paper ids, in the order they were given


def topic_terms(query: str) -> FilterTerms:
    """What a paper must hold to match a topic besides its field terms: each of its free words (in any
    form) and phrases, in the title, abstract or keywords. A query that does not parse is a QueryError."""
    parsed = parse_query(query)
    return FilterTerms(require=tuple((("word", w),) for w in parsed.words)
                       + tuple((("phrase", p),) for p in parsed.phrases))


def filters_of(query: str) -> FilterTerms:
    """Every paper a topic holds passes these: its field terms, words and phrases."""
    return parse_query(query).filters & topic_terms(query)


def _checked(name: str, query: str, examples: tuple[str, ...]) -> tuple[str, str]:
    # what XML cannot carry (a NUL, which PostgreSQL's text refuses too) goes before anything is counted
    name, query = " ".join(xml_safe(name).split()), " ".join(xml_safe(query).split())
    if not 1 <= len(name) <= LONGEST_NAME:
        raise PaperboardError(f"a topic's name has 1 to {LONGEST_NAME} characters")
    if len(query) > LONGEST_QUERY:
        raise PaperboardError(f"a topic's search has at most {LONGEST_QUERY} characters")
    try:
        terms = filters_of(query)
    except QueryError as exc:
        raise PaperboardError(f"the topic {query!r}: {exc}") from None
    if not terms and not examples:
        raise PaperboardError("a topic needs a word, a phrase, a filter term or an example paper")
    return name, query


def stored_examples(conn: Connection, given: Iterable[str]) -> tuple[str, ...]:
    """The stored ids of the example papers given (arXiv ids or URLs in any spelling, once each, in the
    order given); a PaperboardError names the first that is not an id or not stored."""
    out: list[str] = []
    for text in given:
        text = text.strip()
        if not text:
            continue
        try:
            pid = canonical_id(text).id
        except InvalidId:
            raise PaperboardError(f"{text[:100]!r} is not a paper id") from None
        if pid not in out:
            out.append(pid)
    if len(out) > MOST_EXAMPLES:
        raise PaperboardError(f"a topic has at most {MOST_EXAMPLES} example papers")
    stored = set(conn.execute(select(papers.c.id).where(papers.c.id.in_(out))).scalars()) if out else set()
    for pid in out:
        if pid not in stored:
            raise NotFound(f"paper {pid} is not in the store")
    return tuple(out)


def create(conn: Connection, owner_id: int, name: str, query: str, *, public: bool = True,
           examples: Iterable[str] = ()) -> int:
    """A new topic of the owner's; its id. Without a ``name`` it is called by its search (or, with
    examples alone, "Papers like my examples")."""
    kept = stored_examples(conn, examples)
    name, query = _checked(name or query[:100] or UNNAMED, query, kept)
    if conn.execute(select(func.count()).select_from(topics).where(topics.c.owner_id == owner_id)
                    ).scalar_one() >= MOST_TOPICS:
        raise PaperboardError(f"one keeps at most {MOST_TOPICS} topics")
    return int(conn.execute(topics.insert().values(owner_id=owner_id, name=name, query=query, public=public,
                                                   created_at=utcnow(), examples=list(kept))
                            ).inserted_primary_key[0])


def set_examples(conn: Connection, owner_id: int, topic_id: int, examples: Iterable[str]) -> tuple[str, ...]:
    """Replace the example papers of one of the owner's topics; what is kept."""
    row = conn.execute(select(topics.c.name, topics.c.query)
                       .where(topics.c.id == topic_id, topics.c.owner_id == owner_id)).first()
    if row is None:
        raise NotFound(f"you have no topic {topic_id}")
    kept = stored_examples(conn, examples)
    _checked(row.name, row.query, kept)  # a topic of examples alone keeps at least one
    conn.execute(update(topics).where(topics.c.id == topic_id).values(examples=list(kept)))
    return kept


def remove(conn: Connection, owner_id: int, topic_id: int) -> None:
    gone = conn.execute(delete(topics).where(topics.c.id == topic_id, topics.c.owner_id == owner_id))
    if not gone.rowcount:
        raise NotFound(f"you have no topic {topic_id}")


_SELECT = select(topics.c.id, users.c.username, topics.c.name, topics.c.query, topics.c.public,
                 topics.c.created_at, topics.c.examples).join(users, users.c.id == topics.c.owner_id)


def _topic(row) -> Topic:  # type: ignore[no-untyped-def]
    examples = tuple(e for e in row.examples or () if isinstance(e, str))
    return Topic(row.id, row.username, row.name, row.query, row.public, row.created_at, examples)


def get(conn: Connection, topic_id: int, viewer_id: int | None) -> Topic:
    """A public topic, or one of the viewer's own; NotFound otherwise (a private topic is not shown to
    exist)."""
    row = conn.execute(_SELECT.add_columns(topics.c.owner_id).where(topics.c.id == topic_id)).first()
    if row is None or not (row.public or row.owner_id == viewer_id):
        raise NotFound(f"there is no topic {topic_id}")
    return _topic(row)


def of(conn: Connection, owner_id: int, viewer_id: int | None = None) -> list[Topic]:
    """The owner's topics (only the public ones unless the viewer is the owner), oldest first."""
    query = _SELECT.where(topics.c.owner_id == owner_id).order_by(topics.c.created_at, topics.c.id)
    if viewer_id != owner_id:
        query = query.where(topics.c.public.is_(True))
    return [_topic(row) for row in conn.execute(query)]
