"""The reader's library on the site: saved papers with notes, read marks and tags (a tag is one of the
reader's collections), searched and filtered, and exported whole as BibTeX, RIS, CSL-JSON, CSV or JSON."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ..foryou.library import as_csv
from .pages import CITATIONS
from .site import site_of

router = APIRouter(include_in_schema=False)
PRIVATE = {"Cache-Control": "private, no-store"}
Search = Annotated[str, Query(max_length=500, description="Words, phrases and filter terms.")]
Tag = Annotated[str, Query(max_length=200, description="Only the papers with this tag.")]


@router.get("/library")
def library_page(request: Request, q: Search = "", tag: Tag = "") -> Response:
    site = site_of(request)
    user = site.viewer(request)
    if user is None:
        return RedirectResponse("/signin?next=/library", status_code=303)
    everything = site.board.library(user)
    saved = site.board.library(user, q, tag, among=everything) if q or tag else everything
    tags = sorted({t for s in everything for t in s.collections}, key=str.lower)
    response = site.page(request, "library.html", saved=saved, q=q, tag=tag, tags=tags)
    response.headers.update(PRIVATE)
    return response


@router.post("/library/note")
async def library_note(request: Request) -> Response:
    """The reader's note on a paper (``note``) and/or its read mark (``read``: 1 or 0)."""
    site = site_of(request)
    form, user = await site.write_form(request)
    read = {"1": True, "0": False}.get(form.get("read", ""))
    note = form.get("note") if "note" in form else None
    paper = form.get("paper", "")
    await run_in_threadpool(lambda: site.board.annotate(user, paper, note=note, read=read))
    said = "Note saved." if note is not None else ("Marked read." if read else "Marked unread.")
    return site.done(request, {"paper": paper, "read": read}, said, "/library")


@router.post("/library/tags")
async def library_tags(request: Request) -> Response:
    """A saved paper's tags, comma-separated: it joins the reader's collections of those names (new
    ones private) and leaves their others."""
    site = site_of(request)
    form, user = await site.write_form(request)
    paper = form.get("paper", "")
    names = form.get("tags", "").split(",")
    tags = await run_in_threadpool(site.board.tag, user, paper, names)
    return site.done(request, {"paper": paper, "tags": list(tags)}, f"Tags: {', '.join(tags)}.", "/library")


EXPORTS = {**CITATIONS, ".csv": (None, "text/csv; charset=utf-8"), ".json": (None, "application/json")}


@router.get("/library{suffix}")
def library_export(request: Request, suffix: str, q: Search = "", tag: Tag = "") -> Response:
    """The library (or the papers of one tag, or those a search finds) as a file."""
    if suffix not in EXPORTS:
        raise HTTPException(404, f"the library is exported as {', '.join(EXPORTS)}")
    site = site_of(request)
    user = site.require_viewer(request)
    saved = site.board.library(user, q, tag)
    papers = site.board.stored_papers([s.paper_id for s in saved])
    items = [(s, papers[s.paper_id]) for s in saved if s.paper_id in papers]
    render, media_type = EXPORTS[suffix]
    if suffix == ".csv":
        body = as_csv(items)
    elif suffix == ".json":
        body = orjson.dumps([{"id": p.id, "title": p.title, "tags": list(s.collections), "read": s.read,
                              "note": s.note, "saved_at": s.saved_at.isoformat()} for s, p in items]).decode()
    else:
        body = render([p for _, p in items])
    name = quote(f"paperboard-library{'-' + tag if tag else ''}{suffix}", safe="")
    return Response(body, media_type=media_type, headers={
        **PRIVATE, "Content-Disposition": f"attachment; filename*=UTF-8''{name}"})
