"""Paper identifiers: arXiv id parsing and the title-derived fallback id.

Pure functions only. A *canonical id* is what the store keys papers by:

* new-style arXiv ids ``YYMM.NNNN`` (before 2015) or ``YYMM.NNNNN`` (2015 on), without version;
* old-style arXiv ids ``archive(.SUBJ)/YYMMNNN`` such as ``hep-th/9901001``;
* an id a dump gives verbatim (``scifact:4983``);
* ``title:<hex>`` derived from the normalised title when a record carries no id at all.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass

# ASCII digits only (\d takes every script's), and bounded: the longest id fits the 64-character column
_NEW_STYLE = re.compile(r"^(?P<yymm>[0-9]{4})\.(?P<num>[0-9]{4,5})(?:v(?P<version>[0-9]{1,4}))?$")
_OLD_STYLE = re.compile(
    r"^(?P<archive>[a-z][a-z\-]{0,19}(?:\.[A-Z]{2})?)/(?P<num>[0-9]{7})(?:v(?P<version>[0-9]{1,4}))?$"
)
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|api/query\?id_list=)/?",
    re.IGNORECASE,
)
_ARXIV_PREFIX = re.compile(r"^arxiv\s*:\s*", re.IGNORECASE)
_LOOKS_ARXIV = re.compile(r"^(?:arxiv:)?[0-9]{4}\.[0-9]+(?:v[0-9]+)?$", re.IGNORECASE)
_DUMP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*:[A-Za-z0-9_.\-/]+$")

_TEX_COMMAND = re.compile(r"\\[a-z]+\s*")
_NON_WORD = re.compile(r"[^\w]+")
_ASCII_PUNCT_TO_SPACE = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}
)

TITLE_ID_PREFIX = "title:"
MAX_ID_LENGTH = 64


class InvalidId(ValueError):
    """Raised when a string is not an identifier Paperboard accepts."""


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A parsed arXiv identifier: ``id`` has no version; ``version`` is None when not given."""

    id: str
    version: int | None = None
    is_arxiv: bool = True

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an arXiv id in any common spelling (``arXiv:`` prefix, abs/pdf URL, version suffix).

    Raises :class:`InvalidId` with the reason when ``text`` is not a well-formed arXiv id.
    """
    raw = text.strip()
    s = _URL_PREFIX.sub("", raw)
    s = _ARXIV_PREFIX.sub("", s)
    s = s.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if s.endswith(".pdf"):
        s = s[: -len(".pdf")]
    m = _NEW_STYLE.match(s)
    if m:
        yymm, num = m["yymm"], m["num"]
        expected = 4 if int(yymm) < 1501 else 5
        if len(num) != expected:
            era = "before 2015" if expected == 4 else "from 2015 on"
            raise InvalidId(f"{raw!r}: arXiv ids {era} have {expected} digits after the dot")
        version = int(m["version"]) if m["version"] else None
        if version == 0:
            raise InvalidId(f"{raw!r}: arXiv versions start at v1")
        return ArxivId(f"{yymm}.{num}", version)
    m = _OLD_STYLE.match(s)
    if m:
        version = int(m["version"]) if m["version"] else None
        if version == 0:
            raise InvalidId(f"{raw!r}: arXiv versions start at v1")
        return ArxivId(f"{m['archive']}/{m['num']}", version)
    raise InvalidId(f"{raw!r} is not an arXiv id (expected e.g. 2401.00001 or hep-th/9901001)")


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidId:
        return False
    return True


def normalize_title(title: str) -> str:
    """Fold a title to a key that is equal for the same title typed twice (case, accents, TeX, spacing)."""
    if title.isascii():
        t = title.lower()
        if "\\" in t:
            t = _TEX_COMMAND.sub(" ", t)  # TeX commands such as \emph
        return " ".join(t.translate(_ASCII_PUNCT_TO_SPACE).split())
    t = unicodedata.normalize("NFKD", title)
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()
    if "\\" in t:
        t = _TEX_COMMAND.sub(" ", t)
    return " ".join(_NON_WORD.sub(" ", t).split())


def key_hash(key: str) -> int:
    """A signed 64-bit digest of a normalised key: what the database indexes (small, fixed-size
    index entries keep bulk inserts cheap where long text keys would not)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def title_hash(title: str) -> int:
    return key_hash(normalize_title(title))


@functools.lru_cache(maxsize=1 << 18)
def name_hash(name: str) -> int:
    """Groups spellings of an author name that differ in case, accents and spacing."""
    return key_hash(normalize_title(name))


def title_id(title: str) -> str:
    """The stable id of a record that has no id of its own, derived from its normalised title."""
    key = normalize_title(title)
    if not key:
        raise InvalidId("a record without an id needs a title to derive one from")
    return TITLE_ID_PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def canonical_id(text: str) -> ArxivId:
    """Canonicalise an id given by a dump: arXiv ids lose prefix and version; other ``ns:value`` ids stay.

    Returns an :class:`ArxivId` (whose ``version`` is None for non-arXiv ids).
    """
    s = str(text).strip()
    if not s:
        raise InvalidId("empty id")
    try:
        return parse_arxiv_id(s)
    except InvalidId:
        if _LOOKS_ARXIV.match(s):
            raise
    if len(s) > MAX_ID_LENGTH:
        raise InvalidId(f"id {s[:40]!r}... is longer than {MAX_ID_LENGTH} characters")
    if _DUMP_ID.match(s) and not s.lower().startswith(("http:", "https:", "arxiv:")):
        return ArxivId(s, None, is_arxiv=False)
    raise InvalidId(f"{s!r} is neither an arXiv id nor a namespaced id such as scifact:4983")


_ARXIV_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?")


def is_arxiv_category(code: str) -> bool:
    """Whether a paper's class code is one of arXiv's (``cs.LG``, ``hep-th``, ``cond-mat.stat-mech``)
    rather than another scheme's that arXiv papers also carry (MSC ``68T45``, ACM ``I.2.7``)."""
    return _ARXIV_CATEGORY.fullmatch(code) is not None


def category_spelling(text: str) -> str:
    """An arXiv category as arXiv writes it, however it was typed: the archive in lower case, a two-letter
    subject class in upper case, a longer one in lower case (``CS.lg`` -> ``cs.LG``, ``astro-ph.co`` ->
    ``astro-ph.CO``, ``PHYSICS.Comp-Ph`` -> ``physics.comp-ph``, ``HEP-TH`` -> ``hep-th``)."""
    archive, dot, subject = text.strip().partition(".")
    if not dot:
        return archive.lower()
    return f"{archive.lower()}.{subject.upper() if len(subject) <= 2 else subject.lower()}"
