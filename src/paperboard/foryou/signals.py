"""What a reader has told Paperboard, read from and written to the database: upvotes and saved papers
(liked), the For you feedback on a paper (one signal per reader and paper, the last one given) and the
authors the reader follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, func, select

from ..clock import utcnow
from ..errors import NotFound, PaperboardError
from ..feeds.namesakes import Person, belongs
from ..ids import name_hash
from ..storage.papers import require_stored
from ..storage.schema import (
    collection_items,
    collections,
    feedback,
    follows,
    paper_authors,
    paper_words,
    papers,
    upvotes,
)
from .ranking import SIGNALS, Liked

MOST_LIKED = 100  # the newest papers a reader liked that shape the profile
MOST_DISLIKED = 50
MOST_FOLLOWED = 500


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
    # authors followed: the name, and the one person of those who write under it (None: all of them)
    followed: list[tuple[str, Person | None]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.liked and not self.followed


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


def profile_name(conn: Connection, user_id: int, collection_id: int) -> str:
    """The name of one of the reader's collections (an interest profile); NotFound for anyone else's."""
    name = conn.execute(select(collections.c.name).where(collections.c.id == collection_id,
                                                         collections.c.owner_id == user_id)).scalar()
    if name is None:
        raise NotFound(f"you have no collection {collection_id}")
    return name


def read(conn: Connection, user_id: int, profile: int | None = None, *,
         apart: Sequence[int] = ()) -> Signals:
    """Everything For you ranks by for one reader; with ``profile`` (one of the reader's collections)
    only that collection's papers are liked, as arxiv-sanity ranks by one tag, and no author is
    followed. ``apart``: collections ranked on their own elsewhere (a digest section each), whose papers
    are not liked here (they are still never recommended). What the reader dismissed or marked holds
    everywhere."""
    saved_query = (select(collection_items.c.paper_id, collection_items.c.added_at,
                          collection_items.c.collection_id)
                   .join(collections, collections.c.id == collection_items.c.collection_id)
                   .where(collections.c.owner_id == user_id)
                   .order_by(collection_items.c.added_at.desc()).limit(MOST_LIKED))
    voted = [] if profile is not None else [(pid, at, "upvote") for pid, at in conn.execute(
        select(upvotes.c.paper_id, upvotes.c.created_at).where(upvotes.c.user_id == user_id)
        .order_by(upvotes.c.created_at.desc()).limit(MOST_LIKED))]
    if profile is not None:
        profile_name(conn, user_id, profile)
        saved_query = saved_query.where(collections.c.id == profile)
    rows = conn.execute(saved_query).all()
    liked_here = {pid for pid, _, cid in rows if cid not in apart}  # also in a collection not apart
    saved = [(pid, at, "save") for pid, at, _ in rows if pid in liked_here]
    said = list(conn.execute(select(feedback.c.paper_id, feedback.c.created_at, feedback.c.signal)
                             .where(feedback.c.user_id == user_id)
                             .order_by(feedback.c.created_at.desc()).limit(MOST_LIKED + MOST_DISLIKED)))
    dismissed = {pid for pid, _, signal in said if signal != "more_like_this"}
    more = [] if profile is not None else [(p, a, s) for p, a, s in said if s == "more_like_this"]
    liked_rows: dict[str, str] = {}
    for pid, _, how in sorted([*voted, *saved, *more], key=lambda r: _aware(r[1]), reverse=True):
        if pid not in dismissed:
            liked_rows.setdefault(pid, how)
    liked_ids = list(liked_rows)[:MOST_LIKED]
    disliked_ids = [pid for pid, _, signal in said if signal == "less_like_this"][:MOST_DISLIKED]
    titled = texts(conn, [*liked_ids, *disliked_ids])
    return Signals(
        followed=[] if profile is not None else followed_people(conn, user_id),
        liked=[Liked(pid, titled[pid][0], liked_rows[pid], titled[pid][1])
               for pid in liked_ids if pid in titled],
        disliked=[Liked(pid, titled[pid][0], "less_like_this", titled[pid][1])
                  for pid in disliked_ids if pid in titled],
        seen={pid for pid, _, _ in voted} | {pid for pid, _, _ in rows} | {pid for pid, _, _ in said},
    )


def follow(conn: Connection, user_id: int, name: str, person: Person | None = None) -> str:
    """Follow an author (the name as a stored paper spells it; NotFound when none does): all who write
    under the name, or ``person``, one of them. The name kept."""
    key = name_hash(name)
    spelled = conn.execute(select(paper_authors.c.name).where(paper_authors.c.name_hash == key)
                           .limit(1)).scalar()
    if spelled is None:
        raise NotFound(f"no stored paper has an author named {name!r}")
    if conn.execute(select(func.count()).select_from(follows).where(follows.c.user_id == user_id)
                    ).scalar_one() >= MOST_FOLLOWED:
        raise PaperboardError(f"one follows at most {MOST_FOLLOWED} authors")
    conn.execute(delete(follows).where(follows.c.user_id == user_id, follows.c.name_hash == key))
    conn.execute(follows.insert().values(user_id=user_id, name_hash=key, name=spelled, created_at=utcnow(),
                                         person=person.as_dict() if person else None))
    return spelled


def unfollow(conn: Connection, user_id: int, name: str) -> bool:
    gone = conn.execute(delete(follows).where(follows.c.user_id == user_id,
                                              follows.c.name_hash == name_hash(name)))
    return bool(gone.rowcount)


def is_following(conn: Connection, user_id: int, name: str) -> bool | Person:
    """False, True (everyone who writes under the name), or the one person of them followed."""
    found = conn.execute(select(follows.c.person).where(follows.c.user_id == user_id,
                                                        follows.c.name_hash == name_hash(name))).first()
    return False if found is None else Person.from_dict(found.person) or True


def following(conn: Connection, user_id: int) -> list[str]:
    """The authors the reader follows, in the order they were followed."""
    return list(conn.execute(select(follows.c.name).where(follows.c.user_id == user_id)
                             .order_by(follows.c.created_at, follows.c.name_hash)).scalars())


def followed_people(conn: Connection, user_id: int) -> list[tuple[str, Person | None]]:
    """The authors the reader follows, each with the one person followed (None: all of the name)."""
    rows = conn.execute(select(follows.c.name, follows.c.person).where(follows.c.user_id == user_id)
                        .order_by(follows.c.created_at, follows.c.name_hash))
    return [(name, Person.from_dict(person)) for name, person in rows]


def papers_by(conn: Connection, followed: Sequence[tuple[str, Person | None]], since: dt.date | None,
              until: dt.date | None) -> list[tuple[str, str]]:
    """(paper, author) for the papers of these authors (of the one person followed, where one is) whose
    day is in ``since`` .. ``until``, newest first."""
    if not followed:
        return []
    spelled = {name_hash(n): n for n, _ in followed}
    people = {name_hash(n): person for n, person in followed if person is not None}
    day = func.coalesce(papers.c.listed, papers.c.published)  # filter_rules.paper_day
    query = (select(paper_authors.c.paper_id, paper_authors.c.name_hash)
             .join(papers, papers.c.id == paper_authors.c.paper_id)
             .where(paper_authors.c.name_hash.in_(list(spelled)))
             .order_by(day.desc(), paper_authors.c.paper_id).limit(1000))
    if since is not None:
        query = query.where(day >= since)
    if until is not None:
        query = query.where(day <= until)
    found = list(conn.execute(query))
    theirs = _papers_of_people(conn, [(pid, key) for pid, key in found if key in people], people)
    out: dict[str, str] = {}
    for pid, key in found:
        if key not in people or (pid, key) in theirs:
            out.setdefault(pid, spelled[key])
    return list(out.items())


def _papers_of_people(conn: Connection, found: list[tuple[str, int]],
                      people: dict[int, Person]) -> set[tuple[str, int]]:
    """Which of these (paper, name hash) are the followed person's, by :func:`namesakes.belongs`."""
    if not found:
        return set()
    ids = list({pid for pid, _ in found})
    authors: dict[str, set[int]] = {}
    for pid, key in conn.execute(select(paper_authors.c.paper_id, paper_authors.c.name_hash)
                                 .where(paper_authors.c.paper_id.in_(ids))):
        authors.setdefault(pid, set()).add(key)
    fields = {pid: (cats[0] if cats else "") for pid, cats in conn.execute(
        select(papers.c.id, papers.c.categories).where(papers.c.id.in_(ids)))}
    return {(pid, key) for pid, key in found
            if belongs(people[key], authors.get(pid, set()) - {key}, fields.get(pid, ""))}


def words_of(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """The words columns of these papers."""
    if not ids:
        return {}
    rows = conn.execute(select(paper_words.c.paper_id, paper_words.c.words)
                        .where(paper_words.c.paper_id.in_(list(ids))))
    return {pid: words for pid, words in rows}


def texts(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The title and words column of each of these papers that is stored."""
    if not ids:
        return {}
    rows = conn.execute(select(papers.c.id, papers.c.title, paper_words.c.words)
                        .join(paper_words, paper_words.c.paper_id == papers.c.id)
                        .where(papers.c.id.in_(list(ids))))
    return {pid: (title, words) for pid, title, words in rows}


def _aware(at: dt.datetime) -> dt.datetime:  # SQLite gives naive UTC times back
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
