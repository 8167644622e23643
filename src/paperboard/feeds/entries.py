"""A paper as a feed shows it: the paper with its community facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import Paper


@dataclass(slots=True)
class Entry:
    paper: Paper
    upvotes: int = 0
    comments: int = 0
    day: dt.date | None = None  # the daily feed it was submitted to, if any
    submitted_at: dt.datetime | None = None
    submitter: str | None = None
    submitter_name: str | None = None
    submitter_local: bool = False  # a local account (has a user page), not a name from an imported feed
    upvoted: bool = False  # by the person looking
    saved: bool = False  # in one of the collections of the person looking
    verified: dict[str, str] = field(default_factory=dict)  # author name -> username, confirmed claims
    # kind -> (url, username): links someone who is not a verified author suggested (never the paper's)
    suggested: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(slots=True)
class Page:
    entries: list[Entry]
    total: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.limit < self.total
