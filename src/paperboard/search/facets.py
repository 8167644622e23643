"""Facets of a search (pure): what the first results' arXiv categories and years are, each a filter term
that narrows the search when added to it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..ids import is_arxiv_category

POOL = 100  # the results facets are counted over
SHOWN = 8


@dataclass(frozen=True, slots=True)
class Facet:
    label: str
    term: str  # what the query gets to keep only these papers
    count: int


def facets(categories: Sequence[Sequence[str]], published: Sequence[str | None],
           query: str) -> dict[str, list[Facet]]:
    """Per kind, the most common values among the results (their categories and publication dates, in
    rank order), leaving out those the query already asks for."""
    asked = query.lower()
    cats = Counter(c for codes in categories for c in dict.fromkeys(codes) if is_arxiv_category(c))
    years = Counter(day[:4] for day in published if day and day[:4].isdigit())
    return {
        "Category": [Facet(c, f"category:{c}", n) for c, n in cats.most_common()
                     if f"category:{c.lower()}" not in asked][:SHOWN],
        "Year": [Facet(y, f"since:{y} until:{y}", n) for y, n in sorted(years.items(), reverse=True)
                 if f"since:{y}" not in asked][:SHOWN],
    }
