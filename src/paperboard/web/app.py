"""``create_app``: the website and the API over one data folder, with sessions and error pages."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Route

from .. import __version__
from ..board import Paperboard, User
from ..config import Config
from ..errors import PaperboardError
from ..search.backends import SearchBackend
from . import (
    account_mail_pages,
    account_pages,
    api,
    digest_pages,
    foryou_pages,
    library_pages,
    media_pages,
    pages,
)
from .body_limit import BodyLimit, RefuseNul
from .cache import AnonymousCache
from .faults import database_trouble
from .head import HeadAsGet
from .headers import SecurityHeaders
from .json_response import JSON
from .security import Limit, RateLimiter
from .site import Site, site_of
from .slashes import DropTrailingSlash

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SESSION_DAYS = 30


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSON({"error": message}, status_code=status, headers=headers)
    site = site_of(request)
    response = site.page(request, "error.html", status_code=status, status=status, message=message)
    if headers:
        response.headers.update(headers)
    return response


def _unavailable(request: Request, message: str) -> Response:
    """A 503 that needs nothing the failing part could give: no viewer, no session, no database."""
    headers = {"Retry-After": "10", "Cache-Control": "no-store"}
    if _wants_json(request):
        return JSON({"error": message}, status_code=503, headers=headers)
    site = site_of(request)
    context = {"request": request, "viewer": None, "csrf": lambda: "", "flashes": [], "status": 503,
               "message": message, "base_url": site.config.base_url}
    return site.templates.TemplateResponse(request, "error.html", context, status_code=503, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def _describe_errors(app: FastAPI) -> None:
    from .api_schema import without_validation_422

    plain = app.openapi

    def openapi() -> dict:  # type: ignore[type-arg]
        if app.openapi_schema is None:
            app.openapi_schema = without_validation_422(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _api_viewer(app: FastAPI, site: Site) -> None:
    """/api/docs: Swagger UI over /api/openapi.json, its files from the fastapi-offline package."""
    import fastapi_offline

    app.mount("/api/docs/assets", StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
              name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        response = site.templates.TemplateResponse(request, "api_docs.html", {})
        # the viewer sets styles inline; scripts stay this site's own files
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'")
        return response


class _McpEndpoint:
    """The MCP server's streamable-HTTP endpoint (stateless: any worker answers any request). Its
    session manager runs once per application lifespan, so each lifespan gets a new one."""

    def __init__(self, server, base_url: str):  # type: ignore[no-untyped-def]
        self.server = server
        self.base_url = base_url
        self.handler = None

    @asynccontextmanager
    async def serving(self):  # type: ignore[no-untyped-def]
        from mcp.server.transport_security import TransportSecuritySettings

        from ..mcp_server import allowed_hosts

        hosts, origins = allowed_hosts(self.base_url)
        http = self.server.streamable_http_app(  # a new session manager, and the handler that uses it
            streamable_http_path="/mcp", stateless_http=True, json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                                         allowed_hosts=hosts, allowed_origins=origins))
        self.handler = next(r.endpoint for r in http.routes if getattr(r, "path", None) == "/mcp")
        async with self.server.session_manager.run():
            yield

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if self.handler is None:
            raise RuntimeError("the MCP endpoint answers only while the application runs")
        await self.handler(scope, receive, send)


def _mcp(site: Site):  # type: ignore[no-untyped-def]
    from ..errors import Busy
    from ..mcp_server import build_server

    def within_limit(user: User) -> None:  # the same write limit as the site's forms and API
        try:
            site.limit("write", str(user.id))
        except StarletteHTTPException as exc:
            raise Busy(str(exc.detail)) from None

    def fetch_allowed(user: User):  # type: ignore[no-untyped-def]
        return lambda: site.limiter.retry_after("arxiv", f"user:{user.id}") is None

    return build_server(site.board, on_write=within_limit, fetch_allowed=fetch_allowed)


def create_app(config: Config, *, engine: Engine | None = None, search: SearchBackend | None = None,
               limits: dict[str, Limit] | None = None, fetch_from_arxiv: bool = True,
               cache_seconds: float = 5.0, board: Paperboard | None = None) -> FastAPI:
    """The website and the JSON API over ``board`` (by default one built from ``config``, ``engine``,
    ``search`` and ``fetch_from_arxiv``)."""
    # a web request's statements are limited; jobs' are not
    board = board or Paperboard(config, engine=engine, index=search, fetch_from_arxiv=fetch_from_arxiv,
                                statement_timeout=config.db_statement_timeout)
    site = Site(board=board, limiter=RateLimiter(limits, counts=board.rate_limit_counts()))
    search = board.index
    assistant = _mcp(site)
    assistant_http = _McpEndpoint(assistant, config.base_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        # Requests run concurrently in threads and servers run one process per core: BLAS threads on top
        # oversubscribe the cores (measured: 4x slower paper pages and searches under load).
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            if search.problem is None and search.semantic_share():  # the embedding model now, not on a search
                search.embedder.embed(["warm up"])
            async with assistant_http.serving():
                yield

    app = FastAPI(
        title="Paperboard API", version=__version__, lifespan=lifespan,
        description="Research papers: daily feed, search and papers, in the shapes of the Hugging Face "
                    "papers API; writes with an API token (Authorization: Bearer ...).",
        # FastAPI's own /docs page loads its viewer from a CDN; ours is /api/docs, from a package
        docs_url=None, openapi_url="/api/openapi.json", redoc_url=None,
        redirect_slashes=False,  # DropTrailingSlash redirects without naming the request's Host
    )
    app.state.site = site
    _describe_errors(app)
    # outermost last: headers on everything; sessions decoded before the cache looks at them
    app.add_middleware(AnonymousCache, ttl=cache_seconds,
                       skip_prefixes=("/signin", "/signup", "/healthz", "/livez"))
    app.add_middleware(SessionMiddleware, secret_key=config.signing_key(), session_cookie="paperboard",
                       max_age=SESSION_DAYS * 86400, same_site="lax",
                       https_only=config.base_url.startswith("https://"))
    app.add_middleware(BodyLimit)
    app.add_middleware(RefuseNul)
    app.add_middleware(HeadAsGet)
    app.add_middleware(DropTrailingSlash)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 400, _validation_message(exc))

    @app.exception_handler(PaperboardError)
    async def refused(request: Request, exc: PaperboardError) -> Response:
        return _error(request, exc.status, str(exc))

    @app.exception_handler(PoolTimeout)
    async def no_connection(request: Request, exc: PoolTimeout) -> Response:  # every connection is busy
        log.warning("no database connection free for %s %s: %s", request.method, request.url.path, exc)
        return _unavailable(request, "the server is busy just now; nothing you sent was kept. "
                                     "Try again in a moment.")

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(InternalError)  # PostgreSQL in read-only mode
    async def database_down(request: Request, exc: DBAPIError) -> Response:  # down, full or read-only
        log.error("database error on %s %s: %s", request.method, request.url.path, exc.orig)
        return _unavailable(request, database_trouble(exc))

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _api_viewer(app, site)
    # the MCP server's one route, /mcp, under the same middleware as every other route
    # POST only: the server is stateless and answers in JSON, so it never sends on a stream of its own;
    # an anonymous GET opened an event stream that was never closed (a file descriptor each)
    app.router.routes.append(Route("/mcp", endpoint=assistant_http, methods=["POST"]))
    app.include_router(api.router)
    app.include_router(account_pages.router)
    app.include_router(account_mail_pages.router)
    app.include_router(digest_pages.router)
    app.include_router(foryou_pages.router)
    app.include_router(media_pages.router)
    app.include_router(library_pages.router)
    app.include_router(pages.router)
    return app
