"""The worker's thumbnails job: each submitted paper's first page, rendered from its arXiv PDF.

The PDF is read into memory (bounded by :data:`paperboard.images.MAX_PDF_BYTES`), its first page is
rendered and stored as a small PNG beside the paper, and the PDF is dropped: nothing of it is kept. A
paper whose PDF is missing or broken is marked so and not fetched again; when arXiv cannot be reached
(the machine is offline) the run stops and the next one goes on where it left. Cards show a generated
cover until the page is there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from ..ids import is_arxiv_id
from ..images import MAX_PDF_BYTES, ImageError, first_page_png
from ..storage import paper_images
from .arxiv_client import ArxivClient, ArxivUnavailable, Missing

PER_RUN = 40  # papers a run renders at most (arXiv asks for 3 s between requests: about two minutes)


def render_missing(engine: Engine, client: ArxivClient, pdf_url: str, *, limit: int = PER_RUN,
                   still_ours: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Render the first pages of up to ``limit`` submitted papers that have none; the counts."""
    counts: dict[str, Any] = {"rendered": 0, "failed": 0, "offline": False}
    with engine.connect() as conn:
        wanted = paper_images.without_thumbnail(conn, limit)
    for paper_id in wanted:
        still_ours()
        png, error = None, None
        if not is_arxiv_id(paper_id):
            error = "not an arXiv paper: no PDF to render"
        else:
            try:
                png = first_page_png(client.download(f"{pdf_url.rstrip('/')}/{paper_id}", MAX_PDF_BYTES))
            except ArxivUnavailable as exc:
                counts["offline"], counts["error"] = True, str(exc)
                break
            except (Missing, ImageError) as exc:
                error = str(exc)
        with engine.begin() as conn:
            paper_images.put(conn, paper_id, "thumb", png, error)
        counts["rendered" if png else "failed"] += 1
    with engine.connect() as conn:
        counts["left"] = paper_images.count_without_thumbnail(conn)  # for the next runs
    return counts
