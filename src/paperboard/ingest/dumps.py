"""JSON record parsers (pure): one dict from a dump in, one :class:`Paper` out.

Formats, detected from a record's keys or named with ``--format``:

``arxiv``       ``{id, title, summary, authors: [str], categories, comment, listed}``
                (``../shared/corpus/arxiv-cs-*.jsonl.gz``; also SciFact's ``{id: "scifact:N", ...}``)
``titles``      records without an id (``seed-papers.jsonl``): id derived from the title
``hf-daily``    items of Hugging Face ``/api/daily_papers`` (``{paper: {...}, submittedBy, ...}``)
``hf-paper``    Hugging Face ``/api/papers/{id}`` responses
``kaggle``      arXiv's bulk metadata snapshot (``authors_parsed``, ``versions``, ``update_date``)
``paperboard``  our own ``paperboard export``
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..ids import InvalidId, canonical_id, title_id
from ..links import code_url, extract_links, http_url, safe_links
from ..models import Author, Paper
from ..text import DateError, clean_abstract, clean_line, optional, parse_date, xml_safe
from .errors import RecordError

MAX_TITLE = 2_000
MAX_ABSTRACT = 200_000
MAX_CATEGORY = 128
_CLASS_SEPARATORS = re.compile(r"[;,]")
MAX_SOURCE = 32

RECORD_FORMATS = ("arxiv", "titles", "hf-daily", "hf-paper", "kaggle", "paperboard")


def detect_format(record: Mapping[str, Any]) -> str:
    """Name the format of one JSON record from the keys it carries."""
    if isinstance(record.get("paper"), dict):
        return "hf-daily"
    if "authors_parsed" in record or "update_date" in record:
        return "kaggle"
    if "links" in record and "source" in record:
        return "paperboard"
    if "publishedAt" in record or ("upvotes" in record and "id" in record):
        return "hf-paper"
    if record.get("id") in (None, ""):
        return "titles"
    return "arxiv"


def parse_record(record: object, fmt: str | None = None) -> Paper:
    """Turn one JSON record into a Paper; raises :class:`RecordError` saying what is wrong."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    fmt = fmt or detect_format(record)
    try:
        parser = _PARSERS[fmt]
    except KeyError:
        raise RecordError(f"unknown record format {fmt!r}") from None
    try:
        return parser(record)
    except RecordError:
        raise
    except (InvalidId, DateError) as exc:
        raise RecordError(str(exc)) from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise RecordError(f"malformed {fmt} record: {exc}") from None


# --- shared pieces -------------------------------------------------------------------------------

def _title(record: Mapping[str, Any]) -> str:
    raw = record.get("title")
    title = clean_line(raw) if isinstance(raw, str) else ""
    if not title:  # absent, blank, or nothing but characters XML cannot carry
        raise RecordError("missing title")
    if len(title) > MAX_TITLE:
        raise RecordError(f"title is {len(title)} characters long (at most {MAX_TITLE})")
    return title


def _abstract(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise RecordError(f"abstract must be text, got {type(raw).__name__}")
    if len(raw) > MAX_ABSTRACT:
        raise RecordError(f"abstract is {len(raw)} characters long (at most {MAX_ABSTRACT})")
    return clean_abstract(raw)


def _authors(raw: object) -> tuple[Author, ...]:
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):  # "A. One, B. Two and C. Three"
        raw = _split_author_string(raw)
    if not isinstance(raw, list):
        raise RecordError(f"authors must be a list, got {type(raw).__name__}")
    out = []
    for item in raw:
        if isinstance(item, str):
            name = " ".join(item.split())
            if name:
                out.append(Author(name))
            continue
        if not isinstance(item, dict):
            raise RecordError(f"an author must be a name or an object, got {item!r}")
        name, aff = item.get("name"), item.get("affiliation")
        if isinstance(aff, list):
            aff = "; ".join(str(a) for a in aff if a) or None
        name = clean_line(name) if isinstance(name, str) else ""
        if name:
            out.append(Author(name, optional(aff) if isinstance(aff, str) else None))
    return tuple(out)


def _split_author_string(text: str) -> list[str]:
    text = clean_line(text).replace(" and ", ", ")
    return [n.strip() for n in text.split(",") if n.strip()]


