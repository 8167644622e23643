"""What the embedder reads of a paper (pure): the whole text, and the passages of its abstract."""

from __future__ import annotations

import re

from ..models import Paper

# a sentence ends at . ! or ? followed by space and a capital, a digit or an opening bracket; "e.g. the"
# and "Fig. 3" stay inside their sentence often enough, and a wrong cut only shifts a window
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def document_text(paper: Paper) -> str:
    """What the embedder sees of a paper."""
    return f"{paper.title}. {paper.abstract}" if paper.abstract else paper.title


def sentences(text: str) -> list[str]:
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


def passages(abstract: str, size: int = 2) -> list[str]:
    """Overlapping windows of ``size`` consecutive sentences (one per sentence start, the last window
    ending with the last sentence); a short abstract is one passage, an empty one none."""
    parts = sentences(abstract)
    if len(parts) <= size:
        return [" ".join(parts)] if parts else []
    return [" ".join(parts[i : i + size]) for i in range(len(parts) - size + 1)]
