"""Turning stored text into safe HTML (pure): abstracts with TeX math as MathML, comments as markdown.

Everything that is not produced by these functions is escaped by the templates; these functions escape
all text themselves and emit only elements from fixed allow-lists.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..search.excerpts import word_pattern

MAX_FORMULA = 400
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
MATHML_TAGS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt",
    "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
    "menclose", "mfenced", "merror", "semantics", "annotation", "mmultiscripts", "mprescripts", "none",
))
MATHML_ATTRIBUTES = frozenset((
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "movablelimits", "symmetric", "largeop", "minsize", "maxsize", "form", "columnalign",
    "rowalign", "rowspacing", "columnspacing", "columnlines", "rowlines", "frame", "width",
    "linethickness", "displaystyle", "scriptlevel", "notation", "mathsize", "depth", "height", "voffset",
    "open", "close", "separators", "columnspan", "rowspan", "align", "encoding",
))
# $$...$$, $...$, \(...\), \[...\], never across a blank line. As in pandoc, an inline $ opens only before
# a non-space and closes only after one and not before a digit, so "costs $5 and $10" stays text.
_BODY = r"(?:[^$\n]|\n(?![ \t]*\n))"
_MATH = re.compile(
    rf"(?<!\\)\$\$({_BODY}+?)\$\$"
    rf"|(?<![\\$])\$(?=[^\s$])({_BODY}+?)(?<=[^\s\\])\$(?!\d)"
    rf"|\\\(({_BODY}+?)\\\)|\\\[({_BODY}+?)\\\]"
)


def _safe_mathml(tex: str, display: bool) -> str | None:
    """MathML for ``tex`` re-serialised through an allow-list, or None if it cannot be trusted."""
    if len(tex) > MAX_FORMULA:
        return None
    try:
        raw = latex_to_mathml(tex, display="block" if display else "inline")
        root = ET.fromstring(raw)
    except Exception:  # latex2mathml raises many kinds of errors on malformed TeX
        return None
    for element in root.iter():
        tag = element.tag.removeprefix("{" + MATHML_NS + "}")
        if tag not in MATHML_TAGS:
            return None
        element.tag = tag
        for name in list(element.attrib):
            if name not in MATHML_ATTRIBUTES:
                del element.attrib[name]
    root.set("xmlns", MATHML_NS)
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)


@lru_cache(maxsize=4096)
def rich_text(text: str) -> Markup:
    """Escaped text with its TeX formulas rendered as MathML (left as escaped TeX when they do not
    convert); paragraphs on blank lines."""
    out: list[str] = []
    pos = 0
    for m in _MATH.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        tex = next(g for g in m.groups() if g is not None)
        display = m.group(1) is not None or m.group(4) is not None
        out.append(_safe_mathml(tex.strip(), display) or html.escape(m.group(0)))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    paragraphs = re.split(r"\n\s*\n", "".join(out).strip())
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


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])  # no remote images in comments (tracking pixels, layout breakage)

    def link_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "nofollow noopener ugc")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


_md = _markdown()


def markdown(text: str) -> Markup:
    """A comment's markdown as HTML: raw HTML is shown as text, unsafe link schemes are not linked."""
    return Markup(_md.render(text))
