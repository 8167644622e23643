"""A subscriber's preferences and e-mail address rules (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import addresses
from ..errors import PaperboardError
from ..filter_terms import QueryError, take_filters

FREQUENCIES = ("daily", "weekly")
MAX_TERMS = 50
MAX_TERM = 100


class PreferenceError(PaperboardError):
    """Preferences or an address that cannot be used; the message says why."""


def normalize_email(text: str) -> str:
    """:func:`paperboard.addresses.normalize_email`, refusing with a PreferenceError."""
    try:
        return addresses.normalize_email(text)
    except addresses.AddressError as exc:
        raise PreferenceError(str(exc)) from None


def split_terms(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """'a, b; c' or a list -> ('a', 'b', 'c'): trimmed, de-duplicated (case-insensitively), bounded."""
    if value is None:
        return ()
    items = re.split(r"[,;\n]", value) if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for item in items:
        term = " ".join(str(item).split())
        if not term:
            continue
        if len(term) > MAX_TERM:
            raise PreferenceError(f"a term is at most {MAX_TERM} characters: {term[:40]!r}…")
        seen.setdefault(term.casefold(), term)
    if len(seen) > MAX_TERMS:
        raise PreferenceError(f"at most {MAX_TERMS} terms per list")
    return tuple(seen.values())


def split_topics(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """:func:`split_terms` for topics, each a search in the filter language ("gaussian splatting
    has:code -category:cs.LG"): a topic whose filter means nothing is refused with what to write."""
    topics = split_terms(value)
    for topic in topics:
        try:
            take_filters(topic)
        except QueryError as exc:
            raise PreferenceError(f"the topic {topic!r}: {exc}") from None
    return topics


@dataclass(frozen=True, slots=True)
class Preferences:
    frequency: str = "daily"
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    max_count: int = 10
    threshold: float = 0.0  # picks scoring below this are left out (scores run from 0 to 1)
    send_empty: bool = False  # send a digest even when there is nothing to show
    trending: bool = True  # include the edition's trending papers
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise PreferenceError(f"frequency must be daily or weekly, not {self.frequency!r}")
        if not 1 <= self.max_count <= 100:
            raise PreferenceError("the number of papers per digest must be between 1 and 100")
        if not 0.0 <= self.threshold <= 1.0:
            raise PreferenceError("the relevance threshold must be between 0 and 1")

    @property
    def personal(self) -> bool:
        return bool(self.keywords or self.authors)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Preferences:
        data = dict(data or {})
        try:
            return cls(
                frequency=str(data.get("frequency", "daily")),
                keywords=split_terms(data.get("keywords")), exclude=split_terms(data.get("exclude")),
                categories=split_terms(data.get("categories")), authors=split_terms(data.get("authors")),
                max_count=int(data.get("max_count", 10)), threshold=float(data.get("threshold", 0.0)),
                send_empty=bool(data.get("send_empty", False)), trending=bool(data.get("trending", True)),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, PreferenceError):
                raise
            raise PreferenceError(f"preferences cannot be read: {exc}") from None
