"""The website's pages (server-rendered HTML; every action is a plain form, so it works without JS)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError

from ..board import paper_id_of, threads
from ..cite import bibtex, bibtex_all, csl_json_all, markdown_page, ris_all
from ..clock import utcnow
from ..errors import NotFound, PaperboardError, Pending, Unavailable
from ..feeds import daily, listing, periods
from ..feeds.entries import Entry, Page
from ..filter_terms import feed_terms
from ..ids import category_spelling, is_arxiv_id
from ..ingest.on_demand import SAY
from ..models import to_json_dict
from ..search.facets import POOL, facets
from ..search.service import apply_corrections
from ..text import xml_safe
from .account_mail_pages import send_soon
from .atom import atom_feed
from .card import card_svg
from .faults import database_trouble, is_stale, listing_age
from .params import CollectionId, FeedFilter, PageNumber
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


router = APIRouter(include_in_schema=False)

# citation formats, by the suffix that asks for them: (render many papers, media type)
CITATIONS = {
    ".bib": (bibtex_all, "application/x-bibtex; charset=utf-8"),
    ".ris": (ris_all, "application/x-research-info-systems; charset=utf-8"),
    ".csl.json": (lambda papers: orjson.dumps(csl_json_all(papers)).decode(),
                  "application/vnd.citationstyles.csl+json"),
}


def _citation_suffix(text: str) -> tuple[str, str | None]:
    """("2501.01234", ".ris") from "2501.01234.ris"; (text, None) when it names no citation format."""
    for suffix in CITATIONS:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], suffix
    return text, None


def citations(suffix: str, entries: list[Entry]) -> Response:
    render, media_type = CITATIONS[suffix]
    return Response(render([e.paper for e in entries]), media_type=media_type)


# --- daily papers ------------------------------------------------------------------------------------

def _daily(request: Request, period: periods.Period | None, sort: str, page: int, *,
           trending: bool = False, has_code: bool = False, q: str = "") -> Response:
    site = site_of(request)
    board, viewer_id = site.board, _uid(site, request)
    if period is None and not trending:
        latest = board.latest_day()
        if latest is None:  # nothing submitted yet: the newest papers are the useful home page
            newest = board.new_papers(listing.ListingQuery(limit=PER_PAGE), viewer_id)
            if newest.day is None:
                return site.page(request, "empty.html")
            return site.page(request, "new.html", listing=newest, category=None, no_submissions=True)
        period = periods.day(latest)
    query = daily.DailyQuery(period=period, sort="trending" if trending else _sort(sort),  # type: ignore[arg-type]
                             page=_page_number(page), limit=PER_PAGE,
                             filters=feed_terms(q, has_code=has_code))
    result = board.daily(query, viewer_id)
    before, after = board.neighbours(period) if period else (None, None)
    return site.page(request, "daily.html", period=period, feed=result, sort=query.sort, previous=before,
                     next=after, trending=trending, has_code=has_code, q=q)


HasCode = Annotated[bool, Query(description="Only papers with a code repository.")]


@router.get("/")
def home(request: Request, sort: str = "upvotes", page: PageNumber = 1,
         has_code: HasCode = False, q: FeedFilter = "") -> Response:
    return _daily(request, None, sort, page, has_code=has_code, q=q)


@router.get("/papers/trending")
def trending(request: Request, page: PageNumber = 1, since: Annotated[str | None, Query(alias="from")] = None,
             until: str | None = None, has_code: HasCode = False, q: FeedFilter = "") -> Response:
    period = None
    if since or until:
        try:
            start = periods.parse("date", since).start if since else dt.date(1970, 1, 1)
            end = periods.parse("date", until).end if until else dt.date.today() + dt.timedelta(days=1)
        except periods.PeriodError as exc:
            raise HTTPException(400, str(exc)) from None
        period = periods.Period("date", start, end)
    return _daily(request, period, "trending", page, trending=True, has_code=has_code, q=q)


@router.get("/papers/{paper_id:path}/card.svg")
def paper_card(request: Request, paper_id: str) -> Response:
    """The paper's card as SVG (what the Hub's ``thumbnail`` was before the PNG ``card.png``)."""
    entry = site_of(request).board.entry(paper_id_of(paper_id) or paper_id)
    return Response(card_svg(entry.paper), media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                             "Cache-Control": "public, max-age=86400"})


@router.get("/papers/{kind}/{slug}")
def daily_period(request: Request, kind: str, slug: str, sort: str = "upvotes",
                 page: PageNumber = 1, has_code: HasCode = False, q: FeedFilter = "") -> Response:
    if kind not in ("date", "week", "month"):
        return paper_page(request, f"{kind}/{slug}")  # old-style arXiv ids hold a slash: hep-th/9901001
    slug, suffix = _citation_suffix(slug)
    try:
        period = periods.parse(kind, slug)
    except periods.PeriodError as exc:
        raise HTTPException(400, str(exc)) from None
    if suffix:  # the period's papers, as citations
        query = daily.DailyQuery(period=period, sort=_sort(sort), limit=500,
                                 filters=feed_terms(q, has_code=has_code))
        return citations(suffix, site_of(request).board.daily(query).entries)
    return _daily(request, period, sort, page, has_code=has_code, q=q)


# --- every paper, by listing day ---------------------------------------------------------------------

@router.get("/new")
def new(request: Request, day: str | None = None, category: str | None = None,
        page: PageNumber = 1, q: FeedFilter = "") -> Response:
    site = site_of(request)
    when = None
    if day:
        try:
            when = periods.parse("date", day).start
        except periods.PeriodError as exc:
            raise HTTPException(400, str(exc)) from None
    category = category_spelling(category) if (category or "").strip() else None
    query = listing.ListingQuery(when, category, _page_number(page), PER_PAGE, filters=feed_terms(q))
    result = site.board.new_papers(query, _uid(site, request))
    return site.page(request, "new.html", listing=result, category=category, q=q)


# --- search -----------------------------------------------------------------------------------------

@router.get("/search.bib")
@router.get("/search.ris")
@router.get("/search.csl.json")
def search_citations(request: Request, q: str, category: str = "", author: str = "",
                     since: Annotated[str, Query(alias="from")] = "", until: str = "",
                     sort: str = "relevance") -> Response:
    """A search's first hundred results, as citations."""
    site = site_of(request)
    if not q.strip():
        raise HTTPException(400, "q is required: the search whose results to export")
    result = site.search(request, q[:1000], limit=100, category=category or None, author=author or None,
                               since=since or None, until=until or None,
                               sort=sort if sort in ("relevance", "date", "upvotes") else "relevance")
    entries = site.board.entries([h.id for h in result.hits])
    return citations(_citation_suffix(request.url.path)[1] or ".bib", entries)


