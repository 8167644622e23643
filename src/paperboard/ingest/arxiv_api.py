"""arXiv API (Atom) responses -> papers (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from ..ids import InvalidId, parse_arxiv_id
from ..links import extract_links
from ..models import Author, Paper
from ..text import DateError, clean_abstract, clean_line, optional, parse_date
from .errors import RecordError, SourceError
from .xmlparse import parse_xml, text_of

ATOM = "{http://www.w3.org/2005/Atom}"
AX = "{http://arxiv.org/schemas/atom}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"


class ArxivApiError(SourceError):
    """The API answered with an error entry (e.g. a malformed id)."""


@dataclass(slots=True)
class AtomPage:
    papers: list[Paper] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0
    start: int = 0
    per_page: int = 0


def parse_feed(data: bytes, where: str = "arXiv API response") -> AtomPage:
    root = parse_xml(data, where)
    if root.tag != ATOM + "feed":
        raise SourceError(f"{where}: not an Atom feed (root element {root.tag})")
    page = AtomPage(
        total=_int(root.findtext(OS + "totalResults")),
        start=_int(root.findtext(OS + "startIndex")),
        per_page=_int(root.findtext(OS + "itemsPerPage")),
    )
    for n, entry in enumerate(root.iterfind(ATOM + "entry"), 1):
        entry_id = clean_line(entry.findtext(ATOM + "id"))
        if "/api/errors" in entry_id:
            raise ArxivApiError(f"arXiv API error: {clean_line(entry.findtext(ATOM + 'summary'))}")
        try:
            page.papers.append(_entry(entry, entry_id))
        except RecordError as exc:
            page.problems.append((f"{where}: entry {n} ({entry_id})", str(exc)))
    return page


def _int(text: str | None) -> int:
    return int(text) if text and text.strip().isascii() and text.strip().isdigit() else 0


def _entry(entry: Element, entry_id: str) -> Paper:
    try:
        parsed = parse_arxiv_id(entry_id)
    except InvalidId as exc:
        raise RecordError(str(exc)) from None
    title = clean_line(entry.findtext(ATOM + "title"))
    if not title:
        raise RecordError("missing title")
    authors = tuple(
        Author(
            clean_line(a.findtext(ATOM + "name")),
            "; ".join(clean_line(text_of(x)) for x in a.iterfind(AX + "affiliation")) or None,
        )
        for a in entry.iterfind(ATOM + "author")
        if clean_line(a.findtext(ATOM + "name"))
    )
    primary = entry.find(AX + "primary_category")
    cats = [c.get("term", "") for c in entry.iterfind(ATOM + "category")]
    if primary is not None and primary.get("term"):
        cats.insert(0, primary.get("term", ""))
    abstract = clean_abstract(entry.findtext(ATOM + "summary"))
    comment = optional(entry.findtext(AX + "comment"))
    try:
        published, _ = parse_date(entry.findtext(ATOM + "published"))
        updated, _ = parse_date(entry.findtext(ATOM + "updated"))
    except DateError as exc:
        raise RecordError(str(exc)) from None
    links = extract_links(parsed.id, comment, abstract)
    return Paper(
        id=parsed.id,
        version=parsed.version,
        title=title,
        abstract=abstract,
        authors=authors,
        categories=tuple(dict.fromkeys(c for c in cats if c)),
        comment=comment,
        journal_ref=optional(entry.findtext(AX + "journal_ref")),
        doi=optional(entry.findtext(AX + "doi")),
        links=links,
        published=published,
        updated=updated,
        source="arxiv-api",
    )
