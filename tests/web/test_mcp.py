"""The MCP server, driven by the official SDK's own client: over streamable HTTP at /mcp of a running
`paperboard serve`, and over stdio from `paperboard mcp` as an assistant starts it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from paperboard.community.accounts import create_token, create_user, find_user
from tests.functional.cli import paperboard
from tests.web.data import DAYS, PER_DAY

TOOLS = {"search", "paper", "daily", "similar", "authors", "collections", "collection_export",
         "collection_add", "submit", "upvote", "for_you", "feedback",
         "follow"}


def _token(engine, username: str) -> str:
    with engine.begin() as conn:
        user = find_user(conn, username) or create_user(conn, username, "a long enough password")
        return create_token(conn, user, "mcp test")


def _data(result) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert not result.is_error, result.content
    return result.structured_content or json.loads(result.content[0].text)


async def _session(client: Client, server, target: int) -> None:  # type: ignore[no-untyped-def]
    """What an assistant does in one session: read, then write with the token."""
    records = server.populated.records
    tools = {t.name for t in (await client.list_tools()).tools}
    assert tools >= TOOLS
    wanted = records[5]
    found = _data(await client.call_tool("search", {"query": wanted["title"], "limit": 3}))
    assert found["results"][0]["id"] == wanted["id"]
    config = server.populated.config  # the CLI's --format json answers in the same shape, field for field
    cli = paperboard("search", wanted["title"], "--limit", "3", "--format", "json", data_dir=config.data_dir,
                     env={"PAPERBOARD_DATABASE_URL": config.database_url})
    said = json.loads(cli.stdout)["results"]
    assert [sorted(h) for h in said] == [sorted(h) for h in found["results"]], cli.stderr
    assert [h["id"] for h in said] == [h["id"] for h in found["results"]]
    assert all(h["url"].endswith(f"/papers/{h['id']}") for h in said + found["results"])  # each its own site's
    one = _data(await client.call_tool("paper", {"id": f"https://arxiv.org/abs/{wanted['id']}v2"}))
    assert one["title"] == wanted["title"] and one["authors"] == wanted["authors"]
    assert one["bibtex"].startswith("@") and one["markdown"].startswith("# " + wanted["title"])
    day = _data(await client.call_tool("daily", {"date": DAYS[1]}))
    assert day["period"] == DAYS[1] and len(day["papers"]) == PER_DAY
    assert [p["upvotes"] for p in day["papers"]] == sorted((p["upvotes"] for p in day["papers"]), reverse=True)
    near = _data(await client.call_tool("similar", {"id": wanted["id"], "limit": 4}))
    assert len(near["results"]) == 4 and wanted["id"] not in [h["id"] for h in near["results"]]
    pasted = _data(await client.call_tool("similar", {"text": wanted["summary"], "limit": 3}))
    assert wanted["id"] in [h["id"] for h in pasted["results"]]
    by = _data(await client.call_tool("authors", {"name": wanted["authors"][0]}))
    assert wanted["id"] in [p["id"] for p in by["papers"]]
    text = await client.read_resource(f"paperboard://papers/{wanted['id']}.md")
    assert text.contents[0].text.startswith("# " + wanted["title"])

    bad = await client.call_tool("daily", {"date": "2025-02-30"})
    assert bad.is_error and "real day" in bad.content[0].text
    missing = await client.call_tool("paper", {"id": "2501.99999"})
    assert missing.is_error and "not in the store" in missing.content[0].text
    for tool, arguments in [("search", {"query": "x", "limit": 10_000}), ("search", {"query": "x" * 5_000}),
                            ("collection_export", {"collection_id": 2**40}), ("similar", {"id": "a", "text": "b"}),
                            ("collection_export", {"collection_id": 999_999}), ("authors", {"name": "No Such Person"})]:
        hostile = await client.call_tool(tool, arguments)  # refused with a reason, never a crash
        assert hostile.is_error and not hostile.content[0].text.endswith(f"Error executing tool {tool}"), arguments

    target = records[target]["id"]  # not on the daily feed: no imported upvotes
    voted = _data(await client.call_tool("upvote", {"paper": target}))
    assert voted == {"id": target, "upvotes": 1, "upvoted": True}
    mine = _data(await client.call_tool("collections", {}))
    assert mine["collections"] == []

    picked = _data(await client.call_tool("for_you", {"limit": 5}))
    title = next(r["title"] for r in records if r["id"] == target)
    assert not picked["trending_instead"] and picked["papers"]
    assert all(p["reason"] == f"similar to “{title}” you upvoted" for p in picked["papers"])
    top = picked["papers"][0]["id"]
    said = _data(await client.call_tool("feedback", {"paper": top, "signal": "not_interested"}))
    assert said == {"id": top, "signal": "not_interested"}
    assert top not in [p["id"] for p in _data(await client.call_tool("for_you", {"limit": 5}))["papers"]]
    _data(await client.call_tool("feedback", {"paper": top, "signal": "undo"}))
    assert (await client.call_tool("feedback", {"paper": top, "signal": "adore"})).is_error
    author = wanted["authors"][0]
    assert _data(await client.call_tool("follow", {"author": author})) == {
        "author": author, "following": True, "person": None}
    reasons = {p["id"]: p["reason"] for p in _data(await client.call_tool("for_you", {"limit": 50}))["papers"]}
    assert reasons[wanted["id"]] == f"by {author}, whom you follow"
    assert _data(await client.call_tool("follow", {"author": author, "undo": True}))["following"] is False
    assert (await client.call_tool("follow", {"author": "Nobody Atall"})).is_error
    one = _data(await client.call_tool("follow", {"author": author, "paper": wanted["id"]}))
    # the person who wrote it where the name's papers tell people apart, the name where they cannot
    # (both cases over HTTP: web/test_for_you.py::test_following_one_of_the_namesakes_brings_only_their_papers)
    assert one["author"] == author and one["following"] is True and one["person"] in (None, wanted["id"])
    assert (await client.call_tool("follow", {"author": author, "paper": "2101.99999"})).is_error
    assert _data(await client.call_tool("follow", {"author": author, "undo": True}))["following"] is False


def test_over_http_reads_need_nothing_and_writes_need_a_token(server):
    token = _token(server.populated.engine, "assistant")

    async def run() -> None:
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http, \
                Client(streamable_http_client(server.url + "/mcp", http_client=http)) as client:
            await _session(client, server, 100)
        async with Client(server.url + "/mcp") as anonymous:  # no token: reads work, writes refuse
            read = _data(await anonymous.call_tool("paper", {"id": server.populated.records[0]["id"]}))
            assert read["id"] == server.populated.records[0]["id"]
            refused = await anonymous.call_tool("upvote", {"paper": server.populated.records[0]["id"]})
            assert refused.is_error and "API token" in refused.content[0].text

    asyncio.run(run())


def test_a_foreign_host_header_is_refused(server):
    """DNS rebinding: a page on another origin must not reach a local instance's MCP server."""
    r = httpx2.post(server.url + "/mcp", headers={"Host": "evil.example", "Content-Type": "application/json",
                                                  "Accept": "application/json, text/event-stream"},
                    json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, timeout=10)
    assert r.status_code in (403, 421)


