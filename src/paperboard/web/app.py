"""``create_app``: the website and the API over one data folder, with sessions and error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from .. import __version__
from ..community.errors import CommunityError
from ..config import Config
from ..search.service import SearchIndex
from ..storage.engine import open_database
from ..storage.rate_limits import DatabaseCounts
from . import account_pages, api, digest_pages, pages
from .body_limit import BodyLimit
from .cache import AnonymousCache
from .head import HeadAsGet
from .headers import SecurityHeaders
from .json_response import JSON
from .on_demand import OnDemand
from .security import Limit, RateLimiter
from .site import Site, site_of

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
SESSION_DAYS = 30


def arxiv_fetcher(config: Config, engine: Engine, search: SearchIndex) -> Callable[[list[str]], None]:
    """Fetch papers by id from the arXiv API (one request), store and index what arXiv has; raises when
    arXiv cannot be reached."""
    from ..ingest.arxiv import fetch_ids
    from ..ingest.arxiv_client import ArxivClient

    def fetch(paper_ids: list[str]) -> None:
        with ArxivClient(delay=config.arxiv_delay, retries=1, max_wait=10, timeout=15) as client:
            summary = fetch_ids(engine, client, paper_ids, api_url=config.arxiv_api_url)
        if summary.added + summary.updated:
            try:
                search.catch_up(engine, fold=False)  # folding the graph is left to ingests
            except Exception as exc:  # another process holds the index writer: the next ingest indexes it
                log.warning("indexing %s now failed (%s); it is indexed by the next ingest or reindex",
                            ", ".join(paper_ids), exc)

    return fetch


def on_demand(config: Config, engine: Engine, search: SearchIndex, *, wait: float = 1.5) -> OnDemand:
    return OnDemand(engine, arxiv_fetcher(config, engine, search), delay=config.arxiv_delay, wait=wait)


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


def create_app(config: Config, *, engine: Engine | None = None, search: SearchIndex | None = None,
               limits: dict[str, Limit] | None = None, fetch_from_arxiv: bool = True,
               cache_seconds: float = 5.0) -> FastAPI:
    engine = engine or open_database(config.database_url)
    search = search or SearchIndex(config.data_dir, config.embedder)
    limiter = RateLimiter(limits, counts=DatabaseCounts(engine))
    site = Site(config=config, engine=engine, search=search, limiter=limiter,
                on_demand=on_demand(config, engine, search) if fetch_from_arxiv else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        # Requests run concurrently in threads and servers run one process per core: BLAS threads on top
        # oversubscribe the cores (measured: 4x slower paper pages and searches under load).
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            if len(search.vectors):  # load the embedding model now, not on the first search
                search.embedder.embed(["warm up"])
            yield

    app = FastAPI(
        title="Paperboard API", version=__version__, lifespan=lifespan,
        description="Research papers: daily feed, search and papers, in the shapes of the Hugging Face "
                    "papers API; writes with an API token (Authorization: Bearer ...).",
        # no /docs page: FastAPI's loads its viewer from a CDN, which an offline install cannot reach
        docs_url=None, openapi_url="/api/openapi.json", redoc_url=None,
    )
    app.state.site = site
    _describe_errors(app)
    # outermost last: headers on everything; sessions decoded before the cache looks at them
    app.add_middleware(AnonymousCache, ttl=cache_seconds, skip_prefixes=("/signin", "/signup", "/healthz"))
    app.add_middleware(SessionMiddleware, secret_key=config.signing_key(), session_cookie="paperboard",
                       max_age=SESSION_DAYS * 86400, same_site="lax",
                       https_only=config.base_url.startswith("https://"))
    app.add_middleware(BodyLimit)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 400, _validation_message(exc))

    @app.exception_handler(CommunityError)
    async def refused(request: Request, exc: CommunityError) -> Response:
        return _error(request, exc.status, str(exc))

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(account_pages.router)
    app.include_router(digest_pages.router)
    app.include_router(pages.router)
    return app
