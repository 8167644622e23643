"""Submissions put papers on the daily feed: by people on the site or API, or imported from a Hugging
Face daily-papers dump (with that feed's upvote and comment counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ..clock import as_utc, utcnow
from ..storage.papers import require_stored
from ..storage.schema import submissions
from ..text import clean_line
from .accounts import USERNAME, User
from .errors import CommunityError


@dataclass(frozen=True, slots=True)
class Submission:
    paper_id: str
    day: dt.date
    submitter: str | None
    created_at: dt.datetime


def submitted_by(conn: Connection, paper_id: str, user_id: int) -> bool:
    """Whether the local account ``user_id`` put the paper on the daily feed."""
    return conn.execute(select(submissions.c.paper_id).where(
        submissions.c.paper_id == paper_id, submissions.c.submitter_id == user_id)).first() is not None


def find_submission(conn: Connection, paper_id: str) -> Submission | None:
    row = conn.execute(select(submissions).where(submissions.c.paper_id == paper_id)).first()
    if row is None:
        return None
    return Submission(row.paper_id, row.day, row.submitter_name, as_utc(row.created_at))  # type: ignore[arg-type]


def submit(conn: Connection, paper_id: str, user: User, *, when: dt.datetime | None = None) -> Submission:
    """Put a stored paper on the feed of the day of ``when`` (UTC, default now); once per paper."""
    when = (when or utcnow()).astimezone(dt.UTC)  # SQLite keeps no offset: store UTC, never local time
    require_stored(conn, paper_id)
    existing = find_submission(conn, paper_id)
    if existing is not None:
        raise CommunityError(f"paper {paper_id} is already on the daily feed of {existing.day.isoformat()}")
    conn.execute(insert(submissions).values(
        paper_id=paper_id, day=when.date(), submitter_id=user.id, submitter_name=user.username,
        created_at=when))
    return Submission(paper_id, when.date(), user.username, when)


def _hf_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return as_utc(dt.datetime.fromisoformat(value))  # "Z" included (Python 3.11 and later)
    except ValueError:
        return None


MAX_IMPORTED_COUNT = 1_000_000  # no paper has more upvotes or comments than this on any feed


def _count(value: Any) -> int:
    """A count from a dump, bounded: what is not a number, negative or not finite counts 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        return 0
    return int(min(value, MAX_IMPORTED_COUNT))


def import_huggingface(conn: Connection, papers_extra: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Record the daily-feed facts of imported Hugging Face papers (``extra["huggingface"]``): the day
    they were submitted, by whom, their upvotes and comment count. Re-imports refresh the counts.
    Returns how many submissions were added."""
    added = 0
    for paper_id, hf in papers_extra:
        when = _hf_time(hf.get("submittedOnDailyAt"))
        if when is None:
            continue
        counts = {"imported_upvotes": _count(hf.get("upvotes")),
                  "imported_comments": _count(hf.get("numComments"))}
        row = conn.execute(select(submissions.c.id).where(submissions.c.paper_id == paper_id)).first()
        if row is not None:
            conn.execute(update(submissions).where(submissions.c.id == row.id).values(**counts))
            continue
        by = hf.get("submittedBy") or hf.get("submittedOnDailyBy") or {}
        name = by.get("name") or by.get("user") if isinstance(by, Mapping) else None
        name = name if isinstance(name, str) and USERNAME.fullmatch(name) else None
        fullname = by.get("fullname") if isinstance(by, Mapping) else None
        display = clean_line(fullname)[:128] or None if isinstance(fullname, str) and name else None
        # the name is shown and filtered on as the Hub does, but it never is (or credits) a local account
        conn.execute(insert(submissions).values(
            paper_id=paper_id, day=when.date(), submitter_id=None, submitter_name=name,
            submitter_display=display, created_at=when, **counts))
        added += 1
    return added