@router.get("/search")
async def search_page(request: Request, q: str = "", category: str = "", author: str = "",
                      since: Annotated[str, Query(alias="from")] = "", until: str = "",
                      sort: str = "relevance", page: PageNumber = 1, exact: bool = False,
                      recent: bool = False,
                      related: Annotated[str, Query(max_length=20_000)] = "") -> Response:
    """An arXiv id or URL opens the paper (queued for fetching from arXiv when it is not stored, with
    a short wait that holds no worker thread); anything else is searched."""
    site = site_of(request)
    wanted = paper_id_of(q.strip()[:1000])
    note = None
    if wanted:
        found = await site.board.aask(wanted, site.fetch_allowed(request))
        if found == "stored":
            return RedirectResponse(f"/papers/{wanted}", status_code=303)
        note = SAY[found].format(id=wanted)
    if related.strip() and not q.strip():  # "paste an abstract": the papers nearest to it
        return await run_in_threadpool(_related_page, request, related)
    response = await run_in_threadpool(_search_page, request, q, category, author, since, until, sort, page,
                                       note, exact, recent)
    if note:  # a fetch under way, or this client's own limit: never the page cache's answer to others
        response.headers["Cache-Control"] = "no-store"
    return response


def _search_context(**given: Any) -> dict[str, Any]:
    """What the search page shows, empty where ``given`` says nothing."""
    return {"q": "", "category": "", "author": "", "since": "", "until": "", "sort": "relevance", "page": 1,
            "hits": [], "corrected": {}, "more": False, "fetch_note": None, "exact": False, "shown_query": "",
            "recent": False, "related": "", "found": 0, "facets": {}, "building": None, **given}


