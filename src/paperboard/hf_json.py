"""Feed entries in the JSON shapes of the Hugging Face papers API (pure).

Field names and nesting follow what ``huggingface_hub`` parses (``PaperInfo``, ``PaperAuthor``,
``User``): a daily-papers item is ``{"paper": {...}, "publishedAt": <submission time>, "title",
"summary", "numComments", "submittedBy", ...}``; a paper is the inner object with
``submittedOnDailyAt`` and ``submittedOnDailyBy`` when it was submitted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .feeds.entries import Entry
from .links import http_url

_HF_EXTRAS = ("ai_summary", "ai_keywords", "githubStars", "organization", "mediaUrls")


def timestamp(value: dt.datetime | dt.date | None) -> str | None:
    """``2025-10-28T17:59:59.000Z``: the one format ``huggingface_hub.parse_datetime`` reads."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC) if value.tzinfo else value
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def user(username: str, display_name: str | None = None) -> dict[str, Any]:
    return {"_id": username, "name": username, "user": username, "fullname": display_name or username,
            "avatarUrl": "", "type": "user", "isPro": False, "isHf": False, "isMod": False,
            "followerCount": 0}


def paper(entry: Entry) -> dict[str, Any]:
    p = entry.paper
    hf = p.extra.get("huggingface") if isinstance(p.extra.get("huggingface"), dict) else {}
    out: dict[str, Any] = {
        "id": p.id,
        "authors": [{"_id": f"{p.id}#{i}", "name": a.name, "hidden": False} for i, a in enumerate(p.authors)],
        "publishedAt": timestamp(p.published or p.listed),
        "title": p.title,
        "summary": p.abstract,
        "upvotes": entry.upvotes,
        "numComments": entry.comments,
        "discussionId": p.id,
    }
    if entry.submitted_at is not None:
        out["submittedOnDailyAt"] = timestamp(entry.submitted_at)
        if entry.submitter:
            out["submittedOnDailyBy"] = user(entry.submitter, entry.submitter_name)
    if code := http_url(p.links.get("code")):
        out["githubRepo"] = code
    if project := http_url(p.links.get("project")):
        out["projectPage"] = project
    for key in _HF_EXTRAS:
        if key in hf:
            out[key] = hf[key]
    return out


def daily_item(entry: Entry) -> dict[str, Any]:
    inner = paper(entry)
    item: dict[str, Any] = {
        "paper": inner,
        "publishedAt": timestamp(entry.submitted_at) or inner["publishedAt"],
        "title": entry.paper.title,
        "summary": entry.paper.abstract,
        "thumbnail": "",
        "numComments": entry.comments,
        "isAuthorParticipating": False,
    }
    if entry.submitter:
        item["submittedBy"] = user(entry.submitter, entry.submitter_name)
    return item
