"""Accounts on the site: sign up, sign in and out (argon2, server-side sessions, CSRF, rate limits),
sessions and API tokens on the account page, and a password change."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..services.accounts import CommunityError, User
from .account_mail_pages import send_soon
from .site import Site, site_of

router = APIRouter(include_in_schema=False)


def _next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith(("//", "/\\")) else "/"


@router.get("/signup")
def signup_form(request: Request, next: str = "/") -> Response:
    return site_of(request).page(request, "signup.html", next=_next(next))


@router.post("/signup")
async def signup_post(request: Request) -> Response:
    site = site_of(request)
    form = await site.form(request)
    await site.limited(("signup", site.client_address(request)))
    username, password = form.get("username", "").strip(), form.get("password", "")
    try:
        if password != form.get("password2", password):
            raise CommunityError("the two passwords differ")

        # an address given gets a link to confirm it
        user, mailed = await run_in_threadpool(site.board.accounts.sign_up, username, password,
                                               form.get("email") or None)
    except CommunityError as exc:
        site.flash(request, str(exc), "error")
        return site.page(request, "signup.html", status_code=400, next=_next(form.get("next")),
                         username=username)
    await run_in_threadpool(site.sign_in, request, user)
    site.flash(request, f"Welcome, {user.username}!" + (" A link to confirm your address is on its way."
                                                          if mailed else ""))
    response = RedirectResponse(_next(form.get("next")), status_code=303)
    _remember_device(site, request, response, user.username)
    return send_soon(site, response) if mailed else response


@router.get("/signin")
def signin_form(request: Request, next: str = "/") -> Response:
    return site_of(request).page(request, "signin.html", next=_next(next))


KNOWN_DEVICE = "paperboard_known"  # a signed cookie: the accounts that signed in from this browser
KNOWN_DEVICE_DAYS = 365


def _device_signer(site: Site) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(site.config.signing_key(), salt="known-device")


def _known_accounts(site: Site, request: Request) -> list[str]:
    raw = request.cookies.get(KNOWN_DEVICE)
    if not raw:
        return []
    try:
        names = _device_signer(site).loads(raw, max_age=KNOWN_DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _remember_device(site: Site, request: Request, response: Response, username: str) -> None:
    names = [username.lower(), *(n for n in _known_accounts(site, request) if n != username.lower())][:5]
    response.set_cookie(KNOWN_DEVICE, _device_signer(site).dumps(names), max_age=KNOWN_DEVICE_DAYS * 86400,
                        httponly=True, samesite="lax", secure=site.config.base_url.startswith("https://"))


@router.post("/signin")
async def signin_post(request: Request) -> Response:
    """Limits per address and name, per address, and per account. The per-account one (guesses from
    many addresses) is not applied to a browser this account signed in from before, so someone who
    fails on purpose cannot lock the owner out; the owner's own address limits still hold."""
    site = site_of(request)
    form = await site.form(request)
    username = form.get("username", "").strip()
    address = site.client_address(request)
    checks = [("signin", f"{address}|{username.lower()}"), ("signin_address", address)]
    if username.lower() not in _known_accounts(site, request):
        checks.append(("signin_account", username.lower()))
    await site.limited(*checks)

    user: User | None = await run_in_threadpool(site.board.accounts.authenticate, username,
                                                form.get("password", ""))
    if user is None:
        site.flash(request, "Wrong username or password.", "error")
        return site.page(request, "signin.html", status_code=401, next=_next(form.get("next")),
                         username=username)
    await run_in_threadpool(site.sign_in, request, user)  # a fresh session (and CSRF token)
    response = RedirectResponse(_next(form.get("next")), status_code=303)
    _remember_device(site, request, response, user.username)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    site = site_of(request)
    await site.form(request)
    await run_in_threadpool(site.sign_out, request)
    return RedirectResponse("/", status_code=303)


@router.post("/signout/everywhere")
async def signout_everywhere(request: Request) -> Response:
    """End every session of this account, on every device, this one included, and every API token."""
    site = site_of(request)
    await site.form(request)
    user = site.require_viewer(request)

    await run_in_threadpool(site.board.accounts.end_everything, user)  # the API tokens too
    request.session.clear()
    return RedirectResponse("/", status_code=303)


NO_STORE = {"Cache-Control": "no-store"}


def _account_page(request: Request, new_token: str | None = None, status_code: int = 200) -> Response:
    site = site_of(request)
    user = site.viewer(request)
    assert user is not None
    tokens, live, address = site.board.accounts.overview(user, request.session.get("sid"))
    response = site.page(request, "account.html", status_code=status_code, token=new_token, tokens=tokens,
                         sessions=live, address=address)
    response.headers.update(NO_STORE)
    return response


@router.get("/account")
def account(request: Request) -> Response:
    site = site_of(request)
    if site.viewer(request) is None:
        return RedirectResponse("/signin?next=/account", status_code=303)
    return _account_page(request)


@router.post("/account/tokens")
async def new_token(request: Request) -> Response:
    """The new token is in this response only: never in a cookie, a redirect or the database. It takes
    the current password: a stolen session alone cannot mint a lasting key to the account."""
    site = site_of(request)
    form, user = await site.write_form(request)
    await site.limited(("signin_account", user.username.lower()))  # the password is a guess too
    days_text = form.get("days", "").strip()
    try:
        days = int(days_text) if days_text else None
    except ValueError:
        days = -1

    def create() -> str:
        return site.board.accounts.create_token(user, form.get("name") or "api", days=days,
                                                password=form.get("password", ""))

    try:
        token = await run_in_threadpool(create)
    except CommunityError as exc:
        site.flash(request, str(exc), "error")
        return _account_page(request, status_code=400)
    return _account_page(request, new_token=token)


@router.post("/account/tokens/revoke")
async def revoke_token(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    done = site.board.accounts.revoke_token(user, form.get("token", ""))
    site.flash(request, "Token revoked." if done else "There is no such token.", "info" if done else "error")
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sessions/end")
async def end_session(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    done = site.board.accounts.end_session_by_ref(user, form.get("session", ""))
    site.flash(request, "Signed out there." if done else "That session had already ended.")
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    """A new password ends every session, and this browser gets a fresh one: a copy of its cookie
    taken before the change is worth nothing after it."""
    site = site_of(request)
    form, user = await site.write_form(request)
    await site.limited(("signin_account", user.username.lower()))  # the current password is a guess too
    new = form.get("new_password", "")

    def change() -> None:
        if new != form.get("new_password2", new):
            raise CommunityError("the two new passwords differ")
        site.board.accounts.change_password(user, form.get("password", ""), new)
        site.sign_in(request, user)

    try:
        await run_in_threadpool(change)
    except CommunityError as exc:
        site.flash(request, str(exc), "error")
        return _account_page(request, status_code=400)
    site.flash(request, "Password changed; every other session is signed out and every API token revoked.")
    return RedirectResponse("/account", status_code=303)
