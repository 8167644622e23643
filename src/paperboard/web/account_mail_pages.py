"""An account's address on the site: confirming it, a forgotten password (reset by a link sent to it),
changing it, and mail on replies (on or off, and off in one click from any such mail).

The reset form answers every address alike, so it tells nobody which addresses have accounts; it is
limited per client, and each address gets at most one mail per ``mail`` window whoever asks."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from ..addresses import AddressError
from ..services.accounts import Address, CommunityError, LinkError, User
from .site import Site, site_of

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def send_soon(site: Site, response: Response) -> Response:
    """Deliver what was just queued right after the answer (the mail job retries what fails)."""
    response.background = BackgroundTask(site.board.digests.deliver_quietly)
    return response


def may_mail(site: Site, kind: str, address: str) -> bool:
    """Whether ``address`` may be sent a ``kind`` mail now (one per ``mail`` window, whoever asks)."""
    return site.limiter.retry_after("mail", f"{kind}|{address.lower()}") is None


def queue_mail(site: Site, user_id: int, kind: str) -> None:
    site.board.accounts.queue_mail(user_id, kind)


# --- a forgotten password ------------------------------------------------------------------------------

@router.get("/reset")
def reset_form(request: Request) -> Response:
    return site_of(request).page(request, "reset.html", step="ask")


@router.post("/reset")
async def reset_ask(request: Request) -> Response:
    site = site_of(request)
    form = await site.form(request)
    await site.limited(("reset", site.client_address(request)))
    email = form.get("email", "").strip()

    def ask() -> bool:
        allowed = may_mail(site, "reset", email)  # counted for every address: the same work for all
        user_id = site.board.accounts.user_with_address(email)
        if user_id is None or not allowed:
            return False
        queue_mail(site, user_id, "reset")
        return True

    queued = await run_in_threadpool(ask)
    response = site.page(request, "reset.html", step="sent", email=email)
    return send_soon(site, response) if queued else response


def _checked_link(site: Site, purpose: str, token: str) -> Address:
    try:
        return site.board.accounts.read_link(purpose, token)
    except LinkError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/reset/confirm")
def reset_choose(request: Request, token: str = "") -> Response:
    """The form for a new password. Opening the link changes nothing (mail scanners open links)."""
    site = site_of(request)
    address = _checked_link(site, "reset", token)
    response = site.page(request, "reset.html", step="choose", token=token, username=address.username)
    response.headers.update(NO_STORE)
    return response


@router.post("/reset/confirm")
async def reset_done(request: Request) -> Response:
    """The new password ends every session and API token of the account; this browser is signed in."""
    site = site_of(request)
    form = await site.form(request)
    await site.limited(("reset", site.client_address(request)))
    token, new = form.get("token", ""), form.get("password", "")

    def reset() -> User:
        if new != form.get("password2", new):
            raise CommunityError("the two passwords differ")
        user = site.board.accounts.reset_password(token, new)
        site.sign_in(request, user)
        return user

    try:
        user = await run_in_threadpool(reset)
    except LinkError as exc:
        raise HTTPException(400, str(exc)) from None
    except CommunityError as exc:
        site.flash(request, str(exc), "error")
        return site.page(request, "reset.html", status_code=400, step="choose", token=token, username="")
    site.flash(request, f"Your password is changed, {user.username}; every other session is signed out "
                        "and every API token revoked.")
    return RedirectResponse("/account", status_code=303)


# --- the address -----------------------------------------------------------------------------------------

@router.get("/account/verify")
def verify(request: Request, token: str = "") -> Response:
    site = site_of(request)
    try:
        address = site.board.accounts.verify(token)
    except LinkError as exc:
        raise HTTPException(400, str(exc)) from None
    site.flash(request, f"Thank you: {address.email} is confirmed as the address of {address.username}.")
    return RedirectResponse("/account#mail" if site.viewer(request) else "/signin?next=/account",
                            status_code=303)


@router.post("/account/email")
async def change_email(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    await site.limited(("signin_account", user.username.lower()))  # the password is a guess too

    try:
        new = await run_in_threadpool(site.board.accounts.change_address, user, form.get("email"),
                                      form.get("password", ""))
    except (CommunityError, AddressError) as exc:
        site.flash(request, str(exc), "error")
        return RedirectResponse("/account#mail", status_code=303)
    site.flash(request, f"A link to confirm it is on its way to {new}." if new
               else "Your address is removed.")
    return send_soon(site, RedirectResponse("/account#mail", status_code=303))


@router.post("/account/email/resend")
async def resend_verification(request: Request) -> Response:
    site = site_of(request)
    _, user = await site.write_form(request)

    def resend() -> str | None:
        address = site.board.accounts.address_of(user)
        if address is None or not address.email or address.verified:
            return None
        if may_mail(site, "verify", address.email):
            queue_mail(site, user.id, "verify")
        return address.email

    email = await run_in_threadpool(resend)
    site.flash(request, f"A link to confirm {email} is on its way (at most one every ten minutes)." if email
               else "There is no unconfirmed address to confirm.")
    return send_soon(site, RedirectResponse("/account#mail", status_code=303))


# --- mail on replies ---------------------------------------------------------------------------------

@router.post("/account/replies")
async def reply_mail(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    on = form.get("on") == "1"
    site.board.accounts.set_reply_mail(user.id, on)
    said = ("You will get a mail when someone replies to your comments (once your address is confirmed)."
            if on else "No more mail on replies.")
    return site.done(request, {"on": on}, said, "/account#mail")


@router.get("/account/replies/off")
def replies_off_page(request: Request, token: str = "") -> Response:
    site = site_of(request)
    address = _checked_link(site, "replies-off", token)
    return site.page(request, "replies_off.html", token=token, email=address.email)


@router.post("/account/replies/off")
async def replies_off(request: Request, token: str = "") -> Response:
    """One click, no sign-in: the signed link is the authority (RFC 8058 POSTs carry no CSRF token)."""
    site = site_of(request)
    address = _checked_link(site, "replies-off", token)
    site.board.accounts.set_reply_mail(address.user_id, False)
    if "List-Unsubscribe=One-Click" in (await request.body()).decode("latin-1"):
        return PlainTextResponse("unsubscribed")
    return site.page(request, "replies_off.html", done=True, email=address.email)
