"""The thumbnails job renders each submitted paper's first page from its PDF (served here by a loopback
stand-in for arXiv, from PDFs the test makes itself), keeps only a small PNG, marks the papers whose
PDF is missing or broken so they are not fetched again, and stops without marking anything when arXiv
cannot be reached."""

import io
import json

import pytest
from PIL import Image

from paperboard.images import THUMB_WIDTH
from paperboard.ingest.arxiv_client import ArxivClient
from paperboard.ingest.files_job import ingest_file
from paperboard.ingest.thumbnails import render_missing
from paperboard.storage import paper_images
from tests.functional.fake_arxiv import FakeArxiv
from tests.web.data import corpus_records, hf_daily_items

GREEN = (20, 160, 60)


def pdf_of(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (612, 792), colour).save(out, format="PDF")
    return out.getvalue()


@pytest.fixture
def submitted(engine, tmp_path):
    items = hf_daily_items(corpus_records(4))
    dump = tmp_path / "daily.json"
    dump.write_text(json.dumps(items))
    ingest_file(engine, str(dump))
    return [i["paper"]["id"] for i in items]


def test_first_pages_are_rendered_failures_remembered_and_an_offline_run_marks_nothing(engine, submitted):
    good, missing, broken, later = submitted
    fetched = []

    def handler(path, params):
        paper_id = path.removeprefix("/pdf/")
        fetched.append(paper_id)
        if paper_id == missing:
            return 404, {}, b"not found"
        if paper_id == broken:
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 this is not a PDF at all"
        return 200, {"Content-Type": "application/pdf"}, pdf_of(GREEN)

    with FakeArxiv(handler) as arxiv, ArxivClient(delay=0, retries=0, timeout=5) as client:
        counts = render_missing(engine, client, arxiv.url + "/pdf/", limit=3)
        assert counts["rendered"] + counts["failed"] == 3 and counts["left"] == 1 and not counts["offline"]
        rest = render_missing(engine, client, arxiv.url + "/pdf")
        assert rest["rendered"] + rest["failed"] == 1
        assert render_missing(engine, client, arxiv.url + "/pdf")["rendered"] == 0  # all tried: none again
    assert sorted(fetched) == sorted(submitted)  # each PDF fetched once
    with engine.connect() as conn:
        for paper_id in (good, later):
            png = Image.open(io.BytesIO(paper_images.get(conn, paper_id, "thumb")))
            assert png.format == "PNG" and png.width == THUMB_WIDTH and png.height > THUMB_WIDTH
            pixel = png.getpixel((THUMB_WIDTH // 2, 50))
            assert all(abs(a - b) <= 4 for a, b in zip(pixel, GREEN, strict=True))  # the PDF holds a JPEG
        assert paper_images.get(conn, missing, "thumb") is None
        assert paper_images.get(conn, broken, "thumb") is None
        assert paper_images.without_thumbnail(conn, 10) == []


def test_a_run_that_cannot_reach_arxiv_stops_and_leaves_the_papers_for_the_next(engine, submitted):
    with ArxivClient(delay=0, retries=0, timeout=2) as client:
        counts = render_missing(engine, client, "http://127.0.0.1:9/pdf")
    assert counts["offline"] and counts["rendered"] == counts["failed"] == 0 and counts["left"] == 4
    with engine.connect() as conn:
        assert sorted(paper_images.without_thumbnail(conn, 10)) == sorted(submitted)


def test_an_oversized_pdf_is_not_read_past_its_limit(engine, submitted, monkeypatch):
    monkeypatch.setattr("paperboard.ingest.thumbnails.MAX_PDF_BYTES", 1000)
    with FakeArxiv(lambda path, params: (200, {}, pdf_of(GREEN) + b"\0" * 5000)) as arxiv, \
            ArxivClient(delay=0, retries=0, timeout=5) as client:
        counts = render_missing(engine, client, arxiv.url + "/pdf", limit=1)
    assert counts["failed"] == 1
    with engine.connect() as conn:
        assert paper_images.get(conn, submitted[0], "thumb") is None
        assert len(paper_images.without_thumbnail(conn, 10)) == 3
