"""The MCP server: Paperboard's verbs as tools for AI assistants, with the official ``mcp`` SDK.

``paperboard mcp`` serves it over stdio; ``paperboard serve`` also at ``/mcp`` (streamable HTTP,
stateless, so every worker process answers). Reading tools need nothing; writing tools (``submit``,
``upvote``, ``collection_add``, ``feedback``, ``follow``) and ``for_you`` act as the owner of an API
token: the ``Authorization: Bearer`` header over HTTP, or the token ``paperboard mcp`` was started
with. Each paper's markdown is also a resource, ``paperboard://papers/{id}.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from pydantic import Field

from . import __version__, shapes
from .board import Allowed, Paperboard, User, bearer_token, paper_id_of
from .cite import bibtex, bibtex_all, markdown_page
from .errors import NotFound, PaperboardError
from .feeds import periods
from .feeds.daily import DailyQuery
from .feeds.entries import Entry

T = TypeVar("T")
MAX_LIMIT = 100
# what a tool accepts: a bad value is the assistant's to correct (a validation error), never a crash
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Text = Annotated[str, Field(max_length=1_000)]
Long = Annotated[str, Field(max_length=20_000)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]

INSTRUCTIONS = (
    "Paperboard is a research-paper service: search papers (hybrid keyword and semantic search; the query "
    "may hold \"phrases\", author:Name and category:cs.LG), read one (abstract, authors, links, BibTeX), "
    "list the daily papers people submitted and upvoted, find similar papers, and keep collections. "
    "Paper ids are arXiv ids such as 2501.01234."
)


class TokenNeeded(PaperboardError):
    status = 401


def _card(entry: Entry, base_url: str) -> dict[str, Any]:
    p = entry.paper
    return {"id": p.id, "title": p.title, "authors": [a.name for a in p.authors[:10]],
            "upvotes": entry.upvotes, "comments": entry.comments,
            "submitted_at": entry.submitted_at.isoformat() if entry.submitted_at else None,
            "submitted_by": entry.submitter, "url": f"{base_url}/papers/{p.id}"}


def _paper(entry: Entry, base_url: str) -> dict[str, Any]:
    p = entry.paper
    return {
        "id": p.id, "title": p.title, "abstract": p.abstract, "authors": [a.name for a in p.authors],
        "categories": list(p.categories), "published": p.published.isoformat() if p.published else None,
        "listed": p.listed.isoformat() if p.listed else None, "comment": p.comment, "doi": p.doi,
        "links": dict(p.links), "upvotes": entry.upvotes, "comments": entry.comments,
        "url": f"{base_url}/papers/{p.id}", "bibtex": bibtex(p),
        "markdown": markdown_page(p, upvotes=entry.upvotes, comments=entry.comments, base_url=base_url),
    }


def build_server(board: Paperboard, *, token: str | None = None,
                 on_write: Callable[[User], None] | None = None,
                 fetch_allowed: Callable[[User], Allowed] | None = None) -> MCPServer:
    """The MCP server over ``board``. ``token``: whose API token the writing tools use when a request
    carries none (stdio). ``on_write(user)`` is called before each write and may refuse it (the site's
    write rate limit); ``fetch_allowed(user)`` says whether that user may queue one more paper to fetch
    from arXiv (the site's ``arxiv`` limit, the one its forms and API pass through)."""
    base = board.config.base_url
    server: MCPServer = MCPServer(name="paperboard", title="Paperboard", version=__version__,
                                  instructions=INSTRUCTIONS, website_url=base)

    async def run(fn: Callable[..., T], *args: Any) -> T:
        """``fn`` off the event loop; a refusal reaches the assistant as its message."""
        try:
            return await anyio.to_thread.run_sync(fn, *args)
        except PaperboardError as exc:
            raise ToolError(str(exc)) from None

    def writer(ctx: Context | None) -> User:
        raw = bearer_token((ctx.headers or {}).get("authorization") if ctx is not None else None) or token
        if not raw:
            raise TokenNeeded("this tool acts for a user: send an API token (Authorization: Bearer ...; "
                              "create one on your account page or with `paperboard users token`)")
        user = board.user_for_token(raw)
        if user is None:
            raise TokenNeeded("the API token is not valid")
        return user

    def acting(ctx: Context | None) -> User:
        user = writer(ctx)
        if on_write is not None:
            on_write(user)
        return user

    def stored_id(paper: str) -> str:
        return paper_id_of(paper) or paper.strip()

    @server.tool(description="Search papers by what they are about. The query may hold words, \"quoted "
                             "phrases\", author:Name and category:cs.LG; since/until are days (YYYY-MM-DD).")
    async def search(query: Text, limit: Limit = 10, category: Text | None = None, author: Text | None = None,
                     since: Text | None = None, until: Text | None = None) -> dict[str, Any]:
        found = await run(lambda: board.search(query, limit=limit, category=category,
                                               author=author, since=since, until=until))
        return {"query": query, "corrected": found.corrected,
                "results": [h.as_dict(base) for h in found.hits]}

    @server.tool(description="One paper by arXiv id or URL: abstract, authors, links, upvotes, BibTeX and "
                             "its markdown page.")
    async def paper(id: Text) -> dict[str, Any]:
        return _paper(await run(board.entry, stored_id(id)), base)

    @server.tool(description="The daily papers people submitted: one day (YYYY-MM-DD), ISO week "
                             "(YYYY-Www) or month (YYYY-MM), or the newest day when none is given.")
    async def daily(date: Text | None = None, week: Text | None = None, month: Text | None = None,
                    sort: Literal["upvotes", "trending", "publishedAt"] = "upvotes",
                    limit: Limit = 30) -> dict[str, Any]:
        given = [(kind, value) for kind, value in (("date", date), ("week", week), ("month", month)) if value]
        if len(given) > 1:
            raise ToolError("give at most one of date, week and month")

        def read() -> dict[str, Any]:
            if given:
                period = periods.parse(*given[0])  # type: ignore[arg-type]
            else:
                latest = board.latest_day()
                period = periods.day(latest) if latest else None
            page = board.daily(DailyQuery(period=period, sort=sort, limit=limit))
            cards = [_card(e, base) for e in page.entries]
            return {"period": period.slug if period else None, "papers": cards}

        return await run(read)

    @server.tool(description="Papers most similar to a paper (its id) or to a pasted text such as an "
                             "abstract; give one of the two.")
    async def similar(id: Text | None = None, text: Long | None = None, limit: Limit = 10) -> dict[str, Any]:
        if bool(id) == bool(text):
            raise ToolError("give a paper id or a text, not both")
        hits = await run(lambda: board.similar(stored_id(id) if id else None, text=text, limit=limit))
        return {"results": [h.as_dict(base) for h in hits]}

    @server.tool(description="The stored papers of an author (the name as written on papers), newest first.")
    async def authors(name: Text, limit: Limit = 20) -> dict[str, Any]:
        page = await run(lambda: board.author(name, limit=limit))
        return {"name": name, "total": page.total, "papers": [_card(e, base) for e in page.entries]}

    @server.tool(description="Collections: a user's public ones (by username), or, without one, your own "
                             "(needs your API token).")
    async def collections(ctx: Context, user: Text | None = None) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            viewer = writer(ctx) if user is None else None
            owner = viewer or board.user(user or "")
            kept = board.collections_of(owner, viewer)
            return {"user": owner.username, "collections": [
                {"id": cid, "name": name, "papers": size, "url": f"{base}/collections/{cid}"}
                for cid, name, size in kept]}

        return await run(read)

    @server.tool(description="A collection's papers, as BibTeX or as JSON.")
    async def collection_export(ctx: Context, collection_id: Id,
                                format: Literal["bibtex", "json"] = "json") -> dict[str, Any]:
        def read() -> dict[str, Any]:
            try:
                viewer = writer(ctx)
            except TokenNeeded:
                viewer = None  # public collections need no token
            found, entries = board.collection(collection_id, viewer)
            if format == "bibtex":
                return {"id": found.id, "name": found.name, "bibtex": bibtex_all(e.paper for e in entries)}
            return {"id": found.id, "name": found.name, "owner": found.owner,
                    "papers": [_card(e, base) for e in entries]}

        return await run(read)

    @server.tool(description="Add a paper to one of your collections (or remove it). Needs your API token.")
    async def collection_add(ctx: Context, collection_id: Id, paper: Text,
                             remove: bool = False) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            changed = board.collect(collection_id, acting(ctx), stored_id(paper), remove=remove)
            return {"collection": collection_id, "paper": stored_id(paper), "changed": changed}

        return await run(write)

    @server.tool(description="Submit a paper (arXiv id or URL) to today's daily papers; one not stored yet "
                             "is fetched from arXiv. Needs your API token.")
    async def submit(ctx: Context, paper: Text) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            user = acting(ctx)
            allowed = fetch_allowed(user) if fetch_allowed is not None else None
            return _card(board.entry(board.submit(user, paper, allowed), user.id), base)

        return await run(write)

    @server.tool(description="Upvote a paper (or take the upvote back with undo). Needs your API token.")
    async def upvote(ctx: Context, paper: Text, undo: bool = False) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            pid = stored_id(paper)
            return shapes.vote(pid, board.vote(pid, acting(ctx), up=not undo), not undo)

        return await run(write)

    @server.tool(description="Your For you: the newest papers ranked by what you upvoted, saved and marked, "
                             "each with the reason it is there (trending papers while there is nothing to go "
                             "on yet); profile: one of your collections' ids, to rank by its papers alone. "
                             "Needs your API token.")
    async def for_you(ctx: Context, limit: Limit = 20, profile: Id | None = None) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            found = board.for_you(writer(ctx), limit=limit, profile=profile)
            return {"since": found.since.isoformat() if found.since else None,
                    "until": found.until.isoformat() if found.until else None, "trending_instead": found.cold,
                    "papers": [{**_card(e, base), "reason": why} for e, why in found.items]}

        return await run(read)

    @server.tool(description="Tell your For you about a paper: not_interested (never shown again), "
                             "less_like_this (papers like it go down), more_like_this (they go up), or undo. "
                             "Needs your API token.")
    async def feedback(ctx: Context, paper: Text,
                       signal: Literal["not_interested", "less_like_this", "more_like_this", "undo"]
                       ) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            pid = stored_id(paper)
            board.feedback(pid, acting(ctx), None if signal == "undo" else signal)
            return {"id": pid, "signal": None if signal == "undo" else signal}

        return await run(write)

    @server.tool(description="Follow an author (the name as papers spell it; undo to stop): their new papers "
                             "come first in your For you. paper: follow only the one of the people who write "
                             "under the name who wrote that paper (told apart by co-authors and fields). "
                             "Needs your API token.")
    async def follow(ctx: Context, author: Text, undo: bool = False,
                     paper: str | None = None) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            name, person = board.follow(acting(ctx), author, undo=undo, paper=paper)
            return {"author": name, "following": not undo, "person": person}

        return await run(write)

    @server.resource("paperboard://papers/{paper_id}.md", name="paper", mime_type="text/markdown",
                     description="A paper's markdown page: title, authors, abstract, links.")
    async def paper_markdown(paper_id: str) -> str:
        try:
            entry = await anyio.to_thread.run_sync(board.entry, stored_id(paper_id))
        except NotFound as exc:
            raise ResourceNotFoundError(str(exc)) from None
        return markdown_page(entry.paper, upvotes=entry.upvotes, comments=entry.comments, base_url=base)

    return server


def allowed_hosts(base_url: str) -> tuple[list[str], list[str]]:
    """The Host and Origin values the HTTP transport accepts (DNS-rebinding protection): the site's own
    address and loopback."""
    parts = urlsplit(base_url)
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", parts.netloc]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*", f"{parts.scheme}://{parts.netloc}"]
    return hosts, origins
