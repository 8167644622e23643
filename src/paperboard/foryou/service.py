"""For you for one reader: the reader's signals and the candidates' scores read from the database and the
search index, ranked by :mod:`paperboard.foryou.ranking`. The site, the API, the CLI, the MCP server and
the digest all call :func:`recommend`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select

from ..clock import as_utc, utcnow
from ..filter_terms import FilterTerms, QueryError
from ..search.lexical import LexicalIndex
from ..search.vectors import VectorIndex
from ..storage.schema import paper_gists, papers, topic_suggestions
from . import signals, suggest, topics
from .ranking import (
    Interest,
    Liked,
    Pick,
    Vector,
    closest,
    counts,
    floored,
    interests,
    interleave,
    phrases_worth_asking,
    tfidf,
    top_terms,
)

WINDOW_DAYS = 30  # without ``since``: the papers of the 30 days up to the newest listing day
CANDIDATES = 400  # papers each interest searches for
TOPIC_CANDIDATES = 1000  # papers each interest of a topic's examples searches for (its timeline is newest)


@dataclass(frozen=True, slots=True)
class Recommendations:
    picks: list[Pick]
    since: dt.date | None
    until: dt.date | None
    cold: bool  # the reader liked nothing and follows no one: nothing to go on yet


Days = tuple[dt.date | None, dt.date | None]


def window(engine: Engine, since: dt.date | None, until: dt.date | None) -> Days:
    """The days For you ranks: ``since`` .. ``until``, by default the last 30 up to the newest listing day."""
    if until is None:
        with engine.connect() as conn:
            newest = conn.execute(select(func.max(papers.c.listed))).scalar()
        until = dt.date.fromisoformat(newest) if isinstance(newest, str) else newest
    if since is None and until is not None:
        since = until - dt.timedelta(days=WINDOW_DAYS - 1)
    return since, until


class _Words:
    """tf-idf of words columns against one index (document frequencies read once per word), with the
    two-word ``phrases`` counted as terms of their own."""

    def __init__(self, lexical: LexicalIndex, phrases: frozenset[str]):
        self.lexical, self.n, self.phrases = lexical, max(len(lexical), 1), phrases
        self.freq: dict[str, int] = {}

    def vectors(self, columns: list[str]) -> list[Vector]:
        missing = {w for c in columns for w in counts(c, self.phrases)} - self.freq.keys()
        if missing:
            self.freq.update(self.lexical.doc_freqs(missing))
        return [tfidf(c, lambda w: self.freq.get(w, 0), self.n, self.phrases) for c in columns]

    def known(self, column: str) -> Vector:
        """tf-idf of a column's words that were looked up already (not of unit length): enough to tell
        which of a reader's papers a candidate is nearest to, without asking the index again."""
        return tfidf(column, lambda w: self.freq.get(w, 0), self.n, self.phrases, unit=False)


def recommend(engine: Engine, lexical: LexicalIndex, user_id: int, *, since: dt.date | None = None,
              until: dt.date | None = None, limit: int = 50, profile: int | None = None,
              apart: Sequence[int] = ()) -> Recommendations:
    """The reader's For you: the papers of the window ranked by the reader's interests and followed
    authors, each with why. ``profile``: one of the reader's collections, whose papers alone are the
    interests (its own feed; no follows, no topics). ``apart``: collections ranked on their own
    elsewhere, left out of the interests."""
    since, until = window(engine, since, until)
    with engine.connect() as conn:
        said = signals.read(conn, user_id, profile, apart=apart)
        followed = signals.papers_by(conn, said.followed, since, until)
        kept = topics.of(conn, user_id, user_id) if profile is None else []
    topical = [(topic.name, topic_papers(engine, lexical, topic, since=since, until=until, limit=CANDIDATES,
                                         newest=False)) for topic in kept]

    def words_of(ids: list[str]) -> dict[str, str]:
        with engine.connect() as conn:
            return signals.words_of(conn, ids)

    return rank(lexical, said, words_of, since=since, until=until, limit=limit, followed=followed,
                topical=topical)


