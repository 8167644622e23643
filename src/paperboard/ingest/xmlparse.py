"""Safe XML parsing shared by the OAI-PMH and Atom parsers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .errors import SourceError


def parse_xml(data: bytes, what: str) -> ET.Element:
    """Parse ``data``; DTDs are refused (arXiv never sends one), so entity expansion cannot blow up."""
    head = data[:2048].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise SourceError(f"{what}: refusing XML with a DTD or entity declarations")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        snippet = data[:80].decode("utf-8", "replace").strip()
        raise SourceError(f"{what}: not well-formed XML ({exc}); starts with {snippet!r}") from None


def text_of(el: ET.Element | None) -> str | None:
    if el is None:
        return None
    return "".join(el.itertext())
