"""Personal picks for a subscriber: For you's ranking (:mod:`paperboard.foryou`) over the edition's papers
for a subscriber with an account, the papers that match each of their topics, and new papers by the
authors they follow. Nothing is padded: a paper is a pick only for a reason that holds for it (a topic's
words are in it, its authors include the one followed, it is like a paper the subscriber liked above
For you's floor), and that reason is the one shown.

One ``Personalizer`` serves a whole edition: the edition's papers, the results of each distinct topic
search and each author lookup are computed once and shared by every subscriber who asks for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from ..community.collections import digest_profiles
from ..feeds.daily import DailyQuery, daily_papers
from ..feeds.entries import Entry
from ..filter_rules import matches
from ..filter_terms import FilterTerms, QueryError
from ..foryou import service as foryou
from ..foryou.topics import topic_terms
from ..ids import name_hash
from ..models import Paper
from ..search.backends import SearchBackend
from ..storage.papers import fetch_many
from ..storage.schema import paper_authors, papers
from .editions import Edition
from .preferences import Preferences

KEYWORD_HITS = 30
TRENDING = 5


@dataclass(slots=True)
class Pick:
    paper: Paper
    score: float
    reasons: list[str] = field(default_factory=list)
    followed: bool = False  # by an author the subscriber follows: the digest's first section
    profile: str | None = None  # picked for one of the subscriber's collections that has a section


def _excluded(paper: Paper, terms: Sequence[str]) -> bool:
    """Whether ``paper`` holds one of a reader's excluded words or phrases (the filter language's rule)."""
    return bool(terms) and not matches(FilterTerms(exclude=tuple(("phrase", t) for t in terms)), paper)


class Personalizer:
    def __init__(self, engine: Engine, search: SearchBackend, edition: Edition):
        self.engine, self.search, self.edition = engine, search, edition
        start, end = edition.period.start, edition.period.end
        with engine.connect() as conn:
            self.window: list[str] = list(conn.execute(
                select(papers.c.id).where(papers.c.listed >= start, papers.c.listed < end)
                .order_by(papers.c.id)).scalars())
            self.trending_entries: list[Entry] = daily_papers(
                conn, DailyQuery(period=edition.period, sort="trending", limit=TRENDING)).entries
        self._window_set = set(self.window)
        self._papers: dict[str, Paper] = {}
        self._keywords: dict[tuple[str, tuple[str, ...]], list[tuple[str, float]]] = {}
        self._authors: dict[str, list[str]] = {}

    # --- shared lookups (cached per edition) ------------------------------------------------------

    def _paper(self, ids: Sequence[str]) -> dict[str, Paper]:
        missing = [i for i in ids if i not in self._papers]
        if missing:
            with self.engine.connect() as conn:
                self._papers.update(fetch_many(conn, missing))
        return {i: self._papers[i] for i in ids if i in self._papers}

    def keyword_hits(self, keyword: str, categories: tuple[str, ...]) -> list[tuple[str, float]]:
        key = (keyword.casefold(), categories)
        if key not in self._keywords:
            filters = FilterTerms.where(categories=categories, since=self.edition.period.start,
                                        until=self.edition.period.end - dt.timedelta(days=1))
            try:
                hits = self.search.search(self.engine, keyword, limit=KEYWORD_HITS,
                                          filters=filters & topic_terms(keyword)).hits
            except QueryError:  # stored before topics were checked: it matches nothing, the rest still count
                hits = []
            self._keywords[key] = [(h.id, h.score) for h in hits if h.id in self._window_set]
        return self._keywords[key]

    def author_papers(self, name: str) -> list[str]:
        key = name.casefold()
        if key not in self._authors:
            with self.engine.connect() as conn:
                found = conn.execute(select(paper_authors.c.paper_id)
                                     .where(paper_authors.c.name_hash == name_hash(name))).scalars()
                self._authors[key] = sorted({pid for pid in found if pid in self._window_set})
        return self._authors[key]

    def for_you(self, user_id: int, limit: int, profile: int | None = None,
                apart: Sequence[int] = ()) -> list[tuple[str, float, str, bool]]:
        """For you's picks for the subscriber's account (or one of its interest profiles; ``apart``:
        profiles left out) among the edition's papers (id, score, reason, whether by a followed author)."""
        if not self.search.term_statistics:  # search on Milvus: the digest's other picks only
            return []
        found = foryou.recommend(self.engine, self.search.lexical, user_id, since=self.edition.period.start,
                                 until=self.edition.period.end - dt.timedelta(days=1), limit=limit,
                                 profile=profile, apart=apart)
        return [(p.paper_id, p.score, p.reason, p.followed) for p in found.picks
                if p.paper_id in self._window_set]

    def profiles(self, user_id: int) -> list[tuple[int, str]]:
        """The account's collections that have a section of the digest."""
        with self.engine.connect() as conn:
            return digest_profiles(conn, user_id)

    # --- one subscriber ---------------------------------------------------------------------------

    def picks(self, prefs: Preferences, user_id: int | None = None) -> list[Pick]:
        found: dict[str, Pick] = {}

        def add(pid: str, score: float, reason: str, followed: bool = False,
                profile: str | None = None) -> None:
            pick = found.get(pid)
            if pick is None:  # a paper stays in the section that picked it first
                paper = self._papers.get(pid) or Paper(id=pid, title="")
                found[pid] = pick = Pick(paper, score, profile=profile)
            pick.score = max(pick.score, score)
            pick.followed = pick.followed or followed
            if reason not in pick.reasons:
                pick.reasons.append(reason)

        if user_id is not None:
            # each profile with a section first, ranked by its own papers alone; the rest of For you
            # by the reader's other signals
            profiles = self.profiles(user_id)
            for cid, name in profiles:
                for pid, score, reason, _ in self.for_you(user_id, prefs.max_count, profile=cid):
                    add(pid, score, reason, profile=name)
            apart = [cid for cid, _ in profiles]
            for pid, score, reason, followed in self.for_you(user_id, prefs.max_count, apart=apart):
                add(pid, score, reason, followed)
        for keyword in prefs.keywords:
            for pid, score in self.keyword_hits(keyword, prefs.categories):
                add(pid, score, f"matches “{keyword}”")
        for author in prefs.authors:
            for pid in self.author_papers(author):
                add(pid, 1.0, f"new paper by {author}", followed=True)
        stored = self._paper(list(found))
        result = []
        for pid, pick in found.items():
            paper = stored.get(pid)
            if paper is None or _excluded(paper, prefs.exclude) or pick.score < prefs.threshold:
                continue
            if prefs.categories and not set(prefs.categories) & set(paper.categories):
                continue
            pick.paper = paper
            result.append(pick)
        result.sort(key=lambda p: (-p.score, p.paper.id))
        return result[: prefs.max_count]

    def trending(self, prefs: Preferences, skip: set[str]) -> list[Entry]:
        if not prefs.trending:
            return []
        return [e for e in self.trending_entries
                if e.paper.id not in skip and not _excluded(e.paper, prefs.exclude)]