def rank(lexical: LexicalIndex, said: signals.Signals, words_of: Callable[[list[str]], dict[str, str]], *,
         since: dt.date | None, until: dt.date | None, limit: int,
         followed: Sequence[tuple[str, str]] = (),
         topical: Sequence[tuple[str, Sequence[str]]] = ()) -> Recommendations:
    """``said``'s For you among the papers of ``since`` .. ``until`` (``words_of``: papers' words columns;
    ``followed``: (paper, author) of the followed authors' papers of those days, newest first;
    ``topical``: each of the reader's topics and its papers of those days, newest first). The followed
    authors' papers take as many turns as all the reader's interests together; each topic as many as
    one liked paper."""
    cold = said.empty and not topical
    if cold or until is None:
        return Recommendations([], since, until, cold)
    words = _Words(lexical, phrases_worth_asking([p.words for p in (*said.liked, *said.disliked)]))
    groups = interests(said.liked, words.vectors([p.words for p in said.liked]))
    days = FilterTerms.where(since=since, until=until)
    push = _push(lexical, words, said.disliked, days)
    by = dict(followed)
    # turns: the followed authors' first, then each topic, then each interest
    rankings = [[(pid, 1.0) for pid in by if pid not in said.seen]]
    rankings += [[(pid, 1.0) for pid in ids if pid not in said.seen] for _, ids in topical]
    rankings += _searched(lexical, groups, days, limit=CANDIDATES, push=push, skip=said.seen)
    weights = [max(sum(g.weight for g in groups), 1.0)] + [1.0] * len(topical) + [g.weight for g in groups]
    chosen = interleave(rankings, weights, limit)
    first = 1 + len(topical)  # the first interest's turn
    columns = words_of([pid for turn, pid, _ in chosen if turn >= first])
    picks = []
    for turn, pid, score in chosen:
        if turn == 0:
            reason = f"by {by[pid]}, whom you follow"
        elif turn < first:
            reason = f"in your topic {topical[turn - 1][0]}"
        else:
            reason = groups[turn - first].reason_for(words.known(columns.get(pid, "")))
        picks.append(Pick(pid, score, reason, followed=turn == 0))
    return Recommendations(picks, since, until, False)


def topic_papers(engine: Engine, lexical: LexicalIndex, topic: topics.Topic, *, since: dt.date | None = None,
                 until: dt.date | None = None, limit: int, newest: bool = True) -> list[str]:
    """The papers of a topic among those of ``since`` .. ``until``: those that pass its filter and, when
    it has example papers, are like them as For you finds papers like a reader's (the same interests and
    floor; the examples themselves left out). ``newest``: newest first (its timeline), else the likest
    first (For you)."""
    try:
        held = topics.filters_of(topic.query) & FilterTerms.where(since=since, until=until)
    except QueryError:  # saved under rules since tightened: it holds nothing, the others still count
        return []
    if not topic.examples:
        return lexical.newest(held, limit=limit)
    with engine.connect() as conn:
        texts = signals.texts(conn, list(topic.examples))
    examples = [Liked(pid, texts[pid][0], "example", texts[pid][1]) for pid in topic.examples if pid in texts]
    if not examples:  # every example was deleted since
        return []
    liked = like(lexical, examples, held, limit=TOPIC_CANDIDATES if newest else limit)
    return lexical.newest(held, limit=limit, among=liked) if newest and liked else liked


def like(lexical: LexicalIndex, examples: Sequence[Liked], filters: FilterTerms, *, limit: int) -> list[str]:
    """The papers passing ``filters`` that are like ``examples``, likest first, the examples left out: For
    you's ranking of a reader who liked only them, each interest kept to the papers close to its best."""
    words = _Words(lexical, phrases_worth_asking([p.words for p in examples]))
    groups = interests(list(examples), words.vectors([p.words for p in examples]))
    found = _searched(lexical, groups, filters, limit=TOPIC_CANDIDATES, skip={p.paper_id for p in examples})
    rankings = [closest(ranking) for ranking in found]
    return [pid for _, pid, _ in interleave(rankings, [g.weight for g in groups], limit)]


