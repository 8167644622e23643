"""What every request handler needs: the library (:class:`paperboard.board.Paperboard`), the limiter, the
templates, and who is asking. Built once per process by :func:`paperboard.web.app.create_app`."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import Engine

from .. import __version__
from ..board import Paperboard, User, bearer_token
from ..config import Config
from ..filter_terms import SYNTAX
from ..ids import is_arxiv_category
from ..links import http_url
from ..search.service import SearchResult
from ..tex import title_text
from ..text import plain_excerpt, xml_safe
from . import render
from .security import CSRF_FIELD, RateLimiter, SearchBudget, csrf_ok, csrf_token

TEMPLATES = Path(__file__).parent / "templates"


def _printable(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(xml_safe(value))
    return xml_safe(value) if isinstance(value, str) else value


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["rich"] = render.rich_text
    env.globals["filter_syntax"] = SYNTAX
    env.filters["title"] = title_text
    env.filters["highlight"] = render.highlight
    env.filters["excerpt"] = plain_excerpt
    env.filters["markdown"] = render.markdown
    env.tests["arxiv_category"] = is_arxiv_category
    env.filters["day"] = lambda d: d.strftime("%-d %b %Y") if d else ""
    env.filters["when"] = lambda t: t.strftime("%-d %b %Y, %H:%M UTC") if t else ""
    env.filters["http_url"] = http_url
    env.finalize = _printable  # every value a template prints, whatever was stored or asked
    env.globals["version"] = __version__
    env.globals["csrf_field"] = CSRF_FIELD
    return templates


def _slow_down(why: str, wait: float) -> HTTPException:
    """A 429 that says when to come back, in its text and its Retry-After header."""
    seconds = int(wait) + 1
    return HTTPException(429, f"{why}; try again in {seconds} s", headers={"Retry-After": str(seconds)})


def site_of(request: Request) -> Site:
    """The Site that ``create_app`` attached to the application handling ``request``."""
    return request.app.state.site


@dataclass
class Site:
    board: Paperboard
    limiter: RateLimiter
    templates: Jinja2Templates = field(default_factory=_templates)
    budget: SearchBudget = field(init=False)

    def __post_init__(self) -> None:
        self.budget = SearchBudget(self.limiter)

    @property
    def config(self) -> Config:
        return self.board.config

    @property
    def engine(self) -> Engine:
        return self.board.engine

    # --- who is asking -------------------------------------------------------------------------------

    def viewer(self, request: Request) -> User | None:
        if "viewer" not in request.state._state:
            user = None
            sid = request.session.get("sid")
            if isinstance(sid, str):
                user = self.board.accounts.resume_session(sid)
                if user is None:  # ended, expired or its account is gone: the cookie is worth nothing
                    request.session.pop("sid", None)
            request.state.viewer = user
        return request.state.viewer

    def api_user(self, request: Request) -> User:
        """The account of a ``Authorization: Bearer <token>`` header (API writes)."""
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise HTTPException(401, "this endpoint needs an API token: Authorization: Bearer <token> "
                                     "(create one on your account page)")
        user = self.board.user_for_token(token)
        if user is None:
            raise HTTPException(401, "the API token is not valid")
        return user

    def require_viewer(self, request: Request) -> User:
        user = self.viewer(request)
        if user is None:
            raise HTTPException(401, "sign in first")
        return user

    def sign_in(self, request: Request, user: User) -> None:
        """A fresh cookie session (and CSRF token) holding a new server-side session for ``user``."""
        request.session.clear()
        request.session["sid"] = self.board.accounts.start_session(user, request.headers.get("user-agent"))
        request.state.viewer = user

    def sign_out(self, request: Request) -> None:
        sid = request.session.get("sid")
        if isinstance(sid, str):
            self.board.accounts.end_session(sid)
        request.session.clear()

    def fetch_allowed(self, request: Request | None) -> Callable[[], bool]:
        """Whether this client may queue one more paper to fetch from arXiv (its ``arxiv`` limit)."""
        if request is None:
            return lambda: True
        address = self.client_address(request)
        return lambda: self.limiter.retry_after("arxiv", address) is None

    @staticmethod
    def client_address(request: Request) -> str:
        return request.client.host if request.client else "?"

    async def write_form(self, request: Request) -> tuple[dict[str, str], User]:
        """The posted form (CSRF checked) of a signed-in person, within their write rate limit."""
        form = await self.form(request)
        user = self.require_viewer(request)
        await self.limited(("write", str(user.id)))
        return form, user

    async def limited(self, *checks: tuple[str, str]) -> None:
        """``limit`` for each (action, key), off the event loop (the counters are database writes)."""
        for action, key in checks:
            await run_in_threadpool(self.limit, action, key)

    def limit(self, action: str, key: str) -> None:
        """Count an attempt at ``action`` by ``key``; 429 with Retry-After once over the limit."""
        wait = self.limiter.retry_after(action, key)
        if wait is not None:
            raise _slow_down("too many attempts", wait)

    def search(self, request: Request, q: str, **options: Any) -> SearchResult:
        """:meth:`Paperboard.search` within this client's search budget: 429 once its searches took too
        long too often (:class:`paperboard.web.security.SearchBudget`)."""
        client = self.client_address(request)
        wait = self.budget.wait(client)
        if wait is not None:
            raise _slow_down("your searches have been slow", wait)
        started = time.monotonic()
        try:
            return self.board.search(q, **options)
        finally:
            self.budget.spent(client, time.monotonic() - started)

    # --- forms ---------------------------------------------------------------------------------------

    async def form(self, request: Request) -> dict[str, str]:
        """The posted form, after checking its CSRF token against the session."""
        data = await request.form()
        if not csrf_ok(request.session, data.get(CSRF_FIELD)):
            raise HTTPException(403, "this form has expired or did not come from this site; "
                                     "reload the page and try again")
        # what XML forbids (NUL and other controls) never reaches the store: PostgreSQL refuses NUL in text
        return {k: xml_safe(v) for k, v in data.items() if isinstance(v, str)}

    @staticmethod
    def in_place(request: Request) -> bool:
        """Whether a form was posted by the site's script (static/app.js), which wants the outcome as JSON
        to update the page where it is, rather than a redirect and a new page."""
        return "application/json" in request.headers.get("accept", "")

    def done(self, request: Request, data: dict[str, Any], message: str | None, fallback: str) -> Response:
        """A form's outcome: JSON (with ``message``) for the script, else ``message`` flashed and the page
        the form was on."""
        if self.in_place(request):
            return JSONResponse({**data, "message": message}, headers={"Cache-Control": "no-store"})
        if message:
            self.flash(request, message)
        return self.back(request, fallback)

    @staticmethod
    def flash(request: Request, message: str, kind: str = "info") -> None:
        request.session.setdefault("flash", []).append([kind, message])

    def back(self, request: Request, fallback: str = "/") -> RedirectResponse:
        target = request.headers.get("referer") or fallback
        base = self.config.base_url + "/"  # the configured address, never the request's Host header
        if target.startswith(base):
            target = "/" + target[len(base):]
        if not target.startswith("/") or target.startswith(("//", "/\\")):
            target = fallback  # only ever redirect within the site
        return RedirectResponse(target, status_code=303)

    # --- pages ---------------------------------------------------------------------------------------

    def page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """A whole page. One made for a signed-in reader is never stored by the browser either: going
        back to it fetches it again, so it shows what was done in place since (a save, a vote)."""
        context = self._context(request, context)
        response = self.templates.TemplateResponse(request, template, context, status_code=status_code)
        if context["viewer"] is not None:
            response.headers["Cache-Control"] = "private, no-store"
        return response

    def fragment(self, request: Request, template: str, **context: Any) -> str:
        """A part of a page (what the script puts in place), made as the page would make it."""
        return self.templates.get_template(template).render(self._context(request, context, whole=False))

    def _context(self, request: Request, context: dict[str, Any], whole: bool = True) -> dict[str, Any]:
        """What every template may use; messages waiting for the next page go to a whole page only."""
        context.update(
            request=request, viewer=self.viewer(request), csrf=lambda: csrf_token(request.session),
            flashes=request.session.pop("flash", []) if whole else [], today=dt.date.today(),
            base_url=self.config.base_url,
            store_categories=self.board.categories,  # called only by the pages with a category picker
        )
        return context
