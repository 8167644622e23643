"""A reader's library: the papers saved in their collections, each with a private note (markdown), a
read/unread mark and tags (a tag is a collection of the reader's: tagging a paper puts it in the
collection of that name, made private on first use); and the whole account's data in one archive."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select

from ..cite import paper_url
from ..clock import utcnow
from ..community.accounts import User
from ..community.collections import add_paper, create_collection
from ..errors import PaperboardError
from ..models import Paper
from ..storage.papers import require_stored
from ..storage.schema import (
    collection_items,
    collections,
    comments,
    feedback,
    follows,
    notes,
    papers,
    subscribers,
    topics,
    upvotes,
    users,
)

LONGEST_NOTE = 20_000
MOST_SAVED = 5_000


@dataclass(frozen=True, slots=True)
class Saved:
    paper_id: str
    title: str
    saved_at: dt.datetime
    note: str
    read: bool
    collections: tuple[str, ...]


def saved(conn: Connection, user_id: int) -> list[Saved]:
    """The reader's saved papers, the most recently saved first, with their notes and marks."""
    rows = conn.execute(
        select(collection_items.c.paper_id, papers.c.title, collection_items.c.added_at, collections.c.name)
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .join(papers, papers.c.id == collection_items.c.paper_id)
        .where(collections.c.owner_id == user_id).order_by(collection_items.c.added_at.desc())
        .limit(MOST_SAVED))
    found: dict[str, list[Any]] = {}
    for pid, title, at, name in rows:
        entry = found.setdefault(pid, [title, at, []])
        entry[2].append(name)
    marks = {pid: (body, read) for pid, body, read in conn.execute(
        select(notes.c.paper_id, notes.c.body, notes.c.read).where(notes.c.user_id == user_id))}
    return [Saved(pid, title, at, *marks.get(pid, ("", False)), tuple(sorted(set(names), key=str.lower)))
            for pid, (title, at, names) in found.items()]


MOST_TAGS = 20


def tag(conn: Connection, owner: User, paper_id: str, names: list[str]) -> tuple[str, ...]:
    """Make ``names`` the paper's tags: it joins the reader's collections of those names (new ones are
    private) and leaves their others. At least one tag: a paper with none would leave the library."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        raise PaperboardError("give at least one tag: a paper without one leaves your library "
                              "(Save on its card takes it out)")
    if len(wanted) > MOST_TAGS:
        raise PaperboardError(f"a paper takes at most {MOST_TAGS} tags")
    require_stored(conn, paper_id)
    mine: dict[str, int] = {}
    for name, cid in conn.execute(select(collections.c.name, collections.c.id)
                                  .where(collections.c.owner_id == owner.id).order_by(collections.c.id)):
        mine.setdefault(name, cid)  # of two of one name, the older
    ids = []
    for name in wanted:
        cid = mine.get(name)
        if cid is None:
            cid = create_collection(conn, owner, name, public=False)
        ids.append(cid)
        add_paper(conn, cid, owner, paper_id)
    theirs = select(collections.c.id).where(collections.c.owner_id == owner.id)
    conn.execute(delete(collection_items).where(
        collection_items.c.paper_id == paper_id, collection_items.c.collection_id.not_in(ids),
        collection_items.c.collection_id.in_(theirs)))
    return tuple(wanted)


def annotate(conn: Connection, user_id: int, paper_id: str, *, note: str | None = None,
             read: bool | None = None) -> None:
    """Set the reader's note on a paper and/or its read mark (what is None stays as it was)."""
    require_stored(conn, paper_id)
    if note is not None and len(note) > LONGEST_NOTE:
        raise PaperboardError(f"a note has at most {LONGEST_NOTE:,} characters")
    old = conn.execute(select(notes.c.body, notes.c.read).where(notes.c.user_id == user_id,
                                                                 notes.c.paper_id == paper_id)).first()
    body = note if note is not None else (old.body if old else "")
    mark = read if read is not None else (old.read if old else False)
    conn.execute(delete(notes).where(notes.c.user_id == user_id, notes.c.paper_id == paper_id))
    if body.strip() or mark:
        conn.execute(notes.insert().values(user_id=user_id, paper_id=paper_id, body=body, read=mark,
                                           updated_at=utcnow()))


CSV_COLUMNS = ("id", "title", "authors", "published", "categories", "url", "tags", "read", "saved_at", "note")


def as_csv(items: list[tuple[Saved, Paper]]) -> str:
    """The library as CSV (pure): one row per saved paper, authors and tags joined with "; "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for kept, paper in items:
        when = paper.published or paper.listed
        writer.writerow([paper.id, " ".join(paper.title.split()), "; ".join(a.name for a in paper.authors),
                         when.isoformat() if when else "", " ".join(paper.categories),
                         paper_url(paper) or "", "; ".join(kept.collections), "yes" if kept.read else "no",
                         kept.saved_at.isoformat(), kept.note])
    return out.getvalue()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _rows(conn: Connection, query: Any) -> list[dict[str, Any]]:
    # str(): PostgreSQL's column names come as quoted_name, which orjson does not take for a key
    return [{str(k): _iso(v) for k, v in row._asdict().items()} for row in conn.execute(query)]


def archive(conn: Connection, user_id: int) -> dict[str, Any]:
    """Everything the account holds, as plain JSON values (what "export my data" gives)."""
    user = conn.execute(select(users.c.username, users.c.email, users.c.display_name, users.c.created_at)
                        .where(users.c.id == user_id)).one()
    return {
        "account": {str(k): _iso(v) for k, v in user._asdict().items()},
        "upvotes": _rows(conn, select(upvotes.c.paper_id, upvotes.c.created_at)
                         .where(upvotes.c.user_id == user_id).order_by(upvotes.c.created_at)),
        "collections": [
            {**c, "papers": _rows(conn, select(collection_items.c.paper_id, collection_items.c.added_at)
                                  .where(collection_items.c.collection_id == c["id"])
                                  .order_by(collection_items.c.added_at))}
            for c in _rows(conn, select(collections.c.id, collections.c.name, collections.c.description,
                                        collections.c.public, collections.c.created_at)
                           .where(collections.c.owner_id == user_id).order_by(collections.c.id))],
        "notes": _rows(conn, select(notes.c.paper_id, notes.c.body, notes.c.read, notes.c.updated_at)
                       .where(notes.c.user_id == user_id).order_by(notes.c.paper_id)),
        "comments": _rows(conn, select(comments.c.id, comments.c.paper_id, comments.c.parent_id,
                                       comments.c.body, comments.c.created_at)
                          .where(comments.c.user_id == user_id).order_by(comments.c.id)),
        "feedback": _rows(conn, select(feedback.c.paper_id, feedback.c.signal, feedback.c.created_at)
                          .where(feedback.c.user_id == user_id).order_by(feedback.c.created_at)),
        "follows": _rows(conn, select(follows.c.name, follows.c.created_at)
                         .where(follows.c.user_id == user_id).order_by(follows.c.created_at)),
        "topics": _rows(conn, select(topics.c.id, topics.c.name, topics.c.query, topics.c.public,
                                     topics.c.created_at).where(topics.c.owner_id == user_id)
                        .order_by(topics.c.id)),
        "digest_subscriptions": _rows(conn, select(subscribers.c.email, subscribers.c.preferences,
                                                   subscribers.c.confirmed_at, subscribers.c.created_at)
                                      .where(subscribers.c.user_id == user_id)),
    }
