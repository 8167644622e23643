"""The code repository and project page of a paper as people give them (the ``paper_links`` table).

A verified author's links are the paper's: they win over the links ingest found in the abstract and
comments. Anyone else who may give them (the submitter) only *suggests*: a suggestion is shown as one,
with who made it, and never replaces or adds to the paper's links (a stranger who submitted a paper
replaced its repository with an attacker's, on the page, the API and the markdown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import ColumnElement, Connection, delete, insert, literal, or_, select, update

from ..clock import utcnow
from ..errors import Forbidden, PaperboardError
from ..links import code_url, http_url
from ..models import Paper
from ..storage.papers import require_stored
from ..storage.schema import author_claims, paper_links, papers, users
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
    """Set (a URL) or clear (empty) each of ``links``' kinds; the links this user gives after. Who may
    is the caller's question (:meth:`paperboard.board.Paperboard.set_links`); whether they are the
    paper's or a suggestion depends on whether the user is a verified author."""
    require_stored(conn, paper_id)
    unknown = set(links) - set(KINDS)
    if unknown:
        raise PaperboardError(f"links are {' and '.join(KINDS)}, not {', '.join(sorted(unknown))}")
    checked = {kind: _checked(kind, url.strip()) if url and url.strip() else None
               for kind, url in links.items()}
    # one link of each kind is kept: an author's is replaced by another author only, never a suggestion
    author = conn.execute(select(_by_author(literal(paper_id), literal(user.id)))).scalar()
    if not author:
        for _pid, kind, _url, _who, by_author in _given_rows(conn, [paper_id]):
            if by_author and kind in checked:
                raise Forbidden(f"a verified author gave this paper's {kind} link: only an author changes it")
    for kind, url in checked.items():
        conn.execute(delete(paper_links).where(paper_links.c.paper_id == paper_id,
                                               paper_links.c.kind == kind))
        if url:
            conn.execute(insert(paper_links).values(paper_id=paper_id, kind=kind, url=url, user_id=user.id,
                                                    updated_at=utcnow()))
    # the search index answers has: from its own copy: the paper is indexed again
    conn.execute(update(papers).where(papers.c.id == paper_id).values(changed_at=utcnow()))
    return {kind: url for _pid, kind, url, who, _ in _given_rows(conn, [paper_id]) if who == user.username}


def _by_author(paper_id: ColumnElement[str], user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL: the user is a verified author of the paper."""
    return select(author_claims.c.id).where(author_claims.c.paper_id == paper_id,
                                            author_claims.c.user_id == user_id,
                                            author_claims.c.status == "confirmed").exists()


def _given_rows(conn: Connection, paper_ids: Sequence[str]):  # type: ignore[no-untyped-def]
    return conn.execute(
        select(paper_links.c.paper_id, paper_links.c.kind, paper_links.c.url, users.c.username,
               _by_author(paper_links.c.paper_id, paper_links.c.user_id).label("by_author"))
        .select_from(paper_links.outerjoin(users, users.c.id == paper_links.c.user_id))
        .where(paper_links.c.paper_id.in_(paper_ids)))


Suggestions = dict[str, dict[str, tuple[str, str]]]  # paper id -> {kind: (url, username)}


def with_suggestions(conn: Connection, papers: dict[str, Paper]) -> tuple[dict[str, Paper], Suggestions]:
    """``papers`` with the links their verified authors gave in place of those ingest found, and the
    links others suggested where they differ from those (one query for both)."""
    overrides: dict[str, dict[str, str]] = {}
    offered: list[tuple[str, str, str, str]] = []
    if papers:
        for pid, kind, url, who, by_author in _given_rows(conn, list(papers)):
            if by_author:
                overrides.setdefault(pid, {})[kind] = url
            else:
                offered.append((pid, kind, url, who))
    shown = {pid: replace(p, links={**p.links, **overrides[pid]}) if pid in overrides else p
             for pid, p in papers.items()}
    suggestions: Suggestions = {}
    for pid, kind, url, who in offered:
        if shown[pid].links.get(kind) != url:
            suggestions.setdefault(pid, {})[kind] = (url, who)
    return shown, suggestions


def with_given_links(conn: Connection, papers: dict[str, Paper]) -> dict[str, Paper]:
    """``papers`` with the links their verified authors gave in place of those ingest found."""
    return with_suggestions(conn, papers)[0]


def has_link(paper_id: ColumnElement[str], kind: str = "code") -> ColumnElement[bool]:
    """SQL: the paper ``paper_id`` names has a ``kind`` link (code, project), found at ingest or given
    by a verified author (a suggestion does not count)."""
    paper = papers.alias()  # never correlated away when ``paper_id`` is papers.id itself
    link = paper.c.links[kind].as_string()
    found = select(paper.c.id).where(paper.c.id == paper_id, link.is_not(None), link != "")
    given_link = select(paper_links.c.paper_id).where(
        paper_links.c.paper_id == paper_id, paper_links.c.kind == kind,
        _by_author(paper_links.c.paper_id, paper_links.c.user_id))
    return or_(found.exists(), given_link.exists())
