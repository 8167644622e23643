"""What the embedder reads of a paper (pure): the whole text, and the passages of its abstract."""

from __future__ import annotations

from ..models import Paper
from ..text import sentences


def document_text(paper: Paper) -> str:
    """What the embedder sees of a paper."""
    return f"{paper.title}. {paper.abstract}" if paper.abstract else paper.title


def passages(abstract: str, size: int = 2) -> list[str]:
    """Overlapping windows of ``size`` consecutive sentences (one per sentence start, the last window
    ending with the last sentence); a short abstract is one passage, an empty one none."""
    parts = sentences(abstract)
    if len(parts) <= size:
        return [" ".join(parts)] if parts else []
    return [" ".join(parts[i : i + size]) for i in range(len(parts) - size + 1)]
