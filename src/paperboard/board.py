"""The library's one face: :class:`Paperboard` owns the store and the search index and offers every verb
the front ends need (the CLI, the website, the JSON API, the digest and the MCP server are adapters over
it). Verbs take and return plain values and raise :mod:`paperboard.errors`, never HTTP errors::

    from paperboard import Paperboard
    board = Paperboard.open(data_dir="papers")
    board.ingest_files(["papers.jsonl.gz"])
    for hit in board.search("diffusion models for video", limit=5).hits:
        print(hit.id, hit.title)
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from .community import (
    account_mail,
    accounts,
    authorship,
    collections,
    comments,
    paper_links,
    submissions,
    votes,
)
from .community.accounts import User, bearer_token  # noqa: F401  (the face's own: front ends use them)
from .community.comments import MAX_COMMENT, Comment, threads  # noqa: F401  (the same)
from .config import Config, load_config
from .errors import Busy, Forbidden, NotFound, PaperboardError, Pending, Unavailable
from .feeds import daily, listing, periods
from .feeds.entries import Entry, Page
from .feeds.namesakes import Namesake, Person, tell_apart
from .filter_terms import FilterTerms
from .foryou import feed_keys
from .foryou import library as foryou_library
from .foryou import service as foryou_service
from .foryou import signals as foryou_signals
from .foryou import suggest as foryou_suggest
from .foryou import topics as foryou_topics
from .ids import InvalidId, canonical_id, category_spelling
from .ingest.on_demand import SAY, OnDemand, Outcome
from .ingest.pipeline import Summary
from .models import Paper
from .search.backends import SearchBackend, open_search
from .search.query import lexical_text, parse_query
from .search.service import Hit, SearchResult
from .services.accounts import Accounts
from .services.digests import Digests
from .services.media import Media
from .storage.engine import open_database
from .storage.papers import fetch_many, get_paper, require_stored
from .storage.rate_limits import DatabaseCounts as RateCounts

log = logging.getLogger(__name__)

FETCH_INDEX_WAIT = 60.0  # seconds a fetched paper waits for another process's index run, then the next
CATEGORIES_TTL = 600.0  # seconds the list of categories is kept before it is read again
SEMANTIC_COMPLETE = 0.99  # from this share of papers with vectors, search says nothing of its index
Allowed = Callable[[], bool]  # whether the asker may queue one more paper to fetch from arXiv


@dataclass
class Imported:
    """What an import into a collection did with each paper its reference list cites."""

    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # in the collection before
    queued: list[str] = field(default_factory=list)  # being fetched from arXiv: import again to add them
    not_found: list[str] = field(default_factory=list)  # neither stored nor on arXiv (or not fetched now)
    problems: list[str] = field(default_factory=list)  # entries that name no arXiv paper

    def as_dict(self) -> dict[str, list[str]]:
        return asdict(self)


def paper_id_of(text: str) -> str | None:
    """The stored id for what someone typed: an arXiv id or URL in any spelling; None for anything else."""
    try:
        return canonical_id(text.strip()).id
    except InvalidId:
        return None


def _day(text: str | None) -> dt.date | None:
    return periods.parse("date", text).start if text else None


class Paperboard:
    """One store and its search index. ``fetch_from_arxiv``: papers asked for by id that are not stored
    are fetched from arXiv through one shared, paced queue (``fetch_wait``: how long a verb waits for one);
    without it such papers are simply not found."""

    def __init__(self, config: Config, *, engine: Engine | None = None, index: SearchBackend | None = None,
                 fetch_from_arxiv: bool = True, fetch_wait: float = 1.5, statement_timeout: float = 0):
        self.config = config
        self.engine = engine or open_database(config.database_url, synchronous=config.sqlite_synchronous,
                                              pool=config.pool(), statement_timeout=statement_timeout)
        self._index = index
        self._categories: tuple[float, list[tuple[str, int]]] | None = None
        self.on_demand = OnDemand(self.engine, self.fetch, delay=config.arxiv_delay,
                                  wait=fetch_wait) if fetch_from_arxiv else None

    @classmethod
    def open(cls, **overrides: Any) -> Paperboard:
        """From the environment (``PAPERBOARD_*``) and ``overrides`` such as ``data_dir`` or
        ``database_url``; raises :class:`paperboard.config.ConfigError` for a bad setting."""
        return cls(load_config(**overrides))

    @property
    def index(self) -> SearchBackend:
        """The search backend, opened on first use (commands that never search never load it): the
        embedded index in the data folder, or Milvus at ``search_url``."""
        if self._index is None:
            self._index = open_search(self.config.search_url, self.config.data_dir, self.config.embedder)
        return self._index

    def rate_limit_counts(self) -> RateCounts:
        """The store of rate-limit counts, shared by every process of the site."""
        return RateCounts(self.engine)

    @property
    def accounts(self) -> Accounts:
        """Sign-up and sign-in, sessions, API tokens, passwords, addresses
        (:mod:`paperboard.services.accounts`)."""
        return Accounts(self.engine, self.config)

    @property
    def media(self) -> Media:
        """The kept pictures: thumbnails, social previews, faces (:mod:`paperboard.services.media`)."""
        return Media(self.engine)

    @property
    def digests(self) -> Digests:
        """Digest subscribers and editions (:mod:`paperboard.services.digests`)."""
        return Digests(self.engine, self.config, lambda: self.index)

    def close(self) -> None:
        self.engine.dispose()

    # --- store and index ----------------------------------------------------------------------------

    def ingest(self, job: Any, *, progress: bool | None = False) -> tuple[Summary, list[str]]:
        """Run an ingest job (:class:`paperboard.ingest.runner.FilesJob` or ``ArxivJob``): the summary
        and the sources that failed as a whole. The index is not updated: call :meth:`catch_up`."""
        from .ingest import runner

        return runner.run(job, self.engine, self.config, progress=progress)

    def ingest_files(self, paths: Sequence[str], fmt: str = "auto") -> Summary:
        """Store the papers of dump files and index them."""
        from .ingest.runner import FilesJob

        summary, _ = self.ingest(FilesJob(paths=tuple(paths), fmt=fmt))
        self.catch_up()
        return summary

    def pending(self) -> tuple[list[str], dt.datetime | None]:
        """The stored papers the index has not caught up with, and the watermark it would reach."""
        return self.index.pending(self.engine)

    def catch_up(self, *, on_progress: Callable[[int], None] | None = None, fold: bool = True,
                 wait: float | None = None, rebuild: bool = True,
                 on_step: Callable[[str, int], None] | None = None) -> int:
        """Index what was stored or changed since the index last caught up (BM25, then the embeddings);
        how many papers. Papers stored before gists existed (or with an older version's) get theirs
        first (while this process holds the index's writer lock: two processes catching up never write
        the same gists). Another process writing the index is waited for (``wait`` seconds at most, else
        as long as it takes)."""
        return self.index.catch_up(self.engine, on_progress=on_progress, fold=fold, wait=wait,
                                   rebuild=rebuild, on_step=on_step,
                                   prepare=lambda: self.refresh_gists(on_progress, on_step))

    def refresh_gists(self, on_progress: Callable[[int], None] | None = None,
                      on_step: Callable[[str, int], None] | None = None) -> int:
        """Write the gists papers lack (just stored, a store from before them, or an older version's);
        how many. ``on_step("gists", papers)`` is told first when there are any."""
        from .ingest.gist_job import refresh

        return refresh(self.engine, on_progress,
                       on_start=(lambda stale: on_step("gists", stale)) if on_step else None)

    def reindex(self, on_progress: Callable[[int], None] | None = None,
                on_step: Callable[[str, int], None] | None = None) -> int:
        """Rebuild the search index from the store (gists first: the index reads their keywords)."""
        self.refresh_gists()
        return self.index.reindex(self.engine, on_progress=on_progress, on_step=on_step)

    def backup(self, dest: Path) -> int:
        """Write the database to the new file ``dest`` (:mod:`paperboard.storage.backup`: consistent while
        the site writes); how many papers it holds."""
        from .storage import backup

        return backup.backup(self.engine, dest)

    def restore(self, source: Path) -> int:
        """Load a backup into this store's database, which must hold no data, and bring its schema up to
        date; how many papers it holds. The search index is stale until :meth:`reindex`."""
        from .storage import backup

        return backup.restore(self.engine, source)

    def stats(self) -> dict[str, Any]:
        """Counts: papers, authors, categories, the dates they span, papers by source."""
        from .storage.papers import stats

        with self.engine.connect() as conn:
            return stats(conn)

    def paper_count(self) -> int:
        """How many papers are stored."""
        from .storage.papers import count_papers

        with self.engine.connect() as conn:
            return count_papers(conn)

    def is_empty(self) -> bool:
        """Whether no paper is stored (one row read, not a count of millions)."""
        from .storage.papers import any_paper

        with self.engine.connect() as conn:
            return not any_paper(conn)

    def index_lag(self) -> int | None:
        """How many stored papers changed after the index last caught up (None while the index cannot
        be read: :meth:`search_problem` says why)."""
        from .storage.papers import count_changed_after

        try:
            mark = self.index.watermark()
        except Unavailable:
            return None
        with self.engine.connect() as conn:
            return count_changed_after(conn, mark)

    def search_building(self) -> str | None:
        """What search says while its index is incomplete (the first build, a new embedder): None once
        every stored paper is in BM25 and nearly every one has its vector."""
        self.index.refresh()
        share = self.index.semantic_share()
        if share is None:  # unreadable: search_problem says so
            return None
        if not self.index.indexed():
            waiting = self.index_lag()
            return (f"The search index is being built ({waiting:,} papers): searches answer in a minute or "
                    "two." if waiting else None)
        if share < SEMANTIC_COMPLETE:
            return (f"The semantic index is {int(share * 100)} % built: results match your words, and "
                    "their meaning for the papers embedded so far.")
        return None

    def search_problem(self) -> str | None:
        """Why search cannot answer now (a damaged index, waiting for its rebuild); None when it can."""
        self.index.refresh()
        return self.index.problem

    def fetch(self, paper_ids: list[str]) -> Summary:
        """Fetch papers by id from the arXiv API (one request), store and index what arXiv has; raises
        when arXiv cannot be reached."""
        from .ingest.arxiv import fetch_ids
        from .ingest.arxiv_client import ArxivClient

        config = self.config
        with ArxivClient(delay=config.arxiv_delay, retries=1, max_wait=10, timeout=15) as client:
            summary = fetch_ids(self.engine, client, paper_ids, api_url=config.arxiv_api_url)
        if summary.added + summary.updated:
            try:
                # folding the graph, and rebuilding a damaged index, are left to ingests and the worker
                self.catch_up(fold=False, wait=FETCH_INDEX_WAIT, rebuild=False)
            except Exception as exc:  # another process holds the index writer: the next ingest indexes it
                log.warning("indexing %s now failed (%s); it is indexed by the next ingest or reindex",
                            ", ".join(paper_ids), exc)
        return summary

    def ask(self, paper_id: str, allowed: Allowed | None = None) -> Outcome:
        """Whether ``paper_id`` is stored, after fetching it from arXiv when it is not (and the asker is
        ``allowed`` to queue it): stored, missing, queued, busy or limited."""
        if self.on_demand is None:
            with self.engine.connect() as conn:
                return "stored" if get_paper(conn, paper_id) is not None else "missing"
        return self.on_demand.request(paper_id, allowed or (lambda: True))

    async def aask(self, paper_id: str, allowed: Allowed | None = None) -> Outcome:
        """:meth:`ask` for an event loop: waits without holding a thread."""
        if self.on_demand is None:
            from starlette.concurrency import run_in_threadpool

            return await run_in_threadpool(self.ask, paper_id)
        return await self.on_demand.arequest(paper_id, allowed or (lambda: True))

    # --- reading ------------------------------------------------------------------------------------

    def entry(self, paper_id: str, viewer_id: int | None = None) -> Entry:
        """A stored paper with its votes, comments count and submission; NotFound when not stored."""
        found = self.entries([paper_id], viewer_id)
        if not found:
            raise NotFound(f"paper {paper_id} is not in the store")
        return found[0]

    def stored_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The stored ones of ``paper_ids`` as papers alone (no votes, comments or authorship: what an
        export or a citation reads)."""
        with self.engine.connect() as conn:
            return fetch_many(conn, list(paper_ids))

    def entries(self, paper_ids: list[str], viewer_id: int | None = None) -> list[Entry]:
        """The stored ones of ``paper_ids``, in that order."""
        with self.engine.connect() as conn:
            return listing.entries_for(conn, paper_ids, viewer_id)

    def daily(self, query: daily.DailyQuery, viewer_id: int | None = None) -> Page:
        with self.engine.connect() as conn:
            return daily.daily_papers(conn, query, viewer_id=viewer_id)

    def latest_day(self) -> dt.date | None:
        """The newest day with a submission."""
        with self.engine.connect() as conn:
            return daily.latest_day(conn)

    def neighbours(self, period: periods.Period) -> tuple[periods.Period | None, periods.Period | None]:
        """The nearest periods of the same kind before and after ``period`` that have submissions."""
        with self.engine.connect() as conn:
            return daily.neighbours(conn, period)

    def new_papers(self, query: listing.ListingQuery, viewer_id: int | None = None) -> listing.Listing:
        with self.engine.connect() as conn:
            return listing.new_papers(conn, query, viewer_id=viewer_id)

    def papers(self, after: listing.Cursor | None = None, limit: int = 50,
               ) -> tuple[list[Entry], listing.Cursor | None]:
        """Every stored paper, newest first, a page at a time: the entries after ``after`` and the
        cursor of the next page (None on the last)."""
        with self.engine.connect() as conn:
            return listing.every_paper(conn, after, limit)

    def categories(self) -> list[tuple[str, int]]:
        """Every category in the store with its number of papers, most papers first (for pickers; read
        at most every few minutes)."""
        cached = self._categories
        if cached is None or time.monotonic() - cached[0] > CATEGORIES_TTL:
            with self.engine.connect() as conn:
                cached = (time.monotonic(), listing.categories(conn))
            self._categories = cached
        return cached[1]

    def newest_day(self) -> dt.date | None:
        """The newest listing day in the store."""
        with self.engine.connect() as conn:
            return listing.newest_day(conn)

    def author(self, name: str, *, page: int = 0, limit: int = 50,
               viewer_id: int | None = None) -> Page:
        """The papers of an author; NotFound when no stored paper has one of that name."""
        with self.engine.connect() as conn:
            found = listing.author_papers(conn, name, page=page, limit=limit, viewer_id=viewer_id)
        if not found.total:
            raise NotFound(f"no stored paper has an author named {name!r}")
        return found

    def namesakes(self, name: str) -> list[Namesake]:
        """The people who write as ``name``, told apart by co-authors and fields where the newest 500 of
        their papers allow (one: they cannot be)."""
        with self.engine.connect() as conn:
            return _namesakes(conn, name)

    def user_for_token(self, token: str) -> accounts.User | None:
        """The account an API token (as sent, ``pb_...``) acts for; None for an unknown, revoked or
        expired one. Notes when it was last used."""
        with self.engine.begin() as conn:
            return accounts.user_for_token(conn, token)

    def user(self, username: str) -> accounts.User:
        return self.accounts.find(username)

    def search(self, q: str, *, limit: int = 10, category: str | None = None, since: str | None = None,
               until: str | None = None, author: str | None = None, sort: str = "relevance",
               filters: FilterTerms | None = None, correct: bool = True,
               recent: bool = False) -> SearchResult:
        """Hybrid search; ``since`` / ``until`` are days (YYYY-MM-DD). A query or filter that cannot be
        read raises :class:`paperboard.errors.PaperboardError` (QueryError, PeriodError)."""
        if filters is None:
            filters = FilterTerms.where(categories=(category_spelling(category),) if category else (),
                                        since=_day(since), until=_day(until), author=author or None)
        return self.index.search(self.engine, q, limit=limit, filters=filters, sort=sort, correct=correct,
                                 recent=recent)

    def similar(self, paper_id: str | None = None, *, text: str | None = None, limit: int = 10) -> list[Hit]:
        """Papers nearest to a paper or to pasted text; NotFound when the paper is not indexed."""
        try:
            return self.index.similar(self.engine, paper_id=paper_id, text=text, limit=limit)
        except KeyError:
            raise NotFound(f"{paper_id} is not in the search index (ingest it, or reindex)") from None

    def comments(self, paper_id: str) -> list[comments.Comment]:
        """A paper's comments, oldest first; NotFound when the paper is not stored."""
        with self.engine.connect() as conn:
            require_stored(conn, paper_id)
            return comments.list_comments(conn, paper_id)

    def collection(self, collection_id: int, viewer: accounts.User | None = None, *, page: int | None = None,
                   limit: int = 50) -> tuple[collections.Collection, list[Entry]]:
        """A collection the viewer may see, and its papers' entries: all of them, or page ``page`` (from
        0) of ``limit``."""
        viewer_id = viewer.id if viewer else None
        with self.engine.connect() as conn:
            found = collections.get_collection(conn, collection_id, viewer)
            ids = list(found.paper_ids)
            if page is not None:
                ids = ids[page * limit : (page + 1) * limit]
            return found, listing.entries_for(conn, ids, viewer_id)

    def collections_of(self, user: accounts.User, viewer: accounts.User | None = None,
                       ) -> list[tuple[int, str, int]]:
        """(id, name, size) of ``user``'s collections that ``viewer`` may see."""
        own = viewer is not None and viewer.id == user.id
        with self.engine.connect() as conn:
            return collections.collections_of(conn, user.id, public_only=not own)

    # --- writing ------------------------------------------------------------------------------------

    def fetched(self, text: str, allowed: Allowed | None = None) -> str:
        """The id of a paper (arXiv id or URL) once it is stored, fetching it from arXiv when it is not:
        Pending while it is on its way, NotFound when arXiv has no such paper, Busy when the queue or
        the asker's allowance is full."""
        paper_id = paper_id_of(text)
        if paper_id is None:
            raise PaperboardError(f"{text.strip()[:100]!r} is not an arXiv id or URL (e.g. 2501.01234)")
        found = self.ask(paper_id, allowed)
        if found != "stored":
            error = {"missing": NotFound, "queued": Pending}.get(found, Busy)
            raise error(SAY[found].format(id=paper_id))
        return paper_id

    def submit(self, user: accounts.User, text: str, allowed: Allowed | None = None) -> str:
        """Put a paper (arXiv id or URL) on today's daily feed; a paper not stored yet is fetched from
        arXiv first. Pending while it is on its way, Busy when the queue or the asker's allowance is full."""
        paper_id = self.fetched(text, allowed)
        with self.engine.begin() as conn:
            submissions.submit(conn, paper_id, user)
        return paper_id

    def vote(self, paper_id: str, user: accounts.User, *, up: bool = True) -> int:
        """Upvote (or take the upvote back, idempotently); the paper's upvotes after."""
        with self.engine.begin() as conn:
            (votes.upvote if up else votes.remove_upvote)(conn, paper_id, user.id)
            return votes.counts(conn, [paper_id])[paper_id][0]

    def comment(self, paper_id: str, user: accounts.User, body: str, *,
                reply_to: int | None = None) -> comments.Comment:
        """Comment on a paper, or reply to one of its comments (whose author, if they asked, is mailed:
        queued with the reply, sent by the mail job or right after the request)."""
        with self.engine.begin() as conn:
            said = comments.add_comment(conn, paper_id, user, body, reply_to=reply_to)
            if reply_to is not None:
                account_mail.queue_reply(conn, said.id, reply_to, user.id)
            return said

    def edit_comment(self, comment_id: int, user: accounts.User, body: str) -> str:
        """Its author rewrites a comment (it then says it was edited); the paper's id."""
        with self.engine.begin() as conn:
            return comments.edit_comment(conn, comment_id, user, body)

    def delete_comment(self, comment_id: int, user: accounts.User) -> str:
        """Its author deletes a comment; the paper's id."""
        with self.engine.begin() as conn:
            return comments.delete_comment(conn, comment_id, user)

    def create_collection(self, user: accounts.User, name: str, description: str = "", *,
                          public: bool = True, papers: Iterable[str] = ()) -> int:
        with self.engine.begin() as conn:
            cid = collections.create_collection(conn, user, name, description, public=public)
            for paper_id in papers:
                collections.add_paper(conn, cid, user, paper_id)
        return cid

    def edit_collection(self, collection_id: int, user: accounts.User, *, name: str,
                        description: str | None = None, public: bool = True,
                        digest: bool | None = None) -> None:
        with self.engine.begin() as conn:
            collections.edit_collection(conn, collection_id, user, name=name, description=description,
                                        public=public, digest=digest)

    def delete_collection(self, collection_id: int, user: accounts.User) -> None:
        with self.engine.begin() as conn:
            collections.delete_collection(conn, collection_id, user)

    def claim_authorship(self, paper_id: str, author_name: str, user: accounts.User) -> authorship.Claim:
        """Claim to be one of a paper's authors: confirmed at once when a verified e-mail address of the
        user is written in the paper, else pending until an administrator decides."""
        from .digest.subscribers import verified_emails

        with self.engine.begin() as conn:
            return authorship.claim(conn, paper_id, author_name, user,
                                    verified_emails=verified_emails(conn, user.id))

    def decide_claim(self, claim_id: int, admin: accounts.User, *, confirm: bool) -> authorship.Claim:
        with self.engine.begin() as conn:
            return authorship.decide(conn, claim_id, admin, confirm=confirm)

    def pending_claims(self) -> list[authorship.Claim]:
        with self.engine.connect() as conn:
            return authorship.pending(conn)

    def claims_of(self, user: accounts.User) -> list[authorship.Claim]:
        with self.engine.connect() as conn:
            return authorship.claims_of(conn, user.id)

    def authored(self, user: accounts.User) -> list[Entry]:
        """The papers ``user`` is a verified author of, newest claim first."""
        confirmed = [c.paper_id for c in self.claims_of(user) if c.status == "confirmed"]
        return self.entries(list(dict.fromkeys(confirmed)))

    def set_links(self, paper_id: str, user: accounts.User, links: dict[str, str | None]) -> dict[str, str]:
        """Give a paper's code repository and/or project page (an empty value clears one); only a
        verified author of the paper or its submitter may."""
        with self.engine.begin() as conn:
            require_stored(conn, paper_id)
            allowed = (submissions.submitted_by(conn, paper_id, user.id)
                       or authorship.is_author(conn, paper_id, user.id))
            if not allowed:
                raise Forbidden(f"only a verified author of {paper_id} or its submitter can set its links")
            return paper_links.set_links(conn, paper_id, user, links)

    def import_references(self, collection_id: int, user: accounts.User, text: str, fmt: str | None = None,
                          *, allowed: Allowed | None = None, fetch_now: bool = False) -> Imported:
        """Add the papers a reference list cites (BibTeX, RIS, CSL-JSON or arXiv ids; see
        :mod:`paperboard.references`) to one's collection. Papers not stored are fetched from arXiv at
        once (``fetch_now``, for the operator's CLI) or queued for the shared fetcher."""
        from .references import read

        refs = read(text, fmt)
        report = Imported(problems=refs.problems)
        with self.engine.connect() as conn:
            collections.owned(conn, collection_id, user)  # before anything is fetched for it
            stored = set(fetch_many(conn, refs.ids))
        missing = [pid for pid in refs.ids if pid not in stored]
        if missing and fetch_now:
            from .ingest.errors import SourceError

            try:
                self.fetch(missing)
            except SourceError as exc:  # offline, or arXiv down: what is stored is still added
                report.problems.append(f"arXiv could not be reached: {exc}")
            with self.engine.connect() as conn:
                stored |= set(fetch_many(conn, missing))
        elif missing and self.on_demand is not None:
            for pid in missing:
                if self.on_demand.enqueue(pid, allowed or (lambda: True)) in (None, "stored"):
                    report.queued.append(pid)
        with self.engine.begin() as conn:
            report.added, report.already = collections.add_papers(
                conn, collection_id, user, [pid for pid in refs.ids if pid in stored])
        report.not_found = [pid for pid in refs.ids if pid not in stored and pid not in report.queued]
        return report

    def collect(self, collection_id: int, user: accounts.User, paper_id: str, *,
                remove: bool = False) -> bool:
        """Add a paper to one's collection (or remove it); whether anything changed."""
        with self.engine.begin() as conn:
            change = collections.remove_paper if remove else collections.add_paper
            return change(conn, collection_id, user, paper_id)

    def save(self, user: accounts.User, paper_id: str, *, remove: bool = False) -> bool:
        """A card's Save: into the reader's Saved collection, or (``remove``) out of all of theirs;
        whether it is saved now."""
        with self.engine.begin() as conn:
            return collections.save(conn, user, paper_id, remove=remove)

    # --- For you ------------------------------------------------------------------------------------

    def for_you(self, user: accounts.User, *, since: dt.date | None = None, until: dt.date | None = None,
                limit: int = 50, profile: int | None = None) -> ForYou:
        """The reader's For you (each entry with why it is there); a reader with nothing to go on yet gets
        the trending papers, and ``cold`` says so. ``profile``: one of the reader's collections, ranked
        by alone (an interest profile with its own feed)."""
        found = foryou_service.recommend(self.engine, self.index.lexical, user.id, since=since, until=until,
                                         limit=limit, profile=profile)
        if not found.cold:
            entries = self.entries([p.paper_id for p in found.picks], user.id)
            why = {p.paper_id: p.reason for p in found.picks}
            return ForYou([(e, why[e.paper.id]) for e in entries], found.since, found.until, cold=False)
        trending = self.daily(daily.DailyQuery(sort="trending", limit=limit), user.id).entries
        return ForYou([(e, "trending: upvote or save papers, or follow authors, to make this page yours")
                       for e in trending], found.since, found.until, cold=True)

    def follow(self, user: accounts.User, author: str, *, undo: bool = False,
               paper: str | None = None) -> tuple[str, str | None]:
        """Follow an author (by name as papers spell it; NotFound when no stored paper has one), or stop.
        ``paper``: follow only the one of the people who write under the name who wrote that paper (as
        their co-authors and fields tell them apart); where they cannot be told apart, the name. The name
        as papers spell it, and the paper the one person followed was chosen by (None: the name)."""
        with self.engine.begin() as conn:
            if undo:
                foryou_signals.unfollow(conn, user.id, author)
                return author, None
            person = None
            if paper:
                pid = paper_id_of(paper) or paper.strip()
                people = _namesakes(conn, author)
                chosen = next((p for p in people if pid in p.paper_ids), None)
                if not people:
                    raise NotFound(f"no stored paper has an author named {author!r}")
                if chosen is None:
                    raise PaperboardError(
                        f"{author!r} wrote no stored paper {pid!r} (among their newest 500)")
                person = chosen.person if len(people) > 1 else None
            return foryou_signals.follow(conn, user.id, author, person), person.paper if person else None

    def following(self, user: accounts.User) -> list[str]:
        with self.engine.connect() as conn:
            return foryou_signals.following(conn, user.id)

    def is_following(self, user: accounts.User, author: str) -> bool | Person:
        """False, True (all who write under the name), or the one person of them followed."""
        with self.engine.connect() as conn:
            return foryou_signals.is_following(conn, user.id, author)

    def create_topic(self, user: accounts.User, name: str, query: str, *, public: bool = True,
                     examples: Iterable[str] = ()) -> int:
        """Save a filter and example papers as a topic: a timeline of the papers that pass the filter
        and are like the examples, and a place in For you. Without a ``name``, it is called by its
        filter."""
        with self.engine.begin() as conn:
            return foryou_topics.create(conn, user.id, name, query, public=public, examples=examples)

    def set_topic_examples(self, user: accounts.User, topic_id: int,
                           examples: Iterable[str]) -> tuple[str, ...]:
        """Replace the example papers of one of the user's topics; the stored ids kept."""
        with self.engine.begin() as conn:
            return foryou_topics.set_examples(conn, user.id, topic_id, examples)

    def delete_topic(self, user: accounts.User, topic_id: int) -> None:
        with self.engine.begin() as conn:
            foryou_topics.remove(conn, user.id, topic_id)

    def topics_of(self, user: accounts.User,
                  viewer: accounts.User | None = None) -> list[foryou_topics.Topic]:
        with self.engine.connect() as conn:
            return foryou_topics.of(conn, user.id, viewer.id if viewer else None)

    def topic(self, topic_id: int, viewer: accounts.User | None = None, *,
              limit: int = 50) -> tuple[foryou_topics.Topic, list[Entry]]:
        """A topic (public, or the viewer's own) and its newest ``limit`` papers."""
        with self.engine.connect() as conn:
            topic = foryou_topics.get(conn, topic_id, viewer.id if viewer else None)
        lexical = self.index.lexical
        ids = foryou_service.topic_papers(self.engine, lexical, topic, limit=limit) if limit else []
        return topic, self.entries(ids, viewer.id if viewer else None)

    def suggested_topics(self) -> list[foryou_suggest.Suggestion]:
        """Clusters of the recent papers, named by their keywords, as the worker last computed them
        (computed here, and kept for every process, when it never has)."""
        kept = foryou_service.kept_suggestions(self.engine)
        return kept if kept is not None else self.refresh_suggested_topics()

    def refresh_suggested_topics(self) -> list[foryou_suggest.Suggestion]:
        """Cluster the recent papers again (the worker, after papers arrive) and keep the result."""
        return foryou_service.refresh_suggested(self.engine, self.index.vectors)

    def library(self, user: accounts.User, q: str = "", tag: str = "",
                among: list[foryou_library.Saved] | None = None) -> list[foryou_library.Saved]:
        """The reader's saved papers with notes, read marks and tags; ``tag``: only those with it; ``q``:
        only those a search finds (words, phrases and filter terms; BM25 within the library), best first.
        ``among``: the whole library, already read by the caller."""
        if among is None:
            with self.engine.connect() as conn:
                among = foryou_library.saved(conn, user.id)
        found = among
        if tag:
            found = [s for s in found if tag in s.collections]
        if not q.strip():
            return found
        query, ids, lexical = parse_query(q), [s.paper_id for s in found], self.index.lexical
        if lexical_text(query).strip():
            hits = [pid for pid, _ in lexical.search(lexical_text(query), limit=len(ids) or 1,
                                                      filters=query.filters, among=ids)]
        else:  # field terms alone: the saved papers that pass them, newest first
            hits = lexical.newest(query.filters, limit=len(ids) or 1, among=ids) if query.filters else []
        order = {pid: i for i, pid in enumerate(hits)}
        return sorted((s for s in found if s.paper_id in order), key=lambda s: order[s.paper_id])

    def annotate(self, user: accounts.User, paper_id: str, *, note: str | None = None,
                 read: bool | None = None) -> None:
        with self.engine.begin() as conn:
            foryou_library.annotate(conn, user.id, paper_id, note=note, read=read)

    def tag(self, user: accounts.User, paper_id: str, names: list[str]) -> tuple[str, ...]:
        """Set a saved paper's tags (the reader's collections it is in)."""
        with self.engine.begin() as conn:
            return foryou_library.tag(conn, user, paper_id, names)

    def export_account(self, user: accounts.User) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return foryou_library.archive(conn, user.id)

    def delete_account(self, user: accounts.User, password: str | None) -> None:
        with self.engine.begin() as conn:
            accounts.delete_account(conn, user, password)

    def feed_token(self, user: accounts.User) -> str:
        """The secret part of the reader's private feed links (For you, private topics)."""
        with self.engine.connect() as conn:
            return feed_keys.token(conn, self.config.signing_key(), user.id)

    def rotate_feed_token(self, user: accounts.User) -> None:
        with self.engine.begin() as conn:
            feed_keys.rotate(conn, user.id)

    def feed_reader(self, token: str) -> accounts.User:
        """The reader a secret feed link belongs to; NotFound for one that is not (or no longer) valid."""
        with self.engine.connect() as conn:
            user_id = feed_keys.owner(conn, self.config.signing_key(), token)
            user = accounts.get_user(conn, user_id) if user_id is not None else None
        if user is None:
            raise NotFound("no such feed (its link may have been replaced by a new one)")
        return user

    def feedback(self, paper_id: str, user: accounts.User, signal: str | None) -> None:
        """Tell For you about a paper (``None`` takes the reader's feedback on it back)."""
        with self.engine.begin() as conn:
            if signal is None:
                require_stored(conn, paper_id)
                foryou_signals.take_back(conn, user.id, paper_id)
            else:
                foryou_signals.give(conn, user.id, paper_id, signal)

    def feedback_given(self, user: accounts.User) -> list[foryou_signals.Said]:
        with self.engine.connect() as conn:
            return foryou_signals.given(conn, user.id)


@dataclass(frozen=True)
class ForYou:
    items: list[tuple[Entry, str]]  # each paper, and why it is there
    since: dt.date | None
    until: dt.date | None
    cold: bool  # nothing to go on yet: these are the trending papers


def _namesakes(conn: Connection, name: str) -> list[Namesake]:
    ids = listing.author_paper_ids(conn, name)
    found = fetch_many(conn, ids)
    return tell_apart(name, [found[i] for i in ids if i in found])
