"""``paperboard mcp``: the MCP server for AI assistants, over standard input and output."""

from __future__ import annotations

import click

from .base import Context, main, pass_ctx


@main.command("mcp")
@click.option("--token", envvar="PAPERBOARD_MCP_TOKEN", metavar="TOKEN",
              help="An API token (`paperboard users token USER`): the writing tools (submit, upvote, "
                   "collection_add) act as its owner. Default: $PAPERBOARD_MCP_TOKEN; without one they "
                   "refuse.")
@click.option("--fetch-wait", default=10.0, show_default=True, type=click.FloatRange(0, 120),
              help="Seconds to wait for a paper that is not stored to arrive from arXiv.")
@pass_ctx
def mcp_command(obj: Context, token: str | None, fetch_wait: float) -> None:
    """Serve the MCP server (tools: search, paper, daily, similar, authors, collections,
    collection_export, collection_add, submit, upvote; each paper's markdown as a resource) over stdio,
    for an assistant that starts it as a subprocess, e.g. in its configuration:

    \b
      {"command": "paperboard", "args": ["--data-dir", "/srv/papers", "mcp"]}

    `paperboard serve` offers the same server at /mcp over HTTP."""
    from ..mcp_server import build_server

    board = obj.board(fetch_wait=fetch_wait)
    build_server(board, token=token).run("stdio")
