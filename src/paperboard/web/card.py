"""A paper's card (pure): an SVG image with its title, authors and date (the PNG one that link previews
show is :func:`paperboard.images.preview_png`, with the same words)."""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape

from ..models import Paper

WIDTH, HEIGHT = 1200, 630
TITLE_LINES, TITLE_WIDTH = 4, 34  # characters per line at the title's size


def byline_and_facts(paper: Paper) -> tuple[str, str]:
    """What a card says under the title: the first authors, and the id, date and category."""
    names = [a.name for a in paper.authors]
    authors = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    when = paper.published or paper.listed
    facts = " · ".join(x for x in (paper.id, when.isoformat() if when else "",
                                   paper.primary_category or "") if x)
    return authors, facts


def card_svg(paper: Paper) -> str:
    lines = textwrap.wrap(" ".join(paper.title.replace("$", "").split()), TITLE_WIDTH) or [paper.id]
    if len(lines) > TITLE_LINES:
        lines = lines[:TITLE_LINES]
        lines[-1] = lines[-1][: TITLE_WIDTH - 1].rstrip() + "…"
    authors, facts = byline_and_facts(paper)
    title = "".join(f'<tspan x="80" dy="{0 if i == 0 else 78}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(paper.title, {chr(34): "&quot;"})}">'
        '<rect width="100%" height="100%" fill="#fdfdfc"/>'
        '<rect x="0" y="0" width="24" height="100%" fill="#b4451f"/>'
        '<text x="80" y="110" font-family="Georgia, serif" font-size="30" fill="#b4451f">Paperboard</text>'
        f'<text x="80" y="220" font-family="Georgia, serif" font-size="64" font-weight="bold" '
        f'fill="#1d1d1f">{title}</text>'
        f'<text x="80" y="530" font-family="Helvetica, Arial, sans-serif" font-size="30" '
        f'fill="#1d1d1f">{escape(authors[:90])}</text>'
        f'<text x="80" y="580" font-family="Helvetica, Arial, sans-serif" font-size="26" '
        f'fill="#6b6b70">{escape(facts)}</text>'
        "</svg>"
    )
