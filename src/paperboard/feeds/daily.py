"""The daily papers feed: submissions of a day, week or month, ranked by upvotes, trending or time.

``daily_papers`` is the one query behind ``/``, ``/papers/date|week|month/...``, ``/papers/trending``,
``/api/daily_papers`` and ``paperboard daily``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, func, select

from ..clock import as_utc, utcnow
from ..community.collections import saved_by
from ..community.paper_links import with_given_links
from ..community.votes import submission_totals, upvoted_by
from ..filter_terms import FilterTerms
from ..storage.papers import fetch_many
from ..storage.schema import submissions, users
from .entries import Entry, Page
from .filtering import conditions
from .periods import Period, containing
from .ranking import trending_score

Sort = Literal["upvotes", "trending", "publishedAt"]
SORTS: tuple[str, ...] = ("upvotes", "trending", "publishedAt")
TRENDING_WINDOW = dt.timedelta(days=7)
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class DailyQuery:
    period: Period | None = None  # None: every submission (trending: the last week of them)
    submitter: str | None = None  # by name, as the Hub filters (imported submitters too)
    submitter_id: int | None = None  # by local account (a user page)
    sort: Sort = "upvotes"
    page: int = 0
    limit: int = 50
    filters: FilterTerms | None = None  # the filter language's terms (category:, -author:, has:, ...)


def _rows_query():  # type: ignore[no-untyped-def]
    votes, said = submission_totals()
    total_votes = votes.label("votes")
    return select(
        submissions.c.paper_id, submissions.c.day, submissions.c.created_at, submissions.c.submitter_name,
        func.coalesce(users.c.display_name, submissions.c.submitter_display).label("display_name"),
        submissions.c.submitter_id, total_votes, said.label("said"),
    ).select_from(submissions.outerjoin(users, users.c.id == submissions.c.submitter_id)), total_votes


def _filtered(query, q: DailyQuery, since: dt.datetime | None):  # type: ignore[no-untyped-def]
    if q.period is not None:
        query = query.where(submissions.c.day >= q.period.start, submissions.c.day < q.period.end)
    if q.submitter:
        query = query.where(func.lower(submissions.c.submitter_name) == q.submitter.lower())
    if q.submitter_id is not None:
        query = query.where(submissions.c.submitter_id == q.submitter_id)
    if since is not None:
        query = query.where(submissions.c.created_at >= since)
    if q.filters:
        query = query.where(conditions(q.filters, submissions.c.paper_id))
    return query


def latest_day(conn: Connection) -> dt.date | None:
    """The newest day with submissions (the home page shows it)."""
    value = conn.execute(select(func.max(submissions.c.day))).scalar()
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def neighbours(conn: Connection, period: Period) -> tuple[Period | None, Period | None]:
    """The nearest earlier and later periods of the same kind that have submissions."""
    day = submissions.c.day
    before = conn.execute(select(func.max(day)).where(day < period.start)).scalar()
    after = conn.execute(select(func.min(day)).where(day >= period.end)).scalar()

    def around(value) -> Period | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return containing(period.kind, dt.date.fromisoformat(value) if isinstance(value, str) else value)

    return around(before), around(after)


def daily_papers(conn: Connection, q: DailyQuery, *, viewer_id: int | None = None,
                 now: dt.datetime | None = None) -> Page:
    now = now or utcnow()
    base, total_votes = _rows_query()
    since = None
    if q.sort == "trending" and q.period is None:
        newest = conn.execute(select(func.max(submissions.c.created_at))).scalar()
        since = as_utc(newest) - TRENDING_WINDOW if newest is not None else None
    base = _filtered(base, q, since)
    if q.sort == "trending":  # a time-dependent score: rank the whole (bounded) window in Python
        rows = conn.execute(base).all()
        rows.sort(key=lambda r: (-trending_score(r.votes, as_utc(r.created_at), now), r.paper_id))  # type: ignore[arg-type]
        total = len(rows)
        rows = rows[q.page * q.limit:(q.page + 1) * q.limit]
    else:
        total = conn.execute(_filtered(select(func.count()).select_from(submissions), q, since)).scalar_one()
        order = ((total_votes.desc(), submissions.c.created_at.desc()) if q.sort == "upvotes"
                 else (submissions.c.created_at.desc(),))
        rows = conn.execute(base.order_by(*order, submissions.c.paper_id)
                            .limit(q.limit).offset(q.page * q.limit)).all()
    stored = with_given_links(conn, fetch_many(conn, [r.paper_id for r in rows]))
    ids = [r.paper_id for r in rows]
    mine, kept = upvoted_by(conn, viewer_id, ids), saved_by(conn, viewer_id, ids)
    entries = [
        Entry(stored[r.paper_id], upvotes=r.votes, comments=r.said,
              day=dt.date.fromisoformat(r.day) if isinstance(r.day, str) else r.day,
              submitted_at=as_utc(r.created_at), submitter=r.submitter_name, submitter_name=r.display_name,
              submitter_local=r.submitter_id is not None, upvoted=r.paper_id in mine,
              saved=r.paper_id in kept)
        for r in rows if r.paper_id in stored
    ]
    return Page(entries, total, q.page, q.limit)
