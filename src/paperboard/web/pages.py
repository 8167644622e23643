"""The website's pages (server-rendered HTML; every action is a plain form, so it works without JS)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from ..cite import bibtex, bibtex_all, markdown_page
from ..community import accounts, collections, comments, submissions, votes
from ..community.errors import Busy, CommunityError, NotFound, Pending
from ..feeds import daily, listing, periods
from ..feeds.entries import Entry
from ..ids import InvalidId, canonical_id
from ..models import to_json_dict
from ..search.lexical import Filters
from ..search.query import QueryError
from ..storage.papers import count_changed_after, get_paper
from .atom import atom_feed
from .on_demand import SAY
from .params import CollectionId, PageNumber
from .site import Site, site_of

PER_PAGE = 30
SEARCH_PER_PAGE = 10
SEARCH_PAGES = 10


def _uid(site: Site, request: Request) -> int | None:
    viewer = site.viewer(request)
    return viewer.id if viewer else None


def _sort(value: str | None) -> str:
    return value if value in ("upvotes", "trending") else "upvotes"


def _page_number(value: int) -> int:
    return max(0, value - 1)


def _stored_or_missing(site: Site, paper_id: str) -> str:
    """Whether ``paper_id`` is stored, for a site that never fetches from arXiv."""
    with site.engine.connect() as conn:
        return "stored" if get_paper(conn, paper_id) is not None else "missing"


def resolve_paper_id(text: str) -> str | None:
    """The stored id for what someone typed: an arXiv id/URL in any spelling, or a stored id as is."""
    try:
        return canonical_id(text.strip()).id
    except InvalidId:
        return None


router = APIRouter(include_in_schema=False)


# --- daily papers ------------------------------------------------------------------------------------

def _daily(request: Request, period: periods.Period | None, sort: str, page: int, *,
           trending: bool = False) -> Response:
    site = site_of(request)
    with site.engine.connect() as conn:
        if period is None and not trending:
            latest = daily.latest_day(conn)
            if latest is None:  # nothing submitted yet: the newest papers are the useful home page
                newest = listing.new_papers(conn, listing.ListingQuery(limit=PER_PAGE),
                                            viewer_id=_uid(site, request))
                if newest.day is None:
                    return site.page(request, "empty.html")
                return site.page(request, "new.html", listing=newest, category=None, no_submissions=True)
            period = periods.day(latest)
        query = daily.DailyQuery(period=period, sort="trending" if trending else _sort(sort),  # type: ignore[arg-type]
                                 page=_page_number(page), limit=PER_PAGE)
        result = daily.daily_papers(conn, query, viewer_id=_uid(site, request))
        before, after = daily.neighbours(conn, period) if period else (None, None)
    return site.page(request, "daily.html", period=period, feed=result, sort=query.sort, previous=before,
                     next=after, trending=trending)


@router.get("/")
def home(request: Request, sort: str = "upvotes", page: PageNumber = 1) -> Response:
    return _daily(request, None, sort, page)


@router.get("/papers/trending")
def trending(request: Request, page: PageNumber = 1, since: Annotated[str | None, Query(alias="from")] = None,
             until: str | None = None) -> Response:
    period = None
    if since or until:
        try:
            start = periods.parse("date", since).start if since else dt.date(1970, 1, 1)
            end = periods.parse("date", until).end if until else dt.date.today() + dt.timedelta(days=1)
        except periods.PeriodError as exc:
            raise HTTPException(400, str(exc)) from None
        period = periods.Period("date", start, end)
    return _daily(request, period, "trending", page, trending=True)


@router.get("/papers/{kind}/{slug}")
def daily_period(request: Request, kind: str, slug: str, sort: str = "upvotes",
                 page: PageNumber = 1) -> Response:
    if kind not in ("date", "week", "month"):
        return paper_page(request, f"{kind}/{slug}")  # old-style arXiv ids hold a slash: hep-th/9901001
    try:
        period = periods.parse(kind, slug)
    except periods.PeriodError as exc:
        raise HTTPException(400, str(exc)) from None
    return _daily(request, period, sort, page)


# --- every paper, by listing day ---------------------------------------------------------------------

@router.get("/new")
def new(request: Request, day: str | None = None, category: str | None = None,
        page: PageNumber = 1) -> Response:
    site = site_of(request)
    when = None
    if day:
        try:
            when = periods.parse("date", day).start
        except periods.PeriodError as exc:
            raise HTTPException(400, str(exc)) from None
    category = (category or "").strip() or None
    with site.engine.connect() as conn:
        result = listing.new_papers(conn, listing.ListingQuery(when, category, _page_number(page), PER_PAGE),
                                    viewer_id=_uid(site, request))
    return site.page(request, "new.html", listing=result, category=category)


# --- search -----------------------------------------------------------------------------------------

def run_search(site: Site, q: str, *, limit: int, category: str | None = None, since: str | None = None,
               until: str | None = None, author: str | None = None, sort: str = "relevance"):  # type: ignore[no-untyped-def]
    """The search behind the page, the Atom feed and the API. A bad query or filter raises HTTP 400."""
    try:
        filters = Filters(
            categories=(category,) if category else (),
            since=periods.parse("date", since).start if since else None,
            until=periods.parse("date", until).start if until else None,
            author=author or None,
        )
        return site.search.search(site.engine, q, limit=limit, filters=filters, sort=sort)
    except (periods.PeriodError, QueryError) as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/search")
async def search_page(request: Request, q: str = "", category: str = "", author: str = "",
                      since: Annotated[str, Query(alias="from")] = "", until: str = "",
                      sort: str = "relevance", page: PageNumber = 1) -> Response:
    """An arXiv id or URL opens the paper (queued for fetching from arXiv when it is not stored, with
    a short wait that holds no worker thread); anything else is searched."""
    site = site_of(request)
    wanted = resolve_paper_id(q.strip()[:1000])
    note = None
    if wanted:
        if site.on_demand is None:
            found = _stored_or_missing(site, wanted)
        else:
            found = await site.on_demand.arequest(wanted, site.fetch_allowed(request))
        if found == "stored":
            return RedirectResponse(f"/papers/{wanted}", status_code=303)
        note = SAY[found].format(id=wanted)
    response = await run_in_threadpool(_search_page, request, q, category, author, since, until, sort, page,
                                       note)
    if note:  # a fetch under way, or this client's own limit: never the page cache's answer to others
        response.headers["Cache-Control"] = "no-store"
    return response


def _search_page(request: Request, q: str, category: str, author: str, since: str, until: str, sort: str,
                 page: int, note: str | None) -> Response:
    site = site_of(request)
    q = q.strip()[:1000]
    page = min(max(page, 1), SEARCH_PAGES)
    context: dict[str, Any] = dict(q=q, category=category, author=author, since=since, until=until,
                                   sort=sort if sort in ("relevance", "date", "upvotes") else "relevance",
                                   page=page, hits=[], corrected={}, more=False, fetch_note=note)
    if not q:
        return site.page(request, "search.html", **context)
    try:
        result = run_search(site, q, limit=page * SEARCH_PER_PAGE + 1, category=category or None,
                            since=since or None, until=until or None, author=author or None,
                            sort=context["sort"])
    except HTTPException as exc:
        context["error"] = exc.detail
        return site.page(request, "search.html", status_code=400, **context)
    hits = result.hits[(page - 1) * SEARCH_PER_PAGE:]
    context.update(hits=hits[:SEARCH_PER_PAGE], more=len(hits) > SEARCH_PER_PAGE and page < SEARCH_PAGES,
                   corrected=result.corrected)
    return site.page(request, "search.html", **context)


# --- a paper ----------------------------------------------------------------------------------------

def _entry(conn, paper_id: str, viewer_id: int | None) -> Entry | None:  # type: ignore[no-untyped-def]
    found = listing.entries_for(conn, [paper_id], viewer_id)
    return found[0] if found else None


def paper_page(request: Request, raw_id: str) -> Response:
    site = site_of(request)
    fmt = None
    for suffix in (".md", ".bib", ".json"):
        if raw_id.endswith(suffix):
            raw_id, fmt = raw_id[: -len(suffix)], suffix
    paper_id = resolve_paper_id(raw_id) or raw_id
    viewer = site.viewer(request)
    with site.engine.connect() as conn:
        entry = _entry(conn, paper_id, viewer.id if viewer else None)
        if entry is None:
            raise HTTPException(404, f"paper {paper_id} is not in the store")
        if paper_id != raw_id and fmt is None:
            return RedirectResponse(f"/papers/{paper_id}", status_code=301)
        if fmt == ".md":
            text = markdown_page(entry.paper, upvotes=entry.upvotes, comments=entry.comments,
                                 base_url=site.config.base_url)
            return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
        if fmt == ".bib":
            return PlainTextResponse(bibtex(entry.paper), media_type="application/x-bibtex; charset=utf-8")
        if fmt == ".json":
            return Response(orjson.dumps(to_json_dict(entry.paper)), media_type="application/json")
        said = comments.list_comments(conn, paper_id)
        mine = collections.collections_of(conn, viewer.id, public_only=False) if viewer else []
    try:
        similar = site.search.similar(site.engine, paper_id=paper_id, limit=6)
    except KeyError:  # not indexed yet
        similar = []
    return site.page(request, "paper.html", entry=entry, paper=entry.paper, comments=said, similar=similar,
                     bibtex=bibtex(entry.paper), my_collections=mine)


@router.get("/papers/{paper_id:path}")
def paper_route(request: Request, paper_id: str) -> Response:
    return paper_page(request, paper_id)


@router.get("/authors/{name:path}")
def author_page(request: Request, name: str, page: PageNumber = 1) -> Response:
    site = site_of(request)
    with site.engine.connect() as conn:
        result = listing.author_papers(conn, name, page=_page_number(page), limit=PER_PAGE,
                                       viewer_id=_uid(site, request))
    if not result.total:
        raise HTTPException(404, f"no stored paper has an author named {name!r}")
    return site.page(request, "author.html", name=name, feed=result)


@router.get("/users/{username}")
def user_page(request: Request, username: str, page: PageNumber = 1) -> Response:
    site = site_of(request)
    with site.engine.connect() as conn:
        user = accounts.find_user(conn, username)
        if user is None:
            raise HTTPException(404, f"there is no user {username!r}")
        viewer = site.viewer(request)
        submitted = daily.daily_papers(conn, daily.DailyQuery(submitter_id=user.id, sort="publishedAt",
                                                              page=_page_number(page), limit=PER_PAGE),
                                       viewer_id=viewer.id if viewer else None)
        kept = collections.collections_of(conn, user.id, public_only=not (viewer and viewer.id == user.id))
    return site.page(request, "user.html", user=user, feed=submitted, collections=kept)


# --- writing: submit, upvote, comment ---------------------------------------------------------------

@router.get("/submit")
def submit_form(request: Request) -> Response:
    site = site_of(request)
    if site.viewer(request) is None:
        return RedirectResponse("/signin?next=/submit", status_code=303)
    return site.page(request, "submit.html")


def submit_paper(site: Site, user: accounts.User, text: str, request: Request | None = None) -> str:
    """Submit by arXiv id or URL; a paper not stored yet is queued for fetching from arXiv (``request``:
    whose fetch allowance it uses; None for the operator's CLI)."""
    paper_id = resolve_paper_id(text)
    if paper_id is None:
        raise CommunityError(f"{text.strip()[:100]!r} is not an arXiv id or URL (e.g. 2501.01234)")
    if site.on_demand is None:
        found = _stored_or_missing(site, paper_id)
    else:  # answers "stored" at once for a stored paper
        found = site.on_demand.request(paper_id, site.fetch_allowed(request))
    if found != "stored":
        error = {"missing": NotFound, "queued": Pending}.get(found, Busy)
        raise error(SAY[found].format(id=paper_id))
    with site.engine.begin() as conn:
        submissions.submit(conn, paper_id, user)
    return paper_id


@router.post("/submit")
async def submit_post(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    try:
        paper_id = await run_in_threadpool(submit_paper, site, user, form.get("paper", ""), request)
    except CommunityError as exc:
        site.flash(request, str(exc), "info" if isinstance(exc, Pending) else "error")
        return site.page(request, "submit.html", status_code=exc.status, value=form.get("paper", ""))
    site.flash(request, "Submitted to today's daily papers.")
    return RedirectResponse(f"/papers/{paper_id}", status_code=303)


@router.post("/upvote")
async def upvote_post(request: Request) -> Response:
    site = site_of(request)
    form = await site.form(request)
    user = site.viewer(request)
    if user is None:
        return RedirectResponse("/signin", status_code=303)
    await site.limited(("write", str(user.id)))
    paper_id = form.get("paper", "")
    with site.engine.begin() as conn:
        if form.get("undo"):
            votes.remove_upvote(conn, paper_id, user.id)
        else:
            votes.upvote(conn, paper_id, user.id)
    return site.back(request, f"/papers/{paper_id}")


@router.post("/comment")
async def comment_post(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    paper_id = form.get("paper", "")
    with site.engine.begin() as conn:
        posted = comments.add_comment(conn, paper_id, user, form.get("body", ""))
    return RedirectResponse(f"/papers/{paper_id}#comment-{posted.id}", status_code=303)


# --- collections ------------------------------------------------------------------------------------

@router.post("/collections")
async def collection_create(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    with site.engine.begin() as conn:
        cid = collections.create_collection(conn, user, form.get("name", ""), form.get("description", ""),
                                            public=form.get("public", "1") == "1")
        if form.get("paper"):
            collections.add_paper(conn, cid, user, form["paper"])
    return RedirectResponse(f"/collections/{cid}", status_code=303)


@router.post("/collections/{cid}/papers")
async def collection_change(request: Request, cid: CollectionId) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    with site.engine.begin() as conn:
        if form.get("remove"):
            collections.remove_paper(conn, cid, user, form.get("paper", ""))
        else:
            collections.add_paper(conn, cid, user, form.get("paper", ""))
    return site.back(request, f"/collections/{cid}")


def _collection(request: Request, cid: CollectionId):  # type: ignore[no-untyped-def]
    site = site_of(request)
    with site.engine.connect() as conn:
        found = collections.get_collection(conn, cid, site.viewer(request))
        entries = listing.entries_for(conn, list(found.paper_ids), _uid(site, request))
    return site, found, entries


@router.get("/collections/{cid}.bib")
def collection_bibtex(request: Request, cid: CollectionId) -> Response:
    _, _, entries = _collection(request, cid)
    return PlainTextResponse(bibtex_all(e.paper for e in entries),
                             media_type="application/x-bibtex; charset=utf-8")


@router.get("/collections/{cid}.json")
def collection_json(request: Request, cid: CollectionId) -> Response:
    _, found, entries = _collection(request, cid)
    body = {"id": found.id, "name": found.name, "description": found.description, "owner": found.owner,
            "papers": [to_json_dict(e.paper) for e in entries]}
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/collections/{cid}.atom")
def collection_atom(request: Request, cid: CollectionId) -> Response:
    site, found, entries = _collection(request, cid)
    return _atom(site, f"{found.name} (collection by {found.owner})", f"/collections/{cid}.atom",
                 f"/collections/{cid}", entries)


@router.get("/collections/{cid}")  # after the .bib/.json/.atom routes, which it would shadow
def collection_page(request: Request, cid: CollectionId) -> Response:
    site, found, entries = _collection(request, cid)
    return site.page(request, "collection.html", collection=found, entries=entries)


# --- Atom feeds -------------------------------------------------------------------------------------

def _atom(site: Site, title: str, feed_path: str, page_path: str, entries: list[Entry]) -> Response:
    base = site.config.base_url
    body = atom_feed(title=title, feed_url=base + feed_path, page_url=base + page_path, base_url=base,
                     entries=entries, now=dt.datetime.now(dt.UTC))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds/daily.atom")
def daily_atom(request: Request) -> Response:
    site = site_of(request)
    with site.engine.connect() as conn:
        latest = daily.latest_day(conn)
        entries = daily.daily_papers(conn, daily.DailyQuery(
            period=periods.week_of(latest) if latest else None, sort="publishedAt", limit=100)).entries
    return _atom(site, "Paperboard daily papers", "/feeds/daily.atom", "/", entries)


@router.get("/feeds/trending.atom")
def trending_atom(request: Request) -> Response:
    site = site_of(request)
    with site.engine.connect() as conn:
        entries = daily.daily_papers(conn, daily.DailyQuery(sort="trending", limit=50)).entries
    return _atom(site, "Paperboard trending papers", "/feeds/trending.atom", "/papers/trending", entries)


@router.get("/feeds/search.atom")
def search_atom(request: Request, q: str, category: str = "", author: str = "") -> Response:
    site = site_of(request)
    if not q.strip():
        raise HTTPException(400, "q is required: the search whose results the feed follows")
    result = run_search(site, q[:1000], limit=50, category=category or None, author=author or None,
                        sort="date")
    with site.engine.connect() as conn:
        entries = listing.entries_for(conn, [h.id for h in result.hits])
    return _atom(site, f"Paperboard search: {q[:100]}", str(request.url.path) + "?" + request.url.query,
                 "/search?" + request.url.query, entries)


@router.get("/favicon.ico")
def favicon() -> Response:  # for clients that ask before reading the page's <link rel="icon">
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/healthz")
async def health(request: Request) -> Response:  # on the event loop: answers even when every thread is busy
    """For monitors and operators: the database answers, the newest listing day, the last harvest, and
    how many stored papers the search index has not caught up with."""
    site = site_of(request)
    from ..worker import last_run

    with site.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        newest = listing.newest_day(conn)
        lag = count_changed_after(conn, site.search.watermark())
    harvest = last_run(site.engine, "harvest")
    body = {"status": "ok", "newest_listing_day": newest.isoformat() if newest else None,
            "last_harvest": harvest.as_dict() if harvest else None, "index_lag": lag}
    return Response(orjson.dumps(body), media_type="application/json")
