"""TeX formulas in text as MathML (pure): what titles and abstracts write between dollars, rendered
through an allow-list of MathML elements and attributes; everything else escaped. Used by the site's
pages and by the HTML digest."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from latex2mathml.converter import convert as latex_to_mathml
from markupsafe import Markup

from .links import http_url, url_spans

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


def mathml(tex: str, display: bool) -> str | None:
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


def _linked(text: str) -> str:
    """``text`` escaped, its http(s) URLs as links that pass no credit (rel=nofollow)."""
    out, pos = [], 0
    for start, end, url in url_spans(text):
        safe = http_url(url)
        if safe is None:
            continue
        out += [html.escape(text[pos:start]),
                f'<a href="{html.escape(safe)}" rel="nofollow noopener">{html.escape(text[start:end])}</a>']
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def with_math(text: str, *, links: bool) -> str:
    """``text`` escaped, formulas as MathML (escaped TeX where they do not convert), and with ``links``
    its http(s) URLs as links."""
    out: list[str] = []
    pos = 0
    plain = _linked if links else html.escape
    for m in _MATH.finditer(text):
        out.append(plain(text[pos:m.start()]))
        tex = next(g for g in m.groups() if g is not None)
        display = m.group(1) is not None or m.group(4) is not None
        out.append(mathml(tex.strip(), display) or html.escape(m.group(0)))
        pos = m.end()
    out.append(plain(text[pos:]))
    return "".join(out)


@lru_cache(maxsize=8192)
def title_text(text: str) -> Markup:
    """A title for a page, a card or a mail: escaped, its TeX formulas as inline MathML; one line."""
    return Markup(" ".join(with_math(text, links=False).split()))
