"""The site's pictures through HTTP: every card has a thumbnail (a generated cover until the worker has
rendered the first page), each paper a PNG social preview made once, each account a face (an identicon,
or an upload that is checked and re-encoded). Hostile uploads are refused with a 400 and lose nothing."""

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from paperboard.storage import paper_images
from paperboard.web.app import create_app
from paperboard.web.security import Limit
from tests.web.conftest import csrf, sign_up, sites

populated = sites("sqlite", "postgres")


def png_of(size=(300, 200), colour=(200, 30, 30), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def test_every_card_has_a_thumbnail_a_cover_until_the_first_page_is_rendered(client, populated):
    page = client.get("/").text
    cards = re.findall(r'<article class="entry">.*?</article>', page, re.S)
    assert cards
    for card in cards:
        paper_id = re.search(r'<h2><a href="/papers/([^"]+)"', card).group(1)
        assert f'<img src="/papers/{paper_id}/thumbnail" alt="" width="72" height="93"' in card
    paper_id = re.search(r'<h2><a href="/papers/([^"]+)"', cards[0]).group(1)
    cover = client.get(f"/papers/{paper_id}/thumbnail")
    assert cover.status_code == 200 and cover.headers["content-type"] == "image/svg+xml"
    assert "default-src 'none'" in cover.headers["content-security-policy"]
    assert "<script" not in cover.text and paper_id in cover.text
    rendered = png_of((240, 310), (10, 120, 200))
    with populated.engine.begin() as conn:
        assert paper_images.put(conn, paper_id, "thumb", rendered)
    try:
        thumb = client.get(f"/papers/{paper_id}/thumbnail")
        assert thumb.headers["content-type"] == "image/png" and thumb.content == rendered
        again = client.get(f"/papers/{paper_id}/thumbnail", headers={"If-None-Match": thumb.headers["etag"]})
        assert again.status_code == 304 and not again.content
    finally:
        with populated.engine.begin() as conn:
            paper_images.forget(conn, [paper_id])
    assert client.get("/papers/2501.99999/thumbnail").status_code == 404


def test_a_papers_social_preview_is_a_png_made_once(client, populated):
    paper_id = populated.records[5]["id"]
    page = client.get(f"/papers/{paper_id}").text
    assert f'<meta property="og:image" content="http://127.0.0.1:8000/papers/{paper_id}/card.png">' in page
    first = client.get(f"/papers/{paper_id}/card.png")
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(first.content)).size == (1200, 630)
    with populated.engine.connect() as conn:
        assert paper_images.get(conn, paper_id, "og") == first.content  # kept: not made again
    assert client.get(f"/papers/{paper_id}/card.png").content == first.content
    assert client.get("/papers/2501.99999/card.png").status_code == 404


def test_making_previews_is_rate_limited_per_client(populated):
    app = create_app(populated.config, engine=populated.engine, search=populated.search,
                     limits={"preview": Limit(2, 60)}, fetch_from_arxiv=False, cache_seconds=0)
    ids = [r["id"] for r in populated.records[10:14]]
    with TestClient(app) as c:
        answers = [c.get(f"/papers/{i}/card.png").status_code for i in ids]
        assert answers[0] == 200 and answers[-1] == 429 and answers.count(200) <= 2  # (shared counts)
        assert c.get(f"/papers/{ids[0]}/card.png").status_code == 200  # a kept one costs nothing


def test_faces_identicon_upload_refusals_and_removal(client, populated):
    pattern = client.get("/users/nobody-at-all/avatar")
    assert pattern.status_code == 200 and pattern.headers["content-type"] == "image/svg+xml"
    sign_up(client, "facey")
    token = csrf(client, "/account")

    def upload(data: bytes, name="me.png", kind="image/png"):
        return client.post("/account/avatar", data={"csrf_token": token},
                           files={"picture": (name, data, kind)}, follow_redirects=False)

    assert upload(png_of(fmt="JPEG"), "me.jpg", "image/jpeg").status_code == 303
    face = client.get("/users/facey/avatar")
    assert face.headers["content-type"] == "image/png"
    stored = Image.open(io.BytesIO(face.content))
    assert stored.size == (128, 128) and stored.format == "PNG"  # re-encoded, never as sent
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    for data, name, kind in [(svg, "x.svg", "image/svg+xml"), (b"GIF89a" + b"\0" * 50, "x.gif", "image/gif"),
                             (b"", "empty.png", "image/png"), (b"\x89PNG" + b"x" * 950_000, "big.png", "image/png")]:
        refused = upload(data, name, kind)
        assert refused.status_code == 400, (name, refused.status_code)
        assert "picture was refused" in refused.text
    assert client.get("/users/facey/avatar").content == face.content  # what was stored is kept
    no_csrf = client.post("/account/avatar", files={"picture": ("a.png", png_of(), "image/png")})
    assert no_csrf.status_code == 403
    gone = client.post("/account/avatar", data={"csrf_token": token, "remove": "1"}, follow_redirects=False)
    assert gone.status_code == 303
    assert client.get("/users/facey/avatar").headers["content-type"] == "image/svg+xml"
    client.post("/signout", data={"csrf_token": csrf(client, "/")})


@pytest.mark.parametrize("size", [(20_000, 20_000)])
def test_a_picture_that_would_decode_to_too_many_pixels_is_refused(client, size):
    sign_up(client, "bomber")
    out = io.BytesIO()
    Image.new("1", size).save(out, format="PNG")  # a few kB that would decode to 400 million pixels
    r = client.post("/account/avatar", data={"csrf_token": csrf(client, "/account")},
                    files={"picture": ("bomb.png", out.getvalue(), "image/png")})
    assert r.status_code == 400 and "pixels" in r.text
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
