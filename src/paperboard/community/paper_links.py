"""The code repository and project page of a paper as its authors or its submitter give them (the
``paper_links`` table); they win over the links ingest found in the abstract and comments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import ColumnElement, Connection, delete, insert, or_, select, update

from ..clock import utcnow
from ..errors import PaperboardError
from ..links import code_url, http_url
from ..models import Paper
from ..storage.papers import require_stored
from ..storage.schema import paper_links, papers
from .accounts import User

KINDS = ("code", "project")  # as Paper.links names them: githubRepo and projectPage in the Hub's JSON


def _checked(kind: str, url: str) -> str:
    found = http_url(url)
    if found is None:
        raise PaperboardError(f"the {kind} link must be an http(s) URL, not {url[:100]!r}")
    if kind == "code":
        repo = code_url(found)
        if repo is None:
            raise PaperboardError("the code link must point to a repository on GitHub, GitLab, Bitbucket or "
                                  "Codeberg")
        return repo
    return found


def set_links(conn: Connection, paper_id: str, user: User, links: dict[str, str | None]) -> dict[str, str]:
    """Set (a URL) or clear (empty) each of ``links``' kinds; the paper's links after. Who may is the
    caller's question (:meth:`paperboard.board.Paperboard.set_links`)."""
    require_stored(conn, paper_id)
    unknown = set(links) - set(KINDS)
    if unknown:
        raise PaperboardError(f"links are {' and '.join(KINDS)}, not {', '.join(sorted(unknown))}")
    checked = {kind: _checked(kind, url.strip()) if url and url.strip() else None
               for kind, url in links.items()}
    for kind, url in checked.items():
        conn.execute(delete(paper_links).where(paper_links.c.paper_id == paper_id,
                                               paper_links.c.kind == kind))
        if url:
            conn.execute(insert(paper_links).values(paper_id=paper_id, kind=kind, url=url, user_id=user.id,
                                                    updated_at=utcnow()))
    # the search index answers has: from its own copy: the paper is indexed again
    conn.execute(update(papers).where(papers.c.id == paper_id).values(changed_at=utcnow()))
    return given(conn, [paper_id]).get(paper_id, {})


def given(conn: Connection, paper_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """paper id -> {kind: url} of the links people gave."""
    out: dict[str, dict[str, str]] = {}
    if paper_ids:
        rows = conn.execute(select(paper_links.c.paper_id, paper_links.c.kind, paper_links.c.url)
                            .where(paper_links.c.paper_id.in_(paper_ids)))
        for pid, kind, url in rows:
            out.setdefault(pid, {})[kind] = url
    return out


def with_given_links(conn: Connection, papers: dict[str, Paper]) -> dict[str, Paper]:
    """``papers`` with the links people gave in place of those ingest found."""
    overrides = given(conn, list(papers))
    return {pid: replace(p, links={**p.links, **overrides[pid]}) if pid in overrides else p
            for pid, p in papers.items()}


def has_link(paper_id: ColumnElement[str], kind: str = "code") -> ColumnElement[bool]:
    """SQL: the paper ``paper_id`` names has a ``kind`` link (code, project), found at ingest or given
    by a person."""
    found = select(papers.c.id).where(papers.c.id == paper_id, papers.c.links[kind].as_string().is_not(None))
    given_link = select(paper_links.c.paper_id).where(paper_links.c.paper_id == paper_id,
                                                      paper_links.c.kind == kind)
    return or_(found.exists(), given_link.exists())
