"""The filter language's terms (:mod:`paperboard.filter_terms`) as SQL conditions on the papers a feed
lists: categories, authors (by part of the name), links, dates and exclusions, words and phrases as
case-insensitive text of the title and abstract."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true

from ..community.paper_links import has_link
from ..filter_terms import FilterTerms, Term
from ..storage.schema import paper_authors, paper_categories, papers


def _term(paper_id: ColumnElement[str], term: Term) -> ColumnElement[bool]:
    kind, value = term
    if kind == "category":
        return exists().where(paper_categories.c.paper_id == paper_id, paper_categories.c.category == value)
    if kind == "author":
        return exists().where(paper_authors.c.paper_id == paper_id,
                              func.lower(paper_authors.c.name).contains(value.lower(), autoescape=True))
    if kind == "has":
        return has_link(paper_id, value)
    text = func.lower(papers.c.title + " " + papers.c.abstract)
    words = " ".join(value.split()).lower()
    if not words:
        return false()
    return select(papers.c.id).where(papers.c.id == paper_id, text.contains(words, autoescape=True)).exists()


def conditions(terms: FilterTerms | None, paper_id: ColumnElement[str]) -> ColumnElement[bool]:
    """One condition: the paper ``paper_id`` names meets ``terms`` (true when there are none)."""
    if not terms:
        return true()
    parts = [or_(*(_term(paper_id, t) for t in group)) for group in terms.require]
    parts += [not_(_term(paper_id, t)) for t in terms.exclude]
    if terms.since or terms.until:
        # a paper's day as search reads it: listed, or published for one that arXiv's API gave (the
        # papers people submit), which has no listing day
        day = func.coalesce(papers.c.listed, papers.c.published)
        dated = select(papers.c.id).where(papers.c.id == paper_id)
        if terms.since:
            dated = dated.where(day >= terms.since)
        if terms.until:
            dated = dated.where(day <= terms.until)
        parts.append(dated.exists())
    return and_(*parts)
