"""Domain records shared by ingestion, storage and export. Plain dataclasses, no I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import orjson


@dataclass(slots=True)
class Author:
    name: str
    affiliation: str | None = None


@dataclass(slots=True)
class Paper:
    """One paper as Paperboard stores it (treated as immutable: use ``dataclasses.replace``).

    Dates: ``listed`` is the day the paper was announced (appeared in a listing); ``published`` the day
    of v1; ``updated`` the day of the latest version. ``published_text`` keeps a date exactly as a source
    printed it when it could not be read as a full date (e.g. "Aug 28" without a year).
    """

    id: str
    title: str
    abstract: str = ""
    authors: tuple[Author, ...] = ()
    categories: tuple[str, ...] = ()
    version: int | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    listed: dt.date | None = None
    published: dt.date | None = None
    updated: dt.date | None = None
    published_text: str | None = None
    source: str = "unknown"
    extra: dict[str, Any] = field(default_factory=dict)
    # written from title and abstract when stored (paperboard.gist): not part of the paper's content,
    # so neither its hash nor equality looks at them
    gist: str | None = field(default=None, compare=False)
    keywords: tuple[str, ...] = field(default=(), compare=False)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    def content_hash(self) -> str:
        """A digest of everything stored about the paper except bookkeeping (source, timestamps)."""
        data = (
            self.id, self.title, self.abstract, [(a.name, a.affiliation) for a in self.authors],
            self.categories, self.version, self.comment, self.journal_ref, self.doi, self.license,
            self.links, self.listed, self.published, self.updated, self.published_text, self.extra,
        )
        return hashlib.blake2b(
            orjson.dumps(data, option=orjson.OPT_SORT_KEYS), digest_size=16
        ).hexdigest()

    def with_id(self, new_id: str) -> Paper:
        return replace(self, id=new_id)


def to_json_dict(paper: Paper) -> dict[str, Any]:
    """The export shape of a paper (``paperboard export``); :func:`from_json_dict` reads it back."""
    d = asdict(paper)
    d["summary"] = d.pop("abstract")
    del d["gist"], d["keywords"]  # derived when stored: an export read back writes them again
    d["authors"] = [
        {"name": a.name, **({"affiliation": a.affiliation} if a.affiliation else {})}
        for a in paper.authors
    ]
    d["categories"] = list(paper.categories)
    for key in ("listed", "published", "updated"):
        value = d[key]
        d[key] = value.isoformat() if value else None
    return d


def merge(stored: Paper, incoming: Paper, *, fill_only: bool = False) -> Paper:
    """What the store should hold after ``incoming`` arrives for a paper it already has (pure).

    A newer or equal version (or an unversioned record) overrides each field it actually carries; an
    older version, or a record marked ``fill_only`` (one without an id of its own, matched by title),
    only fills gaps. Dates keep the earliest announcement / v1 and the latest update;
    links and extras are merged key by key; affiliations survive a source that lacks them.
    """
    older = fill_only or (
        incoming.version is not None
        and stored.version is not None
        and incoming.version < stored.version
    )
    primary, secondary = (stored, incoming) if older else (incoming, stored)

    def pick(name: str) -> Any:
        value = getattr(primary, name)
        return value if value not in (None, "", ()) else getattr(secondary, name)

    authors = pick("authors")
    if authors and primary.authors and secondary.authors:
        known = {a.name.casefold(): a.affiliation for a in secondary.authors if a.affiliation}
        authors = tuple(
            a if a.affiliation or a.name.casefold() not in known
            else Author(a.name, known[a.name.casefold()])
            for a in authors
        )
    versions = [v for v in (stored.version, incoming.version) if v is not None]
    return Paper(
        id=stored.id,
        title=pick("title"),
        abstract=pick("abstract"),
        authors=authors,
        categories=pick("categories"),
        version=max(versions) if versions else None,
        comment=pick("comment"),
        journal_ref=pick("journal_ref"),
        doi=pick("doi"),
        license=pick("license"),
        links={**secondary.links, **primary.links},
        listed=_earliest(stored.listed, incoming.listed),
        published=_earliest(stored.published, incoming.published),
        updated=_latest(stored.updated, incoming.updated),
        published_text=pick("published_text"),
        source=stored.source,
        extra=_merge_extra(secondary.extra, primary.extra),
    )


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a and b else a or b


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(a, b) if a and b else a or b


def _merge_extra(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_extra(out[key], value)
        else:
            out[key] = value
    return out
