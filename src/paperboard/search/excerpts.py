"""What a search result shows of a paper (pure): the words of the text that answer the query (whole
words, content words, matched by their English stem, so "models" finds "model" and "modelling"), and
a plain-text excerpt around the first of them, cut at word boundaries. Marking them up is the web
layer's job (:func:`paperboard.web.render.highlight`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .hybrid import STOPWORDS

_WORD = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)


def _content(word: str) -> bool:
    return len(word) > 2 and word.lower() not in STOPWORDS


def matching_words(text: str, terms: Iterable[str], stem: Callable[[str], str]) -> list[str]:
    """The distinct words of ``text`` (lower case, in order of appearance) whose stem is the stem of a
    content word among ``terms``."""
    wanted = {stem(t) for t in terms if _content(t)} - {""}
    found: dict[str, None] = {}
    if not wanted:
        return []
    for m in _WORD.finditer(text):
        word = m.group(0).lower()
        if word not in found and _content(word) and stem(word) in wanted:
            found[word] = None
    return list(found)


def excerpt(text: str, words: Iterable[str], width: int = 240) -> str:
    """About ``width`` characters of ``text`` around the first of ``words`` (whole words), cut at word
    boundaries, with an ellipsis where text was left out; TeX dollars kept as written."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    pattern = word_pattern(words)
    first = pattern.search(flat) if pattern else None
    start = max(0, first.start() - width // 3) if first else 0
    if start:  # begin at a word
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else start + 30) else start
    end = start + width
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start else "") + flat[start:end].rstrip(",;:") + ("…" if end < len(flat) else "")


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for any of ``words`` as a whole word, any case (None for no words)."""
    alternatives = sorted({w for w in words if w}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in alternatives) + r")(?![\w-])",
                      re.IGNORECASE)
