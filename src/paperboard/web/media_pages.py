"""The site's pictures: each paper's thumbnail (its rendered first page, or a generated cover until
there is one), its social preview (a PNG made once and kept), and each account's face (an upload,
re-encoded, or an identicon). Generated SVG is served with a policy that lets it run nothing."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from .. import images
from ..board import paper_id_of
from ..models import Paper
from .card import byline_and_facts
from .site import site_of

router = APIRouter(include_in_schema=False)

SVG_POLICY = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
DAY = 86400


def _picture(request: Request, data: bytes, media_type: str, max_age: int) -> Response:
    """``data`` with an ETag, so a browser that has it is answered 304 without the bytes."""
    tag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}",
               **(SVG_POLICY if media_type == "image/svg+xml" else {})}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


def _paper(request: Request, paper_id: str) -> Paper:
    """The stored paper (one query: a feed page asks for thirty thumbnails at once); 404 otherwise."""
    return site_of(request).board.media.paper(paper_id_of(paper_id) or paper_id)


@router.get("/papers/{paper_id:path}/thumbnail")
def thumbnail(request: Request, paper_id: str) -> Response:
    """The first page, once the worker rendered it; a generated cover until then (kept an hour, so
    the page replaces it soon after it exists)."""
    png = site_of(request).board.media.thumbnail(paper_id_of(paper_id) or paper_id)
    if png:
        return _picture(request, png, "image/png", 7 * DAY)
    paper = _paper(request, paper_id)
    cover = images.cover_svg(paper.id, paper.title, paper.primary_category)
    return _picture(request, cover.encode(), "image/svg+xml", 3600)


@router.get("/papers/{paper_id:path}/card.png")
async def preview(request: Request, paper_id: str) -> Response:
    """The OpenGraph image of the paper's page: made on the first request, then kept beside the paper
    (made again only after the paper changes). Making one costs a tenth of a second, so a client may
    have only so many made a minute."""
    site = site_of(request)
    paper = await run_in_threadpool(_paper, request, paper_id)

    media = site.board.media
    png = await run_in_threadpool(media.preview, paper)
    if png is None:
        await site.limited(("preview", site.client_address(request)))
        byline, facts = byline_and_facts(paper)
        png = await run_in_threadpool(media.preview, paper, lambda: images.preview_png(paper.title, byline,
                                                                                        facts))
    assert png is not None
    return _picture(request, png, "image/png", DAY)


@router.get("/users/{username}/avatar")
def avatar(request: Request, username: str) -> Response:
    """The account's uploaded face, or its identicon (also for a name with no account: a deleted one's
    comments keep a face, and the answer says nothing about which names exist)."""
    png = site_of(request).board.media.avatar(username)
    if png:
        return _picture(request, png, "image/png", 3600)
    return _picture(request, images.identicon_svg(username).encode(), "image/svg+xml", DAY)


@router.post("/account/avatar")
async def upload_avatar(request: Request) -> Response:
    """Upload a face (PNG, JPEG, GIF or WebP up to 900 kB; stored re-encoded as a 128-pixel PNG), or take
    it away (``remove``)."""
    site = site_of(request)
    form = await site.form(request)
    user = site.require_viewer(request)
    await site.limited(("write", str(user.id)))
    upload = (await request.form()).get("picture")  # the form parsed (and its CSRF checked) above
    try:
        if form.get("remove"):
            await run_in_threadpool(site.board.media.remove_avatar, user)
            site.flash(request, "Your picture is gone: the site shows your pattern again.")
        else:
            data = await upload.read(images.MAX_AVATAR_BYTES + 1) if hasattr(upload, "read") else b""
            png = await run_in_threadpool(images.avatar_png, data)
            await run_in_threadpool(site.board.media.set_avatar, user, png)
            site.flash(request, "Your picture is saved.")
    except images.ImageError as exc:
        raise HTTPException(400, f"That picture was refused: {exc}.") from None
    return RedirectResponse("/account#picture", status_code=303)
