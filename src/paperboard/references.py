"""Reference lists people bring (pure): BibTeX, RIS, CSL-JSON (what Zotero, Mendeley and EndNote
export) or plain arXiv ids and URLs, read into the arXiv ids they cite."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from .errors import PaperboardError
from .ids import InvalidId, parse_arxiv_id

MAX_REFERENCES = 2_000  # one import; a whole library is imported in parts

# an arXiv id where text mentions one: arXiv:2501.01234, arxiv.org/abs/2501.01234v2, 10.48550/arXiv.2501.01234
_MENTION = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:.]\s*)((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)",
    re.IGNORECASE,
)
# fields that hold an id or a mention of one, by how sure they are
_ID_FIELDS = ("eprint", "arxivid", "arxiv", "number")
_TEXT_FIELDS = ("url", "doi", "journal", "note", "howpublished", "publisher", "urls", "notes", "journal_name",
                "secondary_title", "container-title", "URL", "DOI", "archive_location", "misc1")


class ReferencesError(PaperboardError):
    """Text that is not a reference list Paperboard can read."""


@dataclass
class References:
    ids: list[str] = field(default_factory=list)  # in the order the list gives them, each once
    problems: list[str] = field(default_factory=list)  # entries that name no arXiv paper, said why


def _arxiv_id(text: str) -> str | None:
    try:
        return parse_arxiv_id(text.strip()).id
    except InvalidId:
        return None


def _from_entry(entry: dict[str, Any]) -> str | None:
    for name in _ID_FIELDS:
        value = entry.get(name)
        if isinstance(value, str) and (found := _arxiv_id(value.removeprefix("arXiv:"))):
            return found
    for name in _TEXT_FIELDS:
        values = entry.get(name)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and (m := _MENTION.search(value)) and (found := _arxiv_id(m.group(1))):
                return found
    return None


def _bibtex(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        yield f"line {block.start_line + 1}", {"_problem": "not a BibTeX entry Paperboard can read"}
    for entry in library.entries:
        yield entry.key, {f.key.lower(): f.value for f in entry.fields if isinstance(f.value, str)}


def _ris(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    import rispy

    try:
        records = rispy.loads(text, skip_unknown_tags=True)
    except Exception as exc:  # rispy raises IOError and friends for broken records
        raise ReferencesError(f"this RIS cannot be read: {exc}") from None
    for i, record in enumerate(records, 1):
        title = record.get("title") or record.get("primary_title") or ""
        yield f"record {i} ({title[:60]})" if title else f"record {i}", record


def _csl(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ReferencesError("CSL-JSON is a list of items (or {\"items\": [...]})")
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            yield f"item {i}", {"_problem": "not a CSL-JSON item"}
            continue
        yield str(item.get("id") or f"item {i}"), item


def _plain(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for word in re.split(r"[\s,;]+", line.strip()):
            if word:
                yield word[:100], {"eprint": word, "url": word}


def sniff(text: str) -> str:
    """``bibtex``, ``ris``, ``csl-json`` or ``ids``, from how the text begins."""
    start = text.lstrip("\ufeff \t\r\n")[:200]
    if start.startswith("@"):
        return "bibtex"
    if re.match(r"TY  -", start):
        return "ris"
    if start.startswith(("[", "{")):
        return "csl-json"
    return "ids"


def read(text: str, fmt: str | None = None) -> References:
    """The arXiv ids that ``text`` cites (``fmt``: one of :func:`sniff`'s answers; sniffed when None)."""
    fmt = fmt or sniff(text)
    entries: Iterable[tuple[str, dict[str, Any]]]
    if fmt == "bibtex":
        entries = _bibtex(text)
    elif fmt == "ris":
        entries = _ris(text)
    elif fmt == "csl-json":
        try:
            entries = _csl(orjson.loads(text))
        except orjson.JSONDecodeError as exc:
            raise ReferencesError(f"this is not JSON: {exc}") from None
    elif fmt == "ids":
        entries = _plain(text)
    else:
        raise ReferencesError(f"unknown reference format {fmt!r} (bibtex, ris, csl-json or ids)")
    out = References()
    seen: set[str] = set()
    for where, entry in entries:
        found = None if "_problem" in entry else _from_entry(entry)
        if found is None:
            out.problems.append(f"{where}: {entry.get('_problem') or 'names no arXiv paper'}")
        elif found not in seen:
            seen.add(found)
            out.ids.append(found)
        if len(out.ids) > MAX_REFERENCES:
            raise ReferencesError(f"at most {MAX_REFERENCES:,} references at a time")
    return out