def _related_page(request: Request, text: str) -> Response:
    site = site_of(request)
    hits = site.board.similar(text=xml_safe(text), limit=20)
    return site.page(request, "search.html", **_search_context(hits=hits, related=text))


def _search_page(request: Request, q: str, category: str, author: str, since: str, until: str, sort: str,
                 page: int, note: str | None, exact: bool = False, recent: bool = False) -> Response:
    site = site_of(request)
    q = q.strip()[:1000]
    page = min(max(page, 1), SEARCH_PAGES)
    context = _search_context(q=q, category=category, author=author, since=since, until=until,
                              sort=sort if sort in ("relevance", "date", "upvotes") else "relevance",
                              page=page, fetch_note=note, exact=exact, recent=recent)
    if not q:
        return site.page(request, "search.html", **context)
    context["building"] = site.board.search_building()
    try:
        result = site.search(request, q, limit=max(page * SEARCH_PER_PAGE + 1, POOL),
                             category=category or None, since=since or None, until=until or None,
                             author=author or None, sort=context["sort"], correct=not exact, recent=recent)
    except PaperboardError as exc:  # a query that cannot be run (400), or an index that cannot (503)
        context["error"] = str(exc)
        return site.page(request, "search.html", status_code=exc.status, **context)
    hits = result.hits[(page - 1) * SEARCH_PER_PAGE:]
    pool = result.hits[:POOL]
    context.update(hits=hits[:SEARCH_PER_PAGE], more=len(hits) > SEARCH_PER_PAGE and page < SEARCH_PAGES,
                   corrected=result.corrected, shown_query=apply_corrections(q, result.corrected),
                   found=len(pool),
                   facets=facets([h.categories for h in pool], [h.published for h in pool], q))
    return site.page(request, "search.html", **context)


# --- a paper ----------------------------------------------------------------------------------------

def paper_page(request: Request, raw_id: str) -> Response:
    site = site_of(request)
    raw_id, fmt = _citation_suffix(raw_id)
    for suffix in (".md", ".json"):
        if fmt is None and raw_id.endswith(suffix):
            raw_id, fmt = raw_id[: -len(suffix)], suffix
    paper_id = paper_id_of(raw_id) or raw_id
    board, viewer = site.board, site.viewer(request)
    entry = board.entry(paper_id, viewer.id if viewer else None)
    if paper_id != raw_id and fmt is None:
        return RedirectResponse(f"/papers/{paper_id}", status_code=301)
    if fmt == ".md":
        text = markdown_page(entry.paper, upvotes=entry.upvotes, comments=entry.comments,
                             base_url=site.config.base_url)
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
    if fmt in CITATIONS:
        return citations(fmt, [entry])
    if fmt == ".json":
        return Response(orjson.dumps(to_json_dict(entry.paper)), media_type="application/json")
    said = board.comments(paper_id)
    mine = board.collections_of(viewer, viewer) if viewer else []
    try:
        similar = board.similar(paper_id, limit=6)
    except (NotFound, Unavailable):  # not indexed yet, or the index cannot be read now
        similar = []
    can_set_links = viewer is not None and (viewer.username in entry.verified.values() or (
        entry.submitter_local and entry.submitter == viewer.username))
    return site.page(request, "paper.html", entry=entry, paper=entry.paper, comments=said,
                     can_set_links=can_set_links,
                     threads=threads(said), similar=similar,
                     bibtex=bibtex(entry.paper), my_collections=mine, arxiv_id=is_arxiv_id(entry.paper.id))


@router.get("/papers/{paper_id:path}")
def paper_route(request: Request, paper_id: str) -> Response:
    return paper_page(request, paper_id)


