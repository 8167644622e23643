"""OAI-PMH ``ListRecords`` pages with ``metadataPrefix=arXiv`` -> papers (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from ..ids import InvalidId, parse_arxiv_id
from ..links import extract_links
from ..models import Author, Paper
from ..text import DateError, clean_abstract, clean_line, optional, parse_date
from .errors import RecordError, SourceError
from .xmlparse import parse_xml, text_of

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"


class OaiError(SourceError):
    """The endpoint answered with an OAI-PMH error element."""

    def __init__(self, code: str, message: str):
        super().__init__(f"OAI-PMH error {code}: {message}".strip())
        self.code = code


@dataclass(slots=True)
class OaiPage:
    papers: list[Paper] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (location, reason)
    deleted: list[str] = field(default_factory=list)
    token: str | None = None
    complete_size: int | None = None
    cursor: int | None = None
    records: int = 0


def parse_list_records(data: bytes, where: str = "OAI-PMH response") -> OaiPage:
    """Parse one page. ``noRecordsMatch`` gives an empty page; other OAI errors raise :class:`OaiError`.
    A malformed record is reported in ``problems`` and the rest of the page is kept."""
    root = parse_xml(data, where)
    if root.tag != OAI + "OAI-PMH":
        raise SourceError(f"{where}: not an OAI-PMH response (root element {root.tag})")
    page = OaiPage()
    error = root.find(OAI + "error")
    if error is not None:
        code = error.get("code", "unknown")
        if code == "noRecordsMatch":
            return page
        raise OaiError(code, clean_line(text_of(error)))
    listing = root.find(OAI + "ListRecords")
    if listing is None:
        raise SourceError(f"{where}: response has neither ListRecords nor an error")
    for n, record in enumerate(listing.iter(OAI + "record"), 1):
        page.records += 1
        header = record.find(OAI + "header")
        ident = text_of(header.find(OAI + "identifier")) if header is not None else None
        location = f"{where}: record {n}" + (f" ({ident.strip()})" if ident else "")
        if header is not None and header.get("status") == "deleted":
            page.deleted.append((ident or "").strip())
            continue
        try:
            page.papers.append(_record(record, header))
        except RecordError as exc:
            page.problems.append((location, str(exc)))
    token = listing.find(OAI + "resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip() or None
        size, cursor = token.get("completeListSize"), token.get("cursor")
        page.complete_size = int(size) if size and size.isascii() and size.isdigit() else None
        page.cursor = int(cursor) if cursor and cursor.isascii() and cursor.isdigit() else None
    return page


def _record(record: Element, header: Element | None) -> Paper:
    meta = record.find(f"{OAI}metadata/{ARXIV}arXiv")
    if meta is None:
        raise RecordError("no arXiv metadata (is the metadataPrefix 'arXiv'?)")

    def field_(name: str) -> str | None:
        return text_of(meta.find(ARXIV + name))

    try:
        parsed = parse_arxiv_id(field_("id") or "")
    except InvalidId as exc:
        raise RecordError(str(exc)) from None
    title = clean_line(field_("title"))
    if not title:
        raise RecordError("missing title")
    authors = []
    for a in meta.iterfind(f"{ARXIV}authors/{ARXIV}author"):
        parts = (clean_line(text_of(a.find(ARXIV + k))) for k in ("forenames", "keyname", "suffix"))
        name = " ".join(p for p in parts if p)
        affs = [clean_line(text_of(x)) for x in a.iterfind(ARXIV + "affiliation")]
        if name:
            authors.append(Author(name, "; ".join(x for x in affs if x) or None))
    abstract = clean_abstract(field_("abstract"))
    comment = optional(field_("comments"))
    try:
        datestamp, _ = parse_date(text_of(header.find(OAI + "datestamp")) if header is not None else None)
        created, _ = parse_date(field_("created"))
        updated, _ = parse_date(field_("updated"))
    except DateError as exc:
        raise RecordError(str(exc)) from None
    return Paper(
        id=parsed.id,
        version=parsed.version,
        title=title,
        abstract=abstract,
        authors=tuple(authors),
        categories=tuple(dict.fromkeys((field_("categories") or "").split())),
        comment=comment,
        journal_ref=optional(field_("journal-ref")),
        doi=optional(field_("doi")),
        license=optional(field_("license")),
        links=extract_links(parsed.id, comment, abstract),
        listed=datestamp,
        published=created,
        updated=updated or created,
        source="arxiv-oai",
    )
