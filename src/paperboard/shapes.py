"""JSON shapes that more than one front end answers in (pure), so that the JSON API, the MCP tools and
the CLI's ``--format json`` name their fields alike. A paper's shapes are the Hugging Face API's
(:mod:`paperboard.hf_json`); a search hit's is :meth:`paperboard.search.querying.Hit.as_dict`."""

from __future__ import annotations

from typing import Any


def vote(paper_id: str, upvotes: int, upvoted: bool) -> dict[str, Any]:
    """A paper's upvotes after a reader's vote, and whether that reader's vote now stands."""
    return {"id": paper_id, "upvotes": upvotes, "upvoted": upvoted}
