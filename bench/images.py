"""What the site's pictures cost on this machine: a first page rendered from a PDF, the PNG social
preview, a generated cover, an identicon and an uploaded picture re-encoded (paperboard.images).

The PDFs are made here (no network) by Pillow, which writes a page as one image: a page of text and a
page of noise (the worst case for the image's size). Real arXiv first pages are vector text and
figures; their cost was not measured here (the machine cannot fetch them).

    .venv/bin/python bench/images.py [--markdown]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from PIL import Image, ImageDraw

from paperboard import images

TITLE = "Sparse Mixture-of-Experts Language Models Learn to Route by Topic, Not by Token Position"


def _pdf(textual: bool) -> bytes:
    page = Image.new("RGB", (1275, 1650), "white")  # US Letter at 150 dpi
    if textual:
        draw = ImageDraw.Draw(page)
        for line in range(60):
            draw.text((100, 100 + line * 24), "Lorem ipsum dolor sit amet, consectetur adipiscing " * 2,
                      fill="black")
    else:
        page = Image.effect_noise((1275, 1650), 60).convert("RGB")
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150)
    return out.getvalue()


def _time(work, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    work()  # the first call loads what it needs (PDFium, the font)
    spent = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), max(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    text_pdf, image_pdf = _pdf(True), _pdf(False)
    upload = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 90, 160)).save(upload, format="JPEG", quality=90)
    rows = {
        f"first page of a text PDF ({len(text_pdf) // 1024} kB) as a 240 px PNG":
            lambda: images.first_page_png(text_pdf),
        f"first page of a full-page-image PDF ({len(image_pdf) // 1024} kB) as a 240 px PNG":
            lambda: images.first_page_png(image_pdf),
        "social preview PNG, 1200×630": lambda: images.preview_png(TITLE, "A. Author, B. Author and 4 more",
                                                                    "2501.01234 · 2025-01-02 · cs.LG"),
        "generated cover (SVG)": lambda: images.cover_svg("2501.01234", TITLE, "cs.LG"),
        "identicon (SVG)": lambda: images.identicon_svg("someone"),
        "uploaded 1200×900 JPEG re-encoded as a 128 px PNG": lambda: images.avatar_png(upload.getvalue()),
    }
    results = {name: _time(work, args.repeat) for name, work in rows.items()}
    if args.markdown:
        print("| picture | median ms | slowest ms |")
        print("| --- | ---: | ---: |")
        for name, (median, slowest) in results.items():
            print(f"| {name} | {median:.2f} | {slowest:.2f} |")
    else:
        for name, (median, slowest) in results.items():
            print(f"{name}: median {median:.2f} ms, slowest {slowest:.2f} ms")


if __name__ == "__main__":
    main()
