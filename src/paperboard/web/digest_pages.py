"""Digest subscription on the site: subscribe (double opt-in), confirm, preferences and one-click
unsubscribe by signed links (no account needed), and a preview of a digest in the browser."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from ..errors import PaperboardError
from ..feeds import periods
from ..services.digests import Preferences, Subscriber, form_preferences
from .site import Site, site_of

router = APIRouter(include_in_schema=False)


def _subscriber(site: Site, purpose: str, token: str) -> Subscriber:
    return site.board.digests.by_link(purpose, token)  # 400 for a bad link, 404 for one gone


@router.get("/subscribe")
def subscribe_form(request: Request) -> Response:
    return site_of(request).page(request, "subscribe.html", prefs=Preferences(), email="")


@router.post("/subscribe")
async def subscribe(request: Request) -> Response:
    """Every address gets the same answer, new or already subscribed, so the form tells nobody who is
    subscribed. A new address is stored unconfirmed and sent a confirmation link; an existing one is
    left exactly as it is (preferences change only by the signed link in a mail) and its owner is sent
    the link again. At most one such mail per address every ``mail`` window, whoever asks."""
    site = site_of(request)
    form = await site.form(request)
    await site.limited(("subscribe", site.client_address(request)))
    digests = site.board.digests
    try:
        prefs = form_preferences(form)
        address = digests.address(form.get("email", ""))
    except PaperboardError as exc:
        site.flash(request, str(exc), "error")
        return site.page(request, "subscribe.html", status_code=400, prefs=Preferences(),
                         email=form.get("email", ""))

    def may_mail(to: str) -> bool:  # mailed a moment ago: the answer is the same, the inbox is spared
        return site.limiter.retry_after("mail", to) is None

    queued = await run_in_threadpool(digests.ask, address, prefs, may_mail=may_mail)
    response = site.page(request, "subscribed.html", email=address)
    if queued:
        response.background = BackgroundTask(digests.deliver_quietly)
    return response


@router.get("/subscribe/confirm")
def confirm(request: Request, token: str) -> Response:
    site = site_of(request)
    subscriber = _subscriber(site, "confirm", token)
    manage = site.board.digests.confirm(subscriber)
    return site.page(request, "confirmed.html", subscriber=subscriber, manage_token=manage)


@router.get("/digest/preferences")
def preferences_form(request: Request, token: str) -> Response:
    site = site_of(request)
    subscriber = _subscriber(site, "manage", token)
    return site.page(request, "preferences.html", subscriber=subscriber, prefs=subscriber.preferences,
                     token=token)


@router.post("/digest/preferences")
async def preferences_save(request: Request, token: str) -> Response:
    site = site_of(request)
    form = await site.form(request)
    subscriber = _subscriber(site, "manage", token)
    try:
        prefs = form_preferences(form)
    except PaperboardError as exc:
        site.flash(request, str(exc), "error")
        return site.page(request, "preferences.html", status_code=400, subscriber=subscriber,
                         prefs=subscriber.preferences, token=token)
    site.board.digests.set_preferences(subscriber, prefs)
    site.flash(request, "Saved. The next digest follows your new preferences.")
    return RedirectResponse(f"/digest/preferences?token={token}", status_code=303)


@router.post("/digest/link")
async def link_account(request: Request, token: str) -> Response:
    """Let the signed-in account's upvotes and collections pick this subscriber's papers. It takes both
    proofs: the signed link from the address's mail and the account's own session (with CSRF)."""
    site = site_of(request)
    await site.form(request)
    viewer = site.require_viewer(request)
    subscriber = _subscriber(site, "manage", token)
    site.board.digests.link_account(subscriber, viewer.id)
    site.flash(request, f"Your picks now follow what {viewer.username} upvotes and saves.")
    return RedirectResponse(f"/digest/preferences?token={token}", status_code=303)


@router.get("/digest/unsubscribe")
def unsubscribe_page(request: Request, token: str) -> Response:
    site = site_of(request)
    subscriber = _subscriber(site, "unsubscribe", token)
    return site.page(request, "unsubscribe.html", subscriber=subscriber, token=token)


@router.post("/digest/unsubscribe")
async def unsubscribe(request: Request, token: str) -> Response:
    """One click, no sign-in: the signed token is the authority (RFC 8058 POSTs carry no CSRF token)."""
    site = site_of(request)
    email = site.board.digests.unsubscribe_by_link(token)
    if "List-Unsubscribe=One-Click" in (await request.body()).decode("latin-1"):
        return PlainTextResponse("unsubscribed")
    return site.page(request, "unsubscribed.html", email=email)


@router.get("/digest/preview")
def preview(request: Request, token: str | None = None, edition_kind: str = "daily",
            date: str | None = None) -> Response:
    """A digest as its HTML part, in the browser: the subscriber's own with a manage link's token,
    otherwise the edition's trending papers."""
    site = site_of(request)
    if edition_kind not in ("daily", "weekly"):
        raise HTTPException(400, "edition_kind is daily or weekly")
    try:
        day = periods.parse("date", date).start if date else None
    except periods.PeriodError as exc:
        raise HTTPException(400, str(exc)) from None
    subscriber = _subscriber(site, "manage", token) if token else None
    html = site.board.digests.preview_html(edition_kind, day, subscriber)
    return _mail_html(html if html is not None
                      else "<p>Nothing to send in this edition with these preferences.</p>")


# Mail HTML is styled inline (mail clients ignore style sheets); the site's own policy forbids inline
# styles, so the preview gets one that allows them and still no script.
MAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


def _mail_html(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": MAIL_CSP})
