"""The filter language (:class:`paperboard.filter_terms.FilterTerms`) compiled to one SQL condition, the
same on SQLite and PostgreSQL, by the rules of :mod:`paperboard.filter_rules`: words, phrases and authors
match the stored word columns (``LIKE '% needle %'``), categories their rows, has: the links, and dates
the paper's day."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true

from ..community.paper_links import has_link
from ..filter_rules import needle
from ..filter_terms import FilterTerms, Term
from ..storage.schema import paper_authors, paper_categories, paper_gists, paper_words, papers


def _term(paper_id: ColumnElement[str], term: Term) -> ColumnElement[bool]:
    kind, value = term
    if kind == "category":
        return exists().where(paper_categories.c.paper_id == paper_id, paper_categories.c.category == value)
    if kind == "has":
        return has_link(paper_id, value)
    found = needle(term)
    if not found:
        return false()
    pattern = f" {found} "
    if kind == "author":
        return exists().where(paper_authors.c.paper_id == paper_id,
                              paper_authors.c.name_words.contains(pattern, autoescape=True))
    return or_(exists().where(paper_words.c.paper_id == paper_id,
                              paper_words.c.words.contains(pattern, autoescape=True)),
               exists().where(paper_gists.c.paper_id == paper_id,
                              paper_gists.c.words.contains(pattern, autoescape=True)))


def conditions(terms: FilterTerms | None, paper_id: ColumnElement[str]) -> ColumnElement[bool]:
    """One condition: the paper ``paper_id`` names meets ``terms`` (true when there are none)."""
    if not terms:
        return true()
    parts = [or_(*(_term(paper_id, t) for t in group)) for group in terms.require]
    parts += [not_(_term(paper_id, t)) for t in terms.exclude]
    if terms.since or terms.until:
        paper = papers.alias()  # never correlated away when ``paper_id`` is papers.id itself
        day = func.coalesce(paper.c.listed, paper.c.published)  # filter_rules.paper_day
        dated = select(paper.c.id).where(paper.c.id == paper_id)
        if terms.since:
            dated = dated.where(day >= terms.since)
        if terms.until:
            dated = dated.where(day <= terms.until)
        parts.append(dated.exists())
    return and_(*parts)
