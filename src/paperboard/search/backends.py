"""The search backends behind one interface (:class:`paperboard.search.querying.HybridSearch`'s search
and similar papers, and the catch-up, rebuild and status each keeps): which one a site uses."""

from __future__ import annotations

from pathlib import Path

from .embedders import Embedder
from .milvus import MilvusSearch
from .service import SearchIndex

SearchBackend = SearchIndex | MilvusSearch


def open_search(search_url: str, data_dir: Path, embedder: str | Embedder) -> SearchBackend:
    """Milvus at ``search_url`` when one is set, else the embedded index in ``data_dir``."""
    return MilvusSearch(search_url, embedder) if search_url else SearchIndex(data_dir, embedder)