@router.get("/authors/{name:path}")
def author_page(request: Request, name: str, page: PageNumber = 1) -> Response:
    site = site_of(request)
    viewer = site.viewer(request)
    result = site.board.author(name, page=_page_number(page), limit=PER_PAGE,
                               viewer_id=viewer.id if viewer else None)
    following = viewer is not None and site.board.is_following(viewer, name)
    people = site.board.namesakes(name) if page == 1 else []
    shown = [pid for person in people for pid in person.paper_ids[:3]]
    titles = {e.paper.id: e.paper.title for e in site.board.entries(shown)}
    return site.page(request, "author.html", name=name, feed=result, following=following, people=people,
                     titles=titles)


@router.get("/users/{username}")
def user_page(request: Request, username: str, page: PageNumber = 1) -> Response:
    site = site_of(request)
    board, viewer = site.board, site.viewer(request)
    user = board.user(username)
    query = daily.DailyQuery(submitter_id=user.id, sort="publishedAt", page=_page_number(page),
                             limit=PER_PAGE)
    submitted = board.daily(query, viewer.id if viewer else None)
    kept = board.collections_of(user, viewer)
    own = viewer is not None and viewer.id == user.id
    claims = [c for c in board.claims_of(user) if c.status != "confirmed"] if own else []
    return site.page(request, "user.html", user=user, feed=submitted, collections=kept,
                     authored=board.authored(user), claims=claims)


# --- writing: submit, upvote, comment ---------------------------------------------------------------

