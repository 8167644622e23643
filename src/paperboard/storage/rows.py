"""Papers <-> database rows (pure). ``prepare`` does all per-paper work of a write up front, so that it
can run in a parser process while the main process only talks to the database."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import orjson

from ..filter_rules import name_column, words_column
from ..ids import name_hash, title_hash
from ..models import Author, Paper

PAPER_COLUMNS = (
    "id", "version", "title", "title_hash", "abstract", "authors", "categories", "primary_category",
    "comment", "journal_ref", "doi", "license", "links", "listed", "published", "updated",
    "published_text", "source", "extra", "content_hash",
)  # then changed_at, ingested_at: stamped at write time
TIMESTAMP_COLUMNS = ("changed_at", "ingested_at")
AUTHOR_COLUMNS = ("paper_id", "position", "name", "name_hash", "affiliation", "name_words")
CATEGORY_COLUMNS = ("paper_id", "category", "is_primary")


class Prepared(NamedTuple):
    """A paper in the form it is written: values for PAPER_COLUMNS and its child rows."""

    id: str
    content_hash: str
    title_hash: int
    values: tuple[Any, ...]
    authors: tuple[tuple[Any, ...], ...]
    categories: tuple[tuple[Any, ...], ...]
    words: str  # the paper_words row: title and abstract as word terms match them


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def prepare(paper: Paper) -> Prepared:
    pid = paper.id
    key = title_hash(paper.title)
    content_hash = paper.content_hash()
    values = (
        pid, paper.version, paper.title, key, paper.abstract,
        _json([[a.name, a.affiliation] for a in paper.authors]),
        _json(list(paper.categories)), paper.primary_category,
        paper.comment, paper.journal_ref, paper.doi, paper.license, _json(paper.links),
        _date(paper.listed), _date(paper.published), _date(paper.updated),
        paper.published_text, paper.source, _json(paper.extra), content_hash,
    )
    authors = tuple(
        (pid, pos, a.name, name_hash(a.name), a.affiliation, name_column(a.name))
        for pos, a in enumerate(paper.authors)
    )
    categories = tuple((pid, c, i == 0) for i, c in enumerate(dict.fromkeys(paper.categories)))
    return Prepared(pid, content_hash, key, values, authors, categories,
                    words_column((paper.title, paper.abstract)))


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _as_json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def paper_from_values(values: Any) -> Paper:
    """Rebuild a Paper from PAPER_COLUMNS values, as prepared or as read from the database."""
    (pid, version, title, _key, abstract, authors, categories, _primary, comment, journal_ref,
     doi, license_, links, listed, published, updated, published_text, source, extra,
     _hash) = tuple(values)[: len(PAPER_COLUMNS)]
    return Paper(
        id=pid, version=version, title=title, abstract=abstract,
        authors=tuple(Author(name, aff) for name, aff in _as_json(authors)),
        categories=tuple(_as_json(categories)), comment=comment, journal_ref=journal_ref,
        doi=doi, license=license_, links=dict(_as_json(links)),
        listed=_as_date(listed), published=_as_date(published), updated=_as_date(updated),
        published_text=published_text, source=source, extra=dict(_as_json(extra)),
    )
