"""The filter language compiled to a Milvus boolean expression (pure), by the rules of
:mod:`paperboard.filter_rules`, over the scalar fields each paper's Milvus row carries
(:func:`filter_fields`):

- ``words``: the title, abstract and keywords as word terms match them (``" w w | w w | w "``);
- ``names``: each author's name as author terms match it (``" a b | c d "``);
- ``categories`` and ``has``: arrays of strings;
- ``day``: the paper's day as YYYYMMDD (0 when it has none).

Words and names are matched with ``LIKE "% needle %"``; a needle holds letters, digits and spaces only,
so nothing a person types reaches the expression as syntax. Other values are quoted string literals.
"""

from __future__ import annotations

from typing import Any

from ..filter_rules import GAP, name_column, needle, paper_day, paper_texts, words_column
from ..filter_terms import HAS, FilterTerms, Term
from ..models import Paper
from .lexical import day_number

NOTHING = "day < 0"  # no paper: a term that looks for nothing


def filter_fields(paper: Paper) -> dict[str, Any]:
    """The scalar fields of ``paper``'s row that :func:`expression` reads."""
    return {
        "words": words_column(paper_texts(paper)),
        "names": GAP.join(name_column(a.name) for a in paper.authors),
        "categories": list(dict.fromkeys(paper.categories)),
        "has": [kind for kind in HAS if paper.links.get(kind)],
        "day": day_number(paper_day(paper)),
    }


def _literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _term(term: Term) -> str:
    kind, value = term
    if kind == "category":
        return f"array_contains(categories, {_literal(value)})"
    if kind == "has":
        return f"array_contains(has, {_literal(value)})"
    found = needle(term)
    if not found:
        return NOTHING
    field = "names" if kind == "author" else "words"
    return f'{field} like "% {found} %"'


def expression(terms: FilterTerms) -> str:
    """``terms`` as one Milvus filter expression ("" when nothing narrows)."""
    parts = []
    if terms.since or terms.until:
        # a paper without a day (0) is in no range
        parts.append(f"day >= {day_number(terms.since) if terms.since else 1}")
        if terms.until:
            parts.append(f"day <= {day_number(terms.until)}")
    parts += ["(" + " or ".join(_term(t) for t in group) + ")" for group in terms.require]
    parts += [f"not ({_term(t)})" for t in terms.exclude]
    return " and ".join(parts)