@router.post("/comments/{comment_id}/edit")
async def comment_edit(request: Request, comment_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    paper_id = await run_in_threadpool(site.board.edit_comment, comment_id, user, form.get("body", ""))
    return RedirectResponse(f"/papers/{paper_id}#comment-{comment_id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
async def comment_delete(request: Request, comment_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    site = site_of(request)
    _, user = await site.write_form(request)
    paper_id = await run_in_threadpool(site.board.delete_comment, comment_id, user)
    site.flash(request, "Comment deleted.")
    return RedirectResponse(f"/papers/{paper_id}#comments", status_code=303)


@router.get("/submit")
def submit_form(request: Request) -> Response:
    site = site_of(request)
    if site.viewer(request) is None:
        return RedirectResponse("/signin?next=/submit", status_code=303)
    return site.page(request, "submit.html")


@router.post("/submit")
async def submit_post(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    try:
        paper_id = await run_in_threadpool(site.board.submit, user, form.get("paper", ""),
                                           site.fetch_allowed(request))
    except PaperboardError as exc:
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
        if site.in_place(request):
            raise HTTPException(401, "sign in to upvote")
        return RedirectResponse("/signin", status_code=303)
    await site.limited(("write", str(user.id)))
    paper_id, up = form.get("paper", ""), not form.get("undo")
    count = await run_in_threadpool(lambda: site.board.vote(paper_id, user, up=up))
    return site.done(request, {"paper": paper_id, "upvotes": count, "upvoted": up}, None,
                     f"/papers/{paper_id}")


@router.post("/comment")
async def comment_post(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    paper_id = form.get("paper", "")
    reply_to = form.get("reply_to", "")
    # an INTEGER on PostgreSQL too, in ASCII digits (superscripts and other scripts are digits to Python)
    if reply_to and not re.fullmatch(r"[0-9]{1,9}", reply_to):
        raise HTTPException(400, "reply_to is the number of a comment")
    posted = site.board.comment(paper_id, user, form.get("body", ""),
                                reply_to=int(reply_to) if reply_to else None)
    if site.in_place(request):  # the script puts the comment in place: its HTML, and the new count
        response: Response = JSONResponse(
            {"id": posted.id, "html": site.fragment(request, "comment_fragment.html", comment=posted),
             "count": len(site.board.comments(posted.paper_id)), "message": "Your comment is posted."},
            headers={"Cache-Control": "no-store"})
    else:
        response = RedirectResponse(f"/papers/{paper_id}#comment-{posted.id}", status_code=303)
    return send_soon(site, response) if reply_to else response  # a reply may owe its thread a mail


# --- authorship and links ---------------------------------------------------------------------------

@router.post("/papers/claim")
async def claim_post(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    paper_id = form.get("paper", "")
    done = await run_in_threadpool(site.board.claim_authorship, paper_id, form.get("author", ""), user)
    site.flash(request, f"You are now a verified author of this paper, as {done.author_name}."
               if done.status == "confirmed" else
               f"Your claim to be {done.author_name} is waiting for an administrator.")
    return RedirectResponse(f"/papers/{paper_id}", status_code=303)


@router.post("/papers/links")
async def links_post(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    paper_id = form.get("paper", "")
    await run_in_threadpool(site.board.set_links, paper_id, user,
                            {"code": form.get("code", ""), "project": form.get("project", "")})
    author = user.username in site.board.entry(paper_id).verified.values()
    site.flash(request, "Links saved." if author else "Saved as your suggestion: only a verified author sets "
                                                      "a paper's links.")
    return RedirectResponse(f"/papers/{paper_id}", status_code=303)


@router.get("/claims")
def claims_page(request: Request) -> Response:
    site = site_of(request)
    viewer = site.require_viewer(request)
    if not viewer.is_admin:
        raise HTTPException(403, "only administrators see authorship claims")
    return site.page(request, "claims.html", claims=site.board.pending_claims())


@router.post("/claims/{claim_id}")
async def claim_decide(request: Request, claim_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    if form.get("decision") not in ("confirm", "refuse"):
        raise HTTPException(400, "decision is confirm or refuse")
    done = await run_in_threadpool(lambda: site.board.decide_claim(claim_id, user,
                                                                   confirm=form["decision"] == "confirm"))
    site.flash(request, f"{done.username} as {done.author_name} on {done.paper_id}: {done.status}.")
    return RedirectResponse("/claims", status_code=303)


# --- collections ------------------------------------------------------------------------------------

@router.post("/collections")
async def collection_create(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    cid = site.board.create_collection(user, form.get("name", ""), form.get("description", ""),
                                       public=form.get("public", "1") == "1",
                                       papers=[form["paper"]] if form.get("paper") else [])
    return RedirectResponse(f"/collections/{cid}", status_code=303)


@router.post("/collections/{cid}/papers")
async def collection_change(request: Request, cid: CollectionId) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    paper_id, remove = form.get("paper", ""), bool(form.get("remove"))
    site.board.collect(cid, user, paper_id, remove=remove)
    return site.done(request, {"paper": paper_id, "collection": cid, "saved": not remove},
                     "Taken out of the collection." if remove else "Saved to the collection.",
                     f"/collections/{cid}")


@router.post("/save")
async def save(request: Request) -> Response:
    """A card's Save button: into the reader's private Saved collection, or out of all theirs."""
    site = site_of(request)
    form, user = await site.write_form(request)
    paper_id = form.get("paper", "")
    saved = site.board.save(user, paper_id, remove=bool(form.get("remove")))
    return site.done(request, {"paper": paper_id, "saved": saved},
                     "Saved (in your library)." if saved else "No longer saved.", f"/papers/{paper_id}")


@router.post("/collections/{cid}/edit")
async def collection_edit(request: Request, cid: CollectionId) -> Response:
    """Rename, describe, make public or private."""
    site = site_of(request)
    form, user = await site.write_form(request)
    await run_in_threadpool(lambda: site.board.edit_collection(
        cid, user, name=form.get("name", ""), description=form.get("description", ""),
        public=form.get("public") == "1", digest=form.get("digest") == "1"))
    site.flash(request, "Collection saved.")
    return RedirectResponse(f"/collections/{cid}", status_code=303)


@router.post("/collections/{cid}/delete")
async def collection_delete(request: Request, cid: CollectionId) -> Response:
    site = site_of(request)
    _, user = await site.write_form(request)
    await run_in_threadpool(site.board.delete_collection, cid, user)
    site.flash(request, "Collection deleted; its papers stay on the site.")
    return RedirectResponse(f"/users/{user.username}", status_code=303)


@router.post("/collections/{cid}/import")
async def collection_import(request: Request, cid: CollectionId) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    upload = (await request.form()).get("file")  # the form is read once and kept: the same body
    text = form.get("references", "")
    if upload is not None and not isinstance(upload, str):
        raw = await upload.read()
        if raw.strip():
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise HTTPException(400, "the file is not text (UTF-8)") from None
    if not text.strip():
        raise HTTPException(400, "choose a file or paste references to import")
    done = await run_in_threadpool(site.board.import_references, cid, user, xml_safe(text), None,
                                   allowed=site.fetch_allowed(request))
    site.flash(request, imported_message(done), "error" if not (done.added or done.already or done.queued)
               else "info")
    return RedirectResponse(f"/collections/{cid}", status_code=303)


def imported_message(done) -> str:  # type: ignore[no-untyped-def]
    said = [f"Added {len(done.added)} paper{'s' * (len(done.added) != 1)}."]
    if done.already:
        said.append(f"{len(done.already)} were already in the collection.")
    if done.queued:
        said.append(f"{len(done.queued)} are being fetched from arXiv: import the same list again in a "
                    "minute to add them.")
    if done.not_found:
        said.append(f"Not found on arXiv: {', '.join(done.not_found[:10])}"
                    + (" ..." if len(done.not_found) > 10 else "") + ".")
    if done.problems:
        said.append(f"{len(done.problems)} entries name no arXiv paper ({'; '.join(done.problems[:3])}"
                    + ("; ..." if len(done.problems) > 3 else "") + ").")
    return " ".join(said)


COLLECTION_PAGE = 50  # papers on a collection's page and in a page of its JSON


def _collection(request: Request, cid: CollectionId, page: int | None = None):  # type: ignore[no-untyped-def]
    site = site_of(request)
    found, entries = site.board.collection(cid, site.viewer(request), page=page, limit=COLLECTION_PAGE)
    return site, found, entries


@router.get("/collections/{cid}.bib")
@router.get("/collections/{cid}.ris")
@router.get("/collections/{cid}.csl.json")
def collection_citations(request: Request, cid: CollectionId) -> Response:
    _, _, entries = _collection(request, cid)
    return citations(_citation_suffix(request.url.path)[1] or ".bib", entries)


@router.get("/collections/{cid}.json")
def collection_json(request: Request, cid: CollectionId, page: PageNumber = 1) -> Response:
    """A page of the collection's papers (``next``: the following page's address, null on the last)."""
    _, found, entries = _collection(request, cid, page - 1)
    total = len(found.paper_ids)
    after = f"/collections/{cid}.json?page={page + 1}" if page * COLLECTION_PAGE < total else None
    body = {"id": found.id, "name": found.name, "description": found.description, "owner": found.owner,
            "total": total, "page": page, "next": after, "papers": [to_json_dict(e.paper) for e in entries]}
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/collections/{cid}.atom")
def collection_atom(request: Request, cid: CollectionId) -> Response:
    site, found, entries = _collection(request, cid, 0)  # the first page, as every feed here
    return _atom(site, f"{found.name} (collection by {found.owner})", f"/collections/{cid}.atom",
                 f"/collections/{cid}", entries)


@router.get("/collections/{cid}")  # after the .bib/.json/.atom routes, which it would shadow
def collection_page(request: Request, cid: CollectionId, page: PageNumber = 1) -> Response:
    site, found, entries = _collection(request, cid, page - 1)
    pages = Page(entries, len(found.paper_ids), page - 1, COLLECTION_PAGE)
    return site.page(request, "collection.html", collection=found, entries=entries, feed=pages)


# --- Atom feeds -------------------------------------------------------------------------------------

def _atom(site: Site, title: str, feed_path: str, page_path: str, entries: list[Entry]) -> Response:
    base = site.config.base_url
    body = atom_feed(title=title, feed_url=base + feed_path, page_url=base + page_path, base_url=base,
                     entries=entries, now=utcnow())
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds/daily.atom")
def daily_atom(request: Request, q: FeedFilter = "") -> Response:
    site = site_of(request)
    latest = site.board.latest_day()
    query = daily.DailyQuery(period=periods.week_of(latest) if latest else None, sort="publishedAt",
                             limit=100, filters=feed_terms(q))
    entries = site.board.daily(query).entries
    if q.strip():
        return _atom(site, f"Paperboard daily papers: {q[:100]}", f"/feeds/daily.atom?q={quote(q)}",
                     f"/?q={quote(q)}", entries)
    return _atom(site, "Paperboard daily papers", "/feeds/daily.atom", "/", entries)


@router.get("/feeds/trending.atom")
def trending_atom(request: Request, has_code: HasCode = False, q: FeedFilter = "") -> Response:
    site = site_of(request)
    entries = site.board.daily(daily.DailyQuery(sort="trending", limit=50,
                                                filters=feed_terms(q, has_code=has_code))).entries
    if has_code:
        return _atom(site, "Paperboard trending papers with code", "/feeds/trending.atom?has_code=true",
                     "/papers/trending?has_code=true", entries)
    return _atom(site, "Paperboard trending papers", "/feeds/trending.atom", "/papers/trending", entries)


@router.get("/feeds/authors/{name:path}.atom")
def author_atom(request: Request, name: Annotated[str, Path(max_length=300)]) -> Response:
    """An author's newest papers (by how the name is written), for a feed reader."""
    site = site_of(request)
    entries = site.board.author(name, limit=50).entries
    return _atom(site, f"Paperboard: papers by {name[:100]}", f"/feeds/authors/{quote(name)}.atom",
                 f"/authors/{quote(name)}", entries)


@router.get("/feeds/search.atom")
def search_atom(request: Request, q: str, category: str = "", author: str = "") -> Response:
    site = site_of(request)
    if not q.strip():
        raise HTTPException(400, "q is required: the search whose results the feed follows")
    result = site.search(request, q[:1000], limit=50, category=category or None, author=author or None,
                               sort="date")
    entries = site.board.entries([h.id for h in result.hits])
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

    now = int(time.time())
    try:  # a write that changes a page: a read-only or full disk fails it (reads alone said "ok")
        site.limiter.counts.hit("healthz", "write probe", now - now % 60, now - now % 60 - 60, now + 120, now)
    except DBAPIError as exc:
        body = {"status": "failing", "database": database_trouble(exc)}
        return Response(orjson.dumps(body), status_code=503, media_type="application/json",
                        headers={"Cache-Control": "no-store"})
    newest = site.board.newest_day()  # fails when the database does not answer
    lag = site.board.index_lag()
    harvest = last_run(site.engine, "harvest")
    problem = site.board.search_problem()  # the rest of the site works meanwhile: degraded, not down
    age = listing_age(newest, utcnow().date())
    stale = is_stale(age, site.config.stale_after)  # nothing new for days: a monitor should say so
    body = {"status": "degraded" if problem else "stale" if stale else "ok",
            "newest_listing_day": newest.isoformat() if newest else None, "newest_listing_age_days": age,
            "stale": stale, "stale_after_days": site.config.stale_after,
            "last_harvest": harvest.as_dict() if harvest else None, "index_lag": lag,
            "search": problem or "ok", "semantic_index": _share(site.board.index.semantic_share())}
    return Response(orjson.dumps(body), status_code=503 if stale else 200, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _share(share: float | None) -> float | None:
    """How much of the index has its vectors, to the percent (None while the index cannot be read)."""
    return None if share is None else round(share, 2)


@router.get("/livez")
async def live(request: Request) -> Response:
    """For load balancers: the process answers and the database reads (a stale or degraded site still
    serves its pages; /healthz says what is wrong)."""
    site_of(request).board.newest_day()  # a database that does not answer is a 503 (app.database_down)
    return Response(b'{"status":"live"}', media_type="application/json",
                    headers={"Cache-Control": "no-store"})
