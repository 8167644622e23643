"""What a reader has told Paperboard, read from and written to the database: upvotes and saved papers
(liked), and the For you feedback on a paper (one signal per reader and paper, the last one given)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from ..clock import utcnow
from ..errors import PaperboardError
from ..storage.papers import require_stored
from ..storage.schema import collection_items, collections, feedback, paper_words, papers, upvotes
from .ranking import SIGNALS, Liked

MOST_LIKED = 100  # the newest papers a reader liked that shape the profile
MOST_DISLIKED = 50


@dataclass(frozen=True, slots=True)
class Said:
    paper_id: str
    title: str
    signal: str
    at: dt.datetime


@dataclass(slots=True)
class Signals:
    liked: list[Liked]  # newest first
    disliked: list[Liked]  # less like this
    seen: set[str]  # upvoted, saved or given feedback: never recommended

    @property
    def empty(self) -> bool:
        return not self.liked


def give(conn: Connection, user_id: int, paper_id: str, signal: str) -> None:
    """Record ``signal`` on a paper (replacing the reader's earlier one); a paper not stored is NotFound."""
    if signal not in SIGNALS:
        raise PaperboardError(f"signal must be one of {', '.join(SIGNALS)}")
    require_stored(conn, paper_id)
    conn.execute(delete(feedback).where(feedback.c.user_id == user_id, feedback.c.paper_id == paper_id))
    conn.execute(feedback.insert().values(user_id=user_id, paper_id=paper_id, signal=signal,
                                          created_at=utcnow()))


def take_back(conn: Connection, user_id: int, paper_id: str) -> bool:
    """Undo the reader's feedback on a paper; True when there was some."""
    gone = conn.execute(delete(feedback).where(feedback.c.user_id == user_id,
                                               feedback.c.paper_id == paper_id))
    return bool(gone.rowcount)


def given(conn: Connection, user_id: int, limit: int = 500) -> list[Said]:
    """The reader's feedback, newest first (the account page lists it, to be undone)."""
    rows = conn.execute(select(feedback.c.paper_id, papers.c.title, feedback.c.signal, feedback.c.created_at)
                        .join(papers, papers.c.id == feedback.c.paper_id).where(feedback.c.user_id == user_id)
                        .order_by(feedback.c.created_at.desc(), feedback.c.paper_id).limit(limit))
    return [Said(*row) for row in rows]


def read(conn: Connection, user_id: int) -> Signals:
    """Everything For you ranks by for one reader."""
    voted = [(pid, at, "upvote") for pid, at in conn.execute(
        select(upvotes.c.paper_id, upvotes.c.created_at).where(upvotes.c.user_id == user_id)
        .order_by(upvotes.c.created_at.desc()).limit(MOST_LIKED))]
    saved = [(pid, at, "save") for pid, at in conn.execute(
        select(collection_items.c.paper_id, collection_items.c.added_at)
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .where(collections.c.owner_id == user_id)
        .order_by(collection_items.c.added_at.desc()).limit(MOST_LIKED))]
    said = list(conn.execute(select(feedback.c.paper_id, feedback.c.created_at, feedback.c.signal)
                             .where(feedback.c.user_id == user_id)
                             .order_by(feedback.c.created_at.desc()).limit(MOST_LIKED + MOST_DISLIKED)))
    dismissed = {pid for pid, _, signal in said if signal != "more_like_this"}
    liked_rows: dict[str, str] = {}
    for pid, _, how in sorted([*voted, *saved, *((p, a, s) for p, a, s in said if s == "more_like_this")],
                              key=lambda r: _aware(r[1]), reverse=True):
        if pid not in dismissed:
            liked_rows.setdefault(pid, how)
    liked_ids = list(liked_rows)[:MOST_LIKED]
    disliked_ids = [pid for pid, _, signal in said if signal == "less_like_this"][:MOST_DISLIKED]
    texts = _texts(conn, [*liked_ids, *disliked_ids])
    return Signals(
        liked=[Liked(pid, texts[pid][0], liked_rows[pid], texts[pid][1])
               for pid in liked_ids if pid in texts],
        disliked=[Liked(pid, texts[pid][0], "less_like_this", texts[pid][1])
                  for pid in disliked_ids if pid in texts],
        seen={pid for pid, _, _ in voted} | {pid for pid, _, _ in saved} | {pid for pid, _, _ in said},
    )


def words_of(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """The words columns of these papers."""
    if not ids:
        return {}
    rows = conn.execute(select(paper_words.c.paper_id, paper_words.c.words)
                        .where(paper_words.c.paper_id.in_(list(ids))))
    return {pid: words for pid, words in rows}


def _texts(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    rows = conn.execute(select(papers.c.id, papers.c.title, paper_words.c.words)
                        .join(paper_words, paper_words.c.paper_id == papers.c.id)
                        .where(papers.c.id.in_(list(ids))))
    return {pid: (title, words) for pid, title, words in rows}


def _aware(at: dt.datetime) -> dt.datetime:  # SQLite gives naive UTC times back
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
