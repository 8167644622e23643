"""Editions: which days a digest covers and its key in the outbox (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..feeds import periods


@dataclass(frozen=True, slots=True)
class Edition:
    kind: str  # daily | weekly
    period: periods.Period

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.period.slug}"

    @property
    def label(self) -> str:
        return self.period.label


def edition(kind: str, when: dt.date) -> Edition:
    if kind == "daily":
        return Edition("daily", periods.day(when))
    if kind == "weekly":
        return Edition("weekly", periods.week_of(when))
    raise ValueError(f"an edition is daily or weekly, not {kind!r}")
