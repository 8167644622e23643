"""The pictures the site shows, all made here (pure): a paper's first page rendered from its PDF, a
generated cover for a paper without one, its social preview (a PNG, which every platform shows), and
each account's face (a generated identicon, or an upload re-encoded so that nothing is served as sent).

Untrusted bytes (a PDF from the network, an uploaded picture) are bounded before they are decoded:
their size, the pixels they may expand to, and the pages that are read (only the first)."""

from __future__ import annotations

import hashlib
import io
import textwrap
from functools import cache
from xml.sax.saxutils import escape

THUMB_WIDTH = 240  # pixels across a rendered first page (cards show it at 60 px, twice that on HiDPI)
MAX_PDF_BYTES = 40 * 1024 * 1024  # arXiv's PDFs are rarely over 20 MB
MAX_PAGE_POINTS = 3000  # a first page larger than this (in points, either side) is not a paper's
AVATAR_SIZE = 128
MAX_AVATAR_BYTES = 900_000  # under the site's limit on a request body (1 MB)
MAX_AVATAR_PIXELS = 40_000_000  # what an upload may decode to (a "decompression bomb" is refused)
AVATAR_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
PREVIEW_SIZE = (1200, 630)  # the OpenGraph image size the big platforms ask for
ACCENT = (180, 69, 31)
INK = (29, 29, 31)
MUTED = (107, 107, 112)


class ImageError(ValueError):
    """Bytes that are not a picture (or PDF) this module will decode, with the reason."""


def first_page_png(pdf: bytes, width: int = THUMB_WIDTH) -> bytes:
    """The first page of ``pdf`` as a PNG ``width`` pixels across."""
    import pypdfium2 as pdfium  # its native library loads on first use, not with the site

    if len(pdf) > MAX_PDF_BYTES:
        raise ImageError(f"the PDF is over {MAX_PDF_BYTES // 2**20} MB")
    if not pdf.startswith(b"%PDF-"):
        raise ImageError("not a PDF")
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise ImageError(f"an unreadable PDF ({exc})") from None
    try:
        if len(document) == 0:
            raise ImageError("the PDF has no pages")
        page = document[0]
        page_width, page_height = page.get_size()
        if not (0 < page_width <= MAX_PAGE_POINTS and 0 < page_height <= MAX_PAGE_POINTS):
            raise ImageError("the first page has an impossible size")
        bitmap = page.render(scale=width / page_width)
        image = bitmap.to_pil().convert("RGB")
    finally:
        document.close()
    return _png(image)


def _png(image) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _hue(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:2], "big") % 360


def cover_svg(paper_id: str, title: str, category: str | None) -> str:
    """A page-shaped cover for a paper whose first page is not rendered (offline, or not yet): its
    title on a colour its primary category picks, so neighbouring cards tell fields apart."""
    hue = _hue(category or "paper")
    lines = textwrap.wrap(" ".join(title.replace("$", "").split()), 16)[:7] or [paper_id]
    text = "".join(f'<tspan x="14" dy="{0 if i == 0 else 19}">{escape(line)}</tspan>'
                   for i, line in enumerate(lines))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="310" viewBox="0 0 160 207">'
        f'<rect width="160" height="207" fill="hsl({hue},35%,96%)"/>'
        f'<rect width="160" height="8" fill="hsl({hue},45%,42%)"/>'
        f'<text x="14" y="36" font-family="Georgia, serif" font-size="15" fill="#1d1d1f">{text}</text>'
        f'<text x="14" y="194" font-family="Helvetica, Arial, sans-serif" font-size="11" '
        f'fill="hsl({hue},45%,32%)">{escape(category or "")} {escape(paper_id)}</text>'
        "</svg>"
    )


@cache
def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    return ImageFont.load_default(size=size)  # the font inside Pillow's wheel: nothing to install


def _wrapped(draw, text: str, font, width: int, most: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``text`` in at most ``most`` lines no wider than ``width`` pixels (the last one cut with …)."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + " …"
    return lines


def preview_png(title: str, authors: str, facts: str) -> bytes:
    """The social preview of a paper's page: title, authors, and its id, date and category."""
    from PIL import Image, ImageDraw

    width, height = PREVIEW_SIZE
    image = Image.new("RGB", PREVIEW_SIZE, (253, 253, 252))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, height), fill=ACCENT)
    draw.text((80, 70), "Paperboard", font=_font(34), fill=ACCENT)
    title_font = _font(60)
    y = 160
    for line in _wrapped(draw, " ".join(title.replace("$", "").split()), title_font, width - 160, 4):
        draw.text((80, y), line, font=title_font, fill=INK)
        y += 76
    byline = _wrapped(draw, authors, _font(30), width - 160, 1)
    draw.text((80, 505), byline[0] if byline else "", font=_font(30), fill=INK)
    draw.text((80, 555), facts, font=_font(26), fill=MUTED)
    return _png(image)


def identicon_svg(name: str) -> str:
    """A face for an account without an upload: a five by five mirrored pattern and a colour from its name."""
    digest = hashlib.sha256(name.lower().encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    cells = []
    for row in range(5):
        for col in range(3):
            if digest[2 + row * 3 + col] % 2:
                for x in {col, 4 - col}:
                    cells.append(f'<rect x="{x + 1}" y="{row + 1}" width="1" height="1"/>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 7 7" '
            'shape-rendering="crispEdges">'
            f'<rect width="7" height="7" fill="hsl({hue},40%,94%)"/>'
            f'<g fill="hsl({hue},50%,45%)">{"".join(cells)}</g></svg>')


def avatar_png(upload: bytes) -> bytes:
    """An uploaded picture as a square PNG of AVATAR_SIZE pixels: decoded only when it is small
    enough, only from the formats listed, and re-encoded (what was sent, metadata and all, is gone)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not upload:
        raise ImageError("the file is empty")
    if len(upload) > MAX_AVATAR_BYTES:
        raise ImageError(f"a picture may have at most {MAX_AVATAR_BYTES // 1000} kB")
    try:
        with Image.open(io.BytesIO(upload), formats=sorted(AVATAR_FORMATS)) as image:
            if image.width * image.height > MAX_AVATAR_PIXELS:
                raise ImageError("the picture has too many pixels")
            image.seek(0)  # the first frame of an animation
            square = ImageOps.fit(ImageOps.exif_transpose(image).convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE))
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError("the picture has too many pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageError("not a PNG, JPEG, GIF or WebP picture") from None
    return _png(square)
