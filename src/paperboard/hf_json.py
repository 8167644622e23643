"""Feed entries in the JSON shapes of the Hugging Face papers API (pure).

Field names and nesting follow what ``huggingface_hub`` parses (``PaperInfo``, ``PaperAuthor``,
``User``): a daily-papers item is ``{"paper": {...}, "publishedAt": <submission time>, "title",
"summary", "numComments", "submittedBy", ...}``; a paper is the inner object with
``submittedOnDailyAt`` and ``submittedOnDailyBy`` when it was submitted.

``PaperInfo`` reads a paper's summary, links, organization and linked repositories at the top level of
what it is given, so a daily item carries those fields both inside ``paper`` and beside it. Every field
is present: ``null`` (or an empty list) where nothing is known, never missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .feeds.entries import Entry
from .links import http_url

LINKED = ("Models", "Datasets", "Spaces")  # linkedModels / numTotalModels, ...
HUB_KEYS = ("ai_summary", "ai_keywords", "githubRepo", "githubStars", "projectPage", "organization",
            *(f"{prefix}{kind}" for kind in LINKED for prefix in ("linked", "numTotal")),
            "thumbnail", "mediaUrls")


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


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _organization(value: Any) -> dict[str, Any] | None:
    """The Hub's organization object, from what a dump said; its avatar only as an http(s) URL."""
    if not isinstance(value, dict) or not _text(value.get("name")):
        return None
    avatar = http_url(value.get("avatarUrl") or value.get("avatar")) or ""
    return {"_id": _text(value.get("_id")) or value["name"], "name": value["name"],
            "fullname": _text(value.get("fullname")) or value["name"], "avatar": avatar, "avatarUrl": avatar}


def hub_fields(entry: Entry, base_url: str = "") -> dict[str, Any]:
    """What ``PaperInfo`` reads beside the paper's own text: summary and keywords (the Hub's, else the
    ones written offline at ingest; null for a paper without an abstract), code and project links,
    organization, and the repositories that link the paper."""
    p = entry.paper
    hf = p.extra.get("huggingface") if isinstance(p.extra.get("huggingface"), dict) else {}
    keywords = hf.get("ai_keywords")
    stars = hf.get("githubStars")
    out: dict[str, Any] = {  # the Hub's own summary and keywords when a dump brought them, else ours
        "ai_summary": _text(hf.get("ai_summary")) or p.gist,
        "ai_keywords": ([k for k in keywords if _text(k)] if isinstance(keywords, list) else None)
        or (list(p.keywords) or None),
        "githubRepo": http_url(p.links.get("code")),
        "githubStars": stars if type(stars) is int and stars >= 0 else None,
        "projectPage": http_url(p.links.get("project")),
        "organization": _organization(hf.get("organization")),
    }
    for kind in LINKED:
        out[f"linked{kind}"] = []
        out[f"numTotal{kind}"] = 0
    card = f"{base_url}/papers/{p.id}/card.png"  # the social preview this site makes, never a third party's
    out["thumbnail"], out["mediaUrls"] = card, [card]
    return out


def paper(entry: Entry, base_url: str = "") -> dict[str, Any]:
    """``base_url``: the site's address, before the card image's path."""
    p = entry.paper
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
    out.update(hub_fields(entry, base_url))
    return out


def daily_item(entry: Entry, base_url: str = "") -> dict[str, Any]:
    inner = paper(entry, base_url)
    item: dict[str, Any] = {
        "paper": inner,
        "publishedAt": timestamp(entry.submitted_at) or inner["publishedAt"],
        "title": entry.paper.title,
        "summary": entry.paper.abstract,
        "numComments": entry.comments,
        "isAuthorParticipating": False,
        **{key: inner[key] for key in HUB_KEYS},
    }
    if entry.submitter:
        item["submittedBy"] = user(entry.submitter, entry.submitter_name)
    return item