_CATEGORY = re.compile(r"[A-Za-z0-9][\w.+\-]*", re.ASCII)


def _categories(raw: object) -> tuple[str, ...]:
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        raw = raw.split()
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise RecordError(f"categories must be a list of names, got {raw!r}")
    seen: dict[str, None] = {}
    # some dumps put ACM / MSC class lists ("I.2.6; C.1.4", "68T09, 68T50") in one entry
    pieces = [p for c in raw for p in (_CLASS_SEPARATORS.split(c) if ";" in c or "," in c else [c])]
    # a category is one word (cs.LG, math-ph, 68T45, I.2.7): a line break or a control character in
    # one would start a record of its own in a RIS export
    for c in (word for piece in pieces for word in xml_safe(piece).split()):
        if len(c) > MAX_CATEGORY:
            raise RecordError(f"category {c[:40]!r}... is longer than {MAX_CATEGORY} characters")
        if _CATEGORY.fullmatch(c):
            seen.setdefault(c, None)
    return tuple(seen)


def _id_and_version(record: Mapping[str, Any], title: str) -> tuple[str, int | None, bool]:
    """The canonical id, the version it names, and whether it is an arXiv id."""
    raw = record.get("id")
    if raw in (None, ""):
        return title_id(title), None, False
    parsed = canonical_id(str(raw))
    return parsed.id, parsed.version, parsed.is_arxiv


def _source_of(paper_id: str, arxiv_default: str) -> str:
    if ":" in paper_id and not paper_id.startswith("title:"):
        return paper_id.split(":", 1)[0]
    return "dump" if paper_id.startswith("title:") else arxiv_default


def _date(value: object) -> tuple[Any, str | None]:
    return parse_date(value)