def _searched(lexical: LexicalIndex, groups: Sequence[Interest], filters: FilterTerms, *, limit: int,
              skip: set[str], push: Mapping[str, float] | None = None) -> list[list[tuple[str, float]]]:
    """Each interest's candidates among the papers passing ``filters`` (``limit`` searched for), as shares
    of its own papers' score less ``push``, over the floor and not in ``skip``: best first."""
    return [floored(lexical.weighted(group.query, limit=limit, filters=filters), _reference(lexical, group),
                    push or {}, skip) for group in groups]


def _reference(lexical: LexicalIndex, group: Interest) -> float:
    """What the interest's own papers score for its words (the mean of the best three): candidates are
    scored as shares of it."""
    own = sorted((s for _, s in lexical.weighted(group.query, limit=len(group.papers),
                                                 among=[p.paper_id for p in group.papers])), reverse=True)[:3]
    return sum(own) / len(own) if own else 0.0


def _push(lexical: LexicalIndex, words: _Words, disliked: list[Liked], days: FilterTerms) -> dict[str, float]:
    """How like a disliked paper each candidate is (its share of that paper's own score, the most of any)."""
    push: dict[str, float] = {}
    for paper, vector in zip(disliked, words.vectors([p.words for p in disliked]), strict=True):
        query = top_terms([vector], [1.0])
        own = lexical.weighted(query, limit=1, among=[paper.paper_id])
        if not own or own[0][1] <= 0:
            continue
        for pid, score in lexical.weighted(query, limit=CANDIDATES, filters=days):
            push[pid] = max(push.get(pid, 0.0), score / own[0][1])
    return push


def refresh_suggested(engine: Engine, vectors: VectorIndex) -> list[suggest.Suggestion]:
    """Compute the suggested topics and keep them for every process (the worker does this after papers
    arrive); what was kept before is replaced in one transaction."""
    found = suggested(engine, vectors)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(delete(topic_suggestions))
        if found:
            conn.execute(insert(topic_suggestions), [
                {"position": i, "label": s.label[:300], "query": s.query, "size": s.size,
                 "papers": list(s.papers), "computed_at": now} for i, s in enumerate(found)])
    return found


def suggestions_stale(engine: Engine) -> bool:
    """Whether papers were stored or changed since the suggested topics were computed (or never were)."""
    with engine.connect() as conn:
        computed = conn.execute(select(func.max(topic_suggestions.c.computed_at))).scalar()
        changed = conn.execute(select(func.max(papers.c.changed_at))).scalar()
    return computed is None or (changed is not None and as_utc(changed) > as_utc(computed))


def kept_suggestions(engine: Engine) -> list[suggest.Suggestion] | None:
    """The suggested topics as last computed; None when they never were."""
    with engine.connect() as conn:
        rows = conn.execute(select(topic_suggestions).order_by(topic_suggestions.c.position)).all()
    if not rows:
        return None
    return [suggest.Suggestion(r.label, r.query, r.size, tuple(r.papers)) for r in rows]


def suggested(engine: Engine, vectors: VectorIndex) -> list[suggest.Suggestion]:
    """Suggested topics: the clusters of the last 30 days' papers (up to the newest listing day)."""
    since, until = window(engine, None, None)
    if until is None or since is None:
        return []
    with engine.connect() as conn:
        listed = papers.c.listed.between(since, until)
        ids = list(conn.execute(select(papers.c.id).where(listed).order_by(papers.c.id)).scalars())
        keywords = {pid: tuple(k for k in kws or () if isinstance(k, str)) for pid, kws in conn.execute(
            select(paper_gists.c.paper_id, paper_gists.c.keywords)
            .join(papers, papers.c.id == paper_gists.c.paper_id).where(listed))}
    present, matrix = vectors.rows_for(ids)
    return suggest.clusters(present, matrix, keywords)
