"""Accounts on the site: sign up, sign in and out (argon2, signed session cookies, CSRF, rate limits),
and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ..community import accounts
from ..community.errors import CommunityError
from .site import site_of

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
    site.limit("signup", site.client_address(request))
    username, password = form.get("username", "").strip(), form.get("password", "")
    try:
        if password != form.get("password2", password):
            raise CommunityError("the two passwords differ")

        def create() -> accounts.User:
            with site.engine.begin() as conn:
                return accounts.create_user(conn, username, password, email=form.get("email") or None)

        user = await run_in_threadpool(create)
    except CommunityError as exc:
        site.flash(request, str(exc), "error")
        return site.page(request, "signup.html", status_code=400, next=_next(form.get("next")),
                         username=username)
    request.session.clear()
    request.session["uid"] = user.id
    site.flash(request, f"Welcome, {user.username}!")
    return RedirectResponse(_next(form.get("next")), status_code=303)


@router.get("/signin")
def signin_form(request: Request, next: str = "/") -> Response:
    return site_of(request).page(request, "signin.html", next=_next(next))


@router.post("/signin")
async def signin_post(request: Request) -> Response:
    site = site_of(request)
    form = await site.form(request)
    username = form.get("username", "").strip()
    site.limit("signin", f"{site.client_address(request)}|{username.lower()}")

    def check() -> accounts.User | None:
        with site.engine.begin() as conn:
            return accounts.authenticate(conn, username, form.get("password", ""))

    user = await run_in_threadpool(check)
    if user is None:
        site.flash(request, "Wrong username or password.", "error")
        return site.page(request, "signin.html", status_code=401, next=_next(form.get("next")),
                         username=username)
    request.session.clear()  # a fresh session (and CSRF token) on sign-in
    request.session["uid"] = user.id
    return RedirectResponse(_next(form.get("next")), status_code=303)


@router.post("/signout")
async def signout(request: Request) -> Response:
    await site_of(request).form(request)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/account")
def account(request: Request) -> Response:
    site = site_of(request)
    if site.viewer(request) is None:
        return RedirectResponse("/signin?next=/account", status_code=303)
    return site.page(request, "account.html", token=request.session.pop("new_token", None))


@router.post("/account/tokens")
async def new_token(request: Request) -> Response:
    site = site_of(request)
    form = await site.form(request)
    user = site.require_viewer(request)
    with site.engine.begin() as conn:
        request.session["new_token"] = accounts.create_token(conn, user, form.get("name") or "api")
    return RedirectResponse("/account", status_code=303)
