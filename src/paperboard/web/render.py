"""Turning stored text into safe HTML (pure): abstracts with TeX math as MathML, comments as markdown.

Everything that is not produced by these functions is escaped by the templates; these functions escape
all text themselves and emit only elements from fixed allow-lists.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

from ..search.excerpts import word_pattern
from ..tex import mathml, with_math


@lru_cache(maxsize=4096)
def rich_text(text: str) -> Markup:
    """Escaped text with its TeX formulas rendered as MathML (left as escaped TeX when they do not
    convert) and its URLs as links; paragraphs on blank lines."""
    paragraphs = re.split(r"\n\s*\n", with_math(text, links=True).strip())
    return Markup("".join(f"<p>{' '.join(p.split())}</p>" for p in paragraphs if p))


def highlight(text: str, words: list[str] | tuple[str, ...]) -> Markup:
    """``text`` escaped, each whole occurrence of one of ``words`` (any case) in <mark>."""
    pattern = word_pattern(words)
    if pattern is None:
        return Markup(html.escape(text))
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [html.escape(text[pos:m.start()]), "<mark>", html.escape(m.group(0)), "</mark>"]
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return Markup("".join(out))


def _formula(tex: str, options: dict) -> str:  # type: ignore[type-arg]
    display = bool(options.get("display_mode"))
    fence = "$$" if display else "$"
    return mathml(tex.strip(), display) or html.escape(fence + tex + fence)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])  # no remote images in comments (tracking pixels, layout breakage)
    # $...$ and $$...$$ as MathML through the same allow-list as abstracts; "costs $5 and $10" stays text
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True, renderer=_formula)

    def link_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "nofollow noopener ugc")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


_md = _markdown()


def markdown(text: str) -> Markup:
    """A comment's markdown as HTML: raw HTML is shown as text, unsafe link schemes are not linked, TeX
    between dollars is MathML."""
    return Markup(_md.render(text))
