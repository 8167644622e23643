"""Ingest from arXiv: OAI-PMH harvests (resumable) and single papers by id through the API."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable

from sqlalchemy import Engine

from ..ids import InvalidId, parse_arxiv_id
from ..storage import checkpoints
from .arxiv_api import ArxivApiError, parse_feed
from .arxiv_client import ArxivClient
from .arxiv_oai import OaiError, parse_list_records
from .pipeline import Summary, commit_batch

API_CHUNK = 100  # ids per API request


def category_set(category: str, set_format: str) -> str:
    """The OAI set of an arXiv category: ``cs.LG`` -> ``cs:cs:LG`` (new endpoint) or ``cs:LG``."""
    archive, _, sub = category.partition(".")
    if not archive:
        raise ValueError(f"{category!r} is not an arXiv category such as cs.LG")
    if not sub:
        return archive
    return set_format.format(archive=archive, category=sub)


def _harvest_key(base_url: str, set_name: str | None, from_: dt.date | None, until: dt.date | None) -> str:
    return f"oai:{base_url}|{set_name or '*'}|{from_ or ''}|{until or ''}"


def _last_key(base_url: str, set_name: str | None) -> str:
    return f"oai-last:{base_url}|{set_name or '*'}"


def last_harvested(engine: Engine, base_url: str, set_name: str | None) -> dt.date | None:
    with engine.connect() as conn:
        state = checkpoints.load(conn, _last_key(base_url, set_name))
    return dt.date.fromisoformat(state["until"]) if state else None


def harvest(
    engine: Engine,
    client: ArxivClient,
    *,
    base_url: str,
    set_name: str | None,
    from_: dt.date | None,
    until: dt.date | None,
    on_page: Callable[[Summary, int | None], None] | None = None,
    today: Callable[[], dt.date] = dt.date.today,
    summary: Summary | None = None,
) -> Summary:
    """Harvest ``ListRecords`` pages into the store. Each page is committed together with the
    resumption token that follows it, so a harvest killed at any moment resumes at the next page.
    Counts go into ``summary`` as pages commit, so a caller still has them when a page fails."""
    summary = summary if summary is not None else Summary()
    started = time.perf_counter()
    key = _harvest_key(base_url, set_name, from_, until)
    with engine.connect() as conn:
        state = checkpoints.load(conn, key) or {}
    token: str | None = state.get("token")
    pages = int(state.get("pages", 0))
    summary.skipped = int(state.get("records", 0))
    restarted = False
    while True:
        params: dict[str, str]
        if token:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": "arXiv"}
            if from_:
                params["from"] = from_.isoformat()
            if until:
                params["until"] = until.isoformat()
            if set_name:
                params["set"] = set_name
        try:
            page = parse_list_records(client.get(base_url, params), f"{base_url} page {pages + 1}")
        except OaiError as exc:
            if exc.code == "badResumptionToken" and token and not restarted:
                token, pages, restarted = None, 0, True  # expired: start over (upserts are idempotent)
                continue
            raise
        pages += 1
        for location, reason in page.problems:
            summary.reject(location, reason)
        done = not page.token
        records = summary.skipped + summary.processed + len(page.papers)
        checkpoint = None if done else (key, {"token": page.token, "pages": pages, "records": records})
        summary.record(commit_batch(engine, page.papers, checkpoint=checkpoint, clear=key if done else None))
        if on_page:
            on_page(summary, page.complete_size)
        if done:
            break
        token = page.token
    with engine.begin() as conn:
        checkpoints.save(conn, _last_key(base_url, set_name), {"until": (until or today()).isoformat()})
    summary.seconds = time.perf_counter() - started
    return summary


def fetch_ids(
    engine: Engine, client: ArxivClient, ids: Iterable[str], *, api_url: str
) -> Summary:
    """Fetch papers by arXiv id (any spelling, optionally versioned) through the API and store them."""
    summary = Summary()
    started = time.perf_counter()
    wanted: dict[str, str] = {}  # canonical id -> the text to ask arXiv for
    for raw in ids:
        if not raw.strip():
            continue
        try:
            parsed = parse_arxiv_id(raw)
        except InvalidId as exc:
            summary.reject(raw.strip(), str(exc))
            continue
        wanted[parsed.id] = str(parsed)
    keys = list(wanted)
    for i in range(0, len(keys), API_CHUNK):
        chunk = keys[i : i + API_CHUNK]
        params = {"id_list": ",".join(wanted[k] for k in chunk), "max_results": str(len(chunk))}
        try:
            page = parse_feed(client.get(api_url, params), "arXiv API")
        except ArxivApiError as exc:
            for k in chunk:
                summary.reject(wanted[k], str(exc))
            continue
        for location, reason in page.problems:
            summary.reject(location, reason)
        found = {p.id for p in page.papers}
        for k in chunk:
            if k not in found:
                summary.reject(wanted[k], "not found on arXiv")
        summary.record(commit_batch(engine, page.papers))
    summary.seconds = time.perf_counter() - started
    return summary
