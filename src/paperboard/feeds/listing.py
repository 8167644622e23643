"""The "new" feed: every ingested paper by the day arXiv announced it, like arXiv's own listings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, exists, func, select

from ..clock import as_utc
from ..community.authorship import verified_authors
from ..community.collections import saved_by
from ..community.paper_links import with_suggestions
from ..community.votes import counts, upvoted_by
from ..filter_terms import FilterTerms
from ..ids import name_hash
from ..storage.papers import fetch_many
from ..storage.schema import paper_authors, paper_categories, papers, submissions, users
from .entries import Entry, Page
from .filtering import conditions


@dataclass(frozen=True, slots=True)
class ListingQuery:
    day: dt.date | None = None  # None: the newest listing day
    category: str | None = None
    page: int = 0
    limit: int = 50
    filters: FilterTerms | None = None  # the filter language's terms (category:, -author:, has:, ...)


def _date(value) -> dt.date | None:  # type: ignore[no-untyped-def]
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _in_category(category: str | None):  # type: ignore[no-untyped-def]
    if not category:
        return True
    return exists().where(paper_categories.c.paper_id == papers.c.id, paper_categories.c.category == category)


def entries_for(conn: Connection, ids: list[str], viewer_id: int | None = None) -> list[Entry]:
    """Feed entries for stored papers, in the order of ``ids`` (unknown ids are left out), with their
    counts and, for papers on the daily feed, their submission."""
    stored, offered = with_suggestions(conn, fetch_many(conn, ids))
    found = list(stored)
    tallies = counts(conn, found)
    mine, kept = upvoted_by(conn, viewer_id, found), saved_by(conn, viewer_id, found)
    verified = verified_authors(conn, found)
    entries = {i: Entry(stored[i], upvotes=tallies[i][0], comments=tallies[i][1], upvoted=i in mine,
                        saved=i in kept, verified=verified.get(i, {}), suggested=offered.get(i, {}))
               for i in found}
    if found:
        rows = conn.execute(
            select(submissions.c.paper_id, submissions.c.day, submissions.c.created_at,
                   submissions.c.submitter_name,
                   func.coalesce(users.c.display_name, submissions.c.submitter_display),
                   submissions.c.submitter_id)
            .select_from(submissions.outerjoin(users, users.c.id == submissions.c.submitter_id))
            .where(submissions.c.paper_id.in_(found)))
        for pid, day, created, submitter, display, local in rows:
            e = entries[pid]
            e.day, e.submitted_at = _date(day), as_utc(created)
            e.submitter, e.submitter_name, e.submitter_local = submitter, display, local is not None
    return [entries[i] for i in ids if i in entries]


@dataclass(slots=True)
class Listing:
    page: Page
    day: dt.date | None
    previous_day: dt.date | None
    next_day: dt.date | None


def categories(conn: Connection) -> list[tuple[str, int]]:
    """Every category in the store and its number of papers, most papers first."""
    rows = conn.execute(select(paper_categories.c.category, func.count())
                        .group_by(paper_categories.c.category)
                        .order_by(func.count().desc(), paper_categories.c.category))
    return [(c, n) for c, n in rows]


def newest_day(conn: Connection, category: str | None = None, filters: FilterTerms | None = None
               ) -> dt.date | None:
    """The newest announcement day in the store (of papers in ``category`` and meeting ``filters``)."""
    where = and_(_in_category(category), conditions(filters, papers.c.id))
    return _date(conn.execute(select(func.max(papers.c.listed)).where(where)).scalar())


def new_papers(conn: Connection, q: ListingQuery, *, viewer_id: int | None = None) -> Listing:
    in_category = and_(_in_category(q.category), conditions(q.filters, papers.c.id))
    day = q.day or newest_day(conn, q.category, q.filters)
    if day is None:
        return Listing(Page([], 0, q.page, q.limit), None, None, None)
    where = (papers.c.listed == day, in_category)
    total = conn.execute(select(func.count()).select_from(papers).where(*where)).scalar_one()
    ids = conn.execute(select(papers.c.id).where(*where).order_by(papers.c.id.desc())
                       .limit(q.limit).offset(q.page * q.limit)).scalars().all()
    previous_day = _date(conn.execute(select(func.max(papers.c.listed))
                                      .where(papers.c.listed < day, in_category)).scalar())
    next_day = _date(conn.execute(select(func.min(papers.c.listed))
                                  .where(papers.c.listed > day, in_category)).scalar())
    page = Page(entries_for(conn, list(ids), viewer_id), total, q.page, q.limit)
    return Listing(page, day, previous_day, next_day)


def _by_name(name: str):  # type: ignore[no-untyped-def]
    """The ids of the papers with an author of this name, newest first (a query to page through)."""
    theirs = select(paper_authors.c.paper_id).where(paper_authors.c.name_hash == name_hash(name)).distinct()
    return (select(papers.c.id).where(papers.c.id.in_(theirs))
            .order_by(func.coalesce(papers.c.listed, papers.c.published).desc(), papers.c.id.desc()))


def author_papers(conn: Connection, name: str, *, page: int = 0, limit: int = 50,
                  viewer_id: int | None = None) -> Page:
    """Papers with an author of exactly this name (after the normalisation of ``ids.name_hash``)."""
    query = _by_name(name)
    total = conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    ids = conn.execute(query.limit(limit).offset(page * limit)).scalars().all()
    return Page(entries_for(conn, list(ids), viewer_id), total, page, limit)


def author_paper_ids(conn: Connection, name: str, limit: int = 500) -> list[str]:
    """The newest ``limit`` papers with an author of this name, newest first."""
    return list(conn.execute(_by_name(name).limit(limit)).scalars())


Cursor = tuple[dt.date | None, str]  # the last paper of a page: its listing day and id


def every_paper(conn: Connection, after: Cursor | None, limit: int) -> tuple[list[Entry], Cursor | None]:
    """Every stored paper, newest listing day first (then id, descending; papers without a listing day
    last), a page at a time by keyset: the entries after ``after`` and the cursor of the next page."""
    query = select(papers.c.id, papers.c.listed)
    if after is None:
        dated = query.where(papers.c.listed.is_not(None))
    elif after[0] is not None:
        day, pid = after
        dated = query.where((papers.c.listed < day) | ((papers.c.listed == day) & (papers.c.id < pid)))
    else:
        dated = None
    rows: list = []  # type: ignore[type-arg]
    if dated is not None:
        rows = conn.execute(dated.order_by(papers.c.listed.desc(), papers.c.id.desc()).limit(limit + 1)).all()
    if len(rows) <= limit:  # then the papers without a listing day
        undated = query.where(papers.c.listed.is_(None))
        if after is not None and after[0] is None:
            undated = undated.where(papers.c.id < after[1])
        rows += conn.execute(undated.order_by(papers.c.id.desc()).limit(limit + 1 - len(rows))).all()
    page = rows[:limit]
    cursor = (_date(page[-1].listed), page[-1].id) if len(rows) > limit else None
    return entries_for(conn, [r.id for r in page]), cursor
