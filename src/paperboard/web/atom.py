"""Atom feeds (RFC 4287) of feed entries (pure); ElementTree escapes every value."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..feeds.entries import Entry
from ..hf_json import timestamp
from ..links import http_url
from ..text import plain_excerpt, xml_safe

ATOM = "http://www.w3.org/2005/Atom"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    el.text = xml_safe(text)  # ElementTree escapes markup but writes forbidden characters as they are
    return el


def atom_feed(*, title: str, feed_url: str, page_url: str, base_url: str, entries: Sequence[Entry],
              now: dt.datetime) -> bytes:
    feed = ET.Element("feed", {"xmlns": ATOM})
    _text(feed, "title", title)
    _text(feed, "id", feed_url)
    ET.SubElement(feed, "link", {"rel": "self", "href": feed_url})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": page_url})
    times = [e.submitted_at for e in entries if e.submitted_at]
    _text(feed, "updated", timestamp(max(times) if times else now) or "")
    _text(feed, "generator", "Paperboard")
    for e in entries:
        p = e.paper
        item = ET.SubElement(feed, "entry")
        url = f"{base_url}/papers/{p.id}"
        _text(item, "title", p.title)
        _text(item, "id", url)
        ET.SubElement(item, "link", {"rel": "alternate", "type": "text/html", "href": url})
        if pdf := http_url(p.links.get("pdf")):
            ET.SubElement(item, "link", {"rel": "related", "type": "application/pdf", "href": pdf})
        when = e.submitted_at or p.updated or p.published or p.listed
        _text(item, "updated", timestamp(when or now) or "")
        if p.published or p.listed:
            _text(item, "published", timestamp(p.published or p.listed) or "")
        for a in p.authors:
            _text(ET.SubElement(item, "author"), "name", a.name)
        for c in p.categories:
            ET.SubElement(item, "category", {"term": xml_safe(c)})
        votes = f"{e.upvotes} upvote{'s' if e.upvotes != 1 else ''}. " if e.upvotes else ""
        _text(item, "summary", votes + plain_excerpt(p.abstract, 1200))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8",
                                                                      xml_declaration=False)