def test_over_stdio_as_an_assistant_starts_it(server):
    token = _token(server.populated.engine, "stdio-assistant")
    config = server.populated.config
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "paperboard", "--data-dir", str(config.data_dir), "--db", config.database_url, "mcp",
              "--token", token, "--fetch-wait", "0"],
        env={**os.environ, "PAPERBOARD_ARXIV_API_URL": "http://127.0.0.1:9/unreachable"},
    )

    async def run() -> None:
        async with Client(params) as client:
            await _session(client, server, 101)

    asyncio.run(run())


def test_the_submit_tool_passes_through_the_sites_arxiv_fetch_limit(server):
    """40 submits of unknown ids from one token made 38 arXiv requests in seconds: the tool skipped the
    limit of 10 fetches an hour that the site's forms and API keep."""
    token = _token(server.populated.engine, "fetcher")

    async def run() -> list[str]:
        said = []
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http, \
                Client(streamable_http_client(server.url + "/mcp", http_client=http)) as client:
            for i in range(12):
                r = await client.call_tool("submit", {"paper": f"2512.{90000 + i}"})
                said.append(r.content[0].text)
        return said

    said = asyncio.run(run())
    assert not any("asked for many papers" in s for s in said[:10]), said[:10]
    assert all("asked for many papers from arXiv recently" in s for s in said[10:]), said[10:]