def _leftover(record: Mapping[str, Any], known: set[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in known and v not in (None, "", [], {})}


# --- formats -------------------------------------------------------------------------------------

_ARXIV_KEYS = {"id", "title", "summary", "abstract", "authors", "categories", "comment", "comments",
               "listed", "published", "updated", "journal_ref", "doi", "license"}


def _parse_arxiv(record: Mapping[str, Any]) -> Paper:
    title = _title(record)
    pid, version, is_arxiv = _id_and_version(record, title)
    abstract = _abstract(record.get("summary", record.get("abstract")))
    comment = optional(record.get("comment", record.get("comments")))
    listed, _ = _date(record.get("listed"))
    published, published_text = _date(record.get("published"))
    updated, _ = _date(record.get("updated"))
    return Paper(
        id=pid, version=version, title=title, abstract=abstract,
        authors=_authors(record.get("authors")),
        categories=_categories(record.get("categories")),
        comment=comment, journal_ref=optional(record.get("journal_ref")),
        doi=optional(record.get("doi")), license=optional(record.get("license")),
        links=extract_links(pid, comment, abstract, arxiv=is_arxiv),
        listed=listed, published=published, updated=updated, published_text=published_text,
        source=_source_of(pid, "arxiv-dump"),
        extra=_leftover(record, _ARXIV_KEYS),
    )


def _hf_paper(paper: Mapping[str, Any], outer: Mapping[str, Any] | None = None) -> Paper:
    title = _title(paper)
    pid, version, is_arxiv = _id_and_version(paper, title)
    abstract = _abstract(paper.get("summary"))
    published, published_text = _date(paper.get("publishedAt"))
    links = extract_links(pid, None, abstract, arxiv=is_arxiv)
    repo = paper.get("githubRepo")
    if isinstance(repo, str) and code_url(repo):
        links["code"] = code_url(repo) or repo
    if project := http_url(paper.get("projectPage")):
        links["project"] = project
    hf = _leftover(paper, {"id", "title", "summary", "authors", "publishedAt"})
    if outer:
        hf.update(_leftover(outer, {"paper", "title", "summary", "publishedAt"}))
        # a daily-papers item's own publishedAt is when it went on the feed (the Hub client reads it as
        # submitted_at); many dumps carry no paper.submittedOnDailyAt
        if not isinstance(hf.get("submittedOnDailyAt"), str) and isinstance(outer.get("publishedAt"), str):
            hf["submittedOnDailyAt"] = outer["publishedAt"]
    listed = None
    submitted = hf.get("submittedOnDailyAt")
    if isinstance(submitted, str):
        listed, _ = _date(submitted)
    return Paper(
        id=pid, version=version, title=title, abstract=abstract,
        authors=_authors(paper.get("authors")),
        links=links, published=published, published_text=published_text, listed=listed,
        source="huggingface", extra={"huggingface": hf} if hf else {},
    )


def _parse_hf_daily(record: Mapping[str, Any]) -> Paper:
    return _hf_paper(record["paper"], record)


def _parse_hf_paper(record: Mapping[str, Any]) -> Paper:
    return _hf_paper(record)


def _parse_kaggle(record: Mapping[str, Any]) -> Paper:
    title = _title(record)
    pid, _, is_arxiv = _id_and_version(record, title)
    versions = record.get("versions") or []
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        authors = tuple(
            Author(clean_line(" ".join(p for p in (parts[1:2] + parts[:1] + parts[2:3]) if p)))
            for parts in parsed if isinstance(parts, list) and any(parts)
        )
    else:
        authors = _authors(record.get("authors"))
    abstract = _abstract(record.get("abstract"))
    comment = optional(record.get("comments"))
    first = _kaggle_version_date(versions[0]) if versions else None
    last = _kaggle_version_date(versions[-1]) if versions else None
    updated, _ = _date(record.get("update_date"))
    return Paper(
        id=pid, version=len(versions) or None, title=title, abstract=abstract, authors=authors,
        categories=_categories(record.get("categories")), comment=comment,
        journal_ref=optional(record.get("journal-ref")), doi=optional(record.get("doi")),
        license=optional(record.get("license")),
        links=extract_links(pid, comment, abstract, arxiv=is_arxiv), published=first, updated=last or updated,
        source="arxiv-dump",
        extra=_leftover(record, {"id", "title", "abstract", "authors", "authors_parsed",
                                 "versions", "categories", "comments", "journal-ref", "doi",
                                 "license", "update_date", "submitter", "report-no"}),
    )


def _kaggle_version_date(version: object) -> Any:
    # "Mon, 2 Apr 2007 19:18:42 GMT"
    if not isinstance(version, dict) or not isinstance(version.get("created"), str):
        return None
    parts = version["created"].replace(",", "").split()
    if len(parts) >= 4:
        return _date(f"{parts[1]} {parts[2]} {parts[3]}")[0]
    return None


def _parse_paperboard(record: Mapping[str, Any]) -> Paper:
    title = _title(record)
    pid, version, _is_arxiv = _id_and_version(record, title)
    listed, _ = _date(record.get("listed"))
    published, _ = _date(record.get("published"))
    updated, _ = _date(record.get("updated"))
    links = record.get("links") or {}
    extra = record.get("extra") or {}
    if not isinstance(links, dict) or not isinstance(extra, dict):
        raise RecordError("links and extra must be objects")
    return Paper(
        id=pid, version=record.get("version") or version, title=title,
        abstract=_abstract(record.get("summary")),
        authors=_authors(record.get("authors")),
        categories=_categories(record.get("categories")),
        comment=optional(record.get("comment")), journal_ref=optional(record.get("journal_ref")),
        doi=optional(record.get("doi")), license=optional(record.get("license")),
        links=safe_links(links),
        listed=listed, published=published, updated=updated,
        published_text=_short(record.get("published_text"), 64, "published_text"),
        source=_source_name(record.get("source")), extra=extra,
    )


def _short(value: object, limit: int, name: str) -> str | None:
    text = optional(value) if isinstance(value, str) else None
    if text and len(text) > limit:
        raise RecordError(f"{name} is longer than {limit} characters")
    return text


def _source_name(value: object) -> str:
    source = str(value or "paperboard")
    if len(source) > MAX_SOURCE:
        raise RecordError(f"source {source[:40]!r} is longer than {MAX_SOURCE} characters")
    return source


_PARSERS: dict[str, Callable[[Mapping[str, Any]], Paper]] = {
    "arxiv": _parse_arxiv,
    "titles": _parse_arxiv,
    "hf-daily": _parse_hf_daily,
    "hf-paper": _parse_hf_paper,
    "kaggle": _parse_kaggle,
    "paperboard": _parse_paperboard,
}
