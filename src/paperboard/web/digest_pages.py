"""Digest subscription on the site: subscribe (double opt-in), confirm, preferences and one-click
unsubscribe by signed links (no account needed), and a preview of a digest in the browser."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from ..digest import notices, tokens
from ..digest import subscribers as store
from ..digest.compose import Links, compose
from ..digest.editions import edition
from ..digest.picks import Personalizer
from ..digest.preferences import PreferenceError, Preferences, normalize_email, split_terms, split_topics
from ..digest.sender import digest_parts
from ..feeds import periods
from ..feeds.daily import latest_day
from ..feeds.listing import newest_day
from .site import Site, site_of

router = APIRouter(include_in_schema=False)


def _subscriber(site: Site, purpose: str, token: str) -> store.Subscriber:
    try:
        subscriber_id, email = tokens.read(site.config.signing_key(), purpose, token)
    except tokens.LinkError as exc:
        raise HTTPException(400, str(exc)) from None
    with site.engine.connect() as conn:
        found = store.get(conn, subscriber_id)
    if found is None or found.email != email:
        raise HTTPException(404, "this subscription no longer exists")
    return found


def _preferences(form: dict[str, str], base: Preferences | None = None) -> Preferences:
    try:
        return Preferences(
            frequency=form.get("frequency", "daily"), keywords=split_topics(form.get("keywords", "")),
            exclude=split_terms(form.get("exclude", "")), categories=split_terms(form.get("categories", "")),
            authors=split_terms(form.get("authors", "")), max_count=int(form.get("max_count") or 10),
            threshold=float(form.get("threshold") or 0), send_empty=form.get("send_empty") == "1",
            trending=form.get("trending", "1") == "1")
    except ValueError as exc:
        raise PreferenceError(str(exc) if isinstance(exc, PreferenceError) else "numbers are expected for "
                              "the count and the threshold") from None


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
    try:
        prefs = _preferences(form)
        address = normalize_email(form.get("email", ""))
    except PreferenceError as exc:
        site.flash(request, str(exc), "error")
        return site.page(request, "subscribe.html", status_code=400, prefs=Preferences(),
                         email=form.get("email", ""))

    def record() -> bool:
        with site.engine.begin() as conn:
            existing = store.find(conn, address)
            subscriber = existing or store.add(conn, address, prefs)[0]
        if site.limiter.retry_after("mail", address) is not None:
            return False  # mailed a moment ago: the answer is the same, the inbox is spared
        with site.engine.begin() as conn:
            notices.queue(conn, subscriber, "manage" if existing and existing.confirmed else "confirm")
        return True

    queued = await run_in_threadpool(record)
    response = site.page(request, "subscribed.html", email=address)
    if queued:
        response.background = BackgroundTask(notices.deliver_quietly, site.engine, site.config)
    return response


@router.get("/subscribe/confirm")
def confirm(request: Request, token: str) -> Response:
    site = site_of(request)
    subscriber = _subscriber(site, "confirm", token)
    with site.engine.begin() as conn:
        store.confirm(conn, subscriber.id)
    manage = tokens.make(site.config.signing_key(), "manage", subscriber.id, subscriber.email)
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
        prefs = _preferences(form)
    except PreferenceError as exc:
        site.flash(request, str(exc), "error")
        return site.page(request, "preferences.html", status_code=400, subscriber=subscriber,
                         prefs=subscriber.preferences, token=token)
    with site.engine.begin() as conn:
        store.set_preferences(conn, subscriber.id, prefs)
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
    with site.engine.begin() as conn:
        store.link_account(conn, subscriber.id, viewer.id)
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
    try:
        subscriber_id, email = tokens.read(site.config.signing_key(), "unsubscribe", token)
    except tokens.LinkError as exc:
        raise HTTPException(400, str(exc)) from None
    with site.engine.begin() as conn:
        found = store.get(conn, subscriber_id)
        if found is not None and found.email == email:
            store.remove(conn, subscriber_id)
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
    if day is None:  # the newest edition with something in it: trending needs submissions
        with site.engine.connect() as conn:
            day = (None if token else latest_day(conn)) or newest_day(conn) or dt.date.today()
    personalizer = Personalizer(site.engine, site.board.index, edition(edition_kind, day))
    if token:
        subscriber = _subscriber(site, "manage", token)
        parts = digest_parts(site.config, personalizer, subscriber)
        if parts is None:
            return _mail_html("<p>Nothing to send in this edition with these preferences.</p>")
        return _mail_html(parts[0].html)
    base = site.config.base_url
    trending = personalizer.trending(Preferences(), set())
    links = Links(base, base + "/subscribe", base + "/subscribe")
    composed = compose(personalizer.edition, [], trending, links)
    return _mail_html(composed.html)


# Mail HTML is styled inline (mail clients ignore style sheets); the site's own policy forbids inline
# styles, so the preview gets one that allows them and still no script.
MAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


def _mail_html(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": MAIL_CSP})
