"""Days, ISO weeks and months as half-open date ranges, parsed from the spellings URLs use (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from ..errors import PaperboardError

Kind = Literal["date", "week", "month"]


class PeriodError(PaperboardError):
    """A date, week or month that cannot be read; the message says what was expected."""


# Dates a feed, filter or edition may name. Wide enough for any paper, narrow enough that the period's
# end, its neighbours and the day after it stay representable (year 9999 has no day after it).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def _in_range(when: dt.date, text: str) -> dt.date:
    if not EARLIEST <= when <= LATEST:
        raise PeriodError(f"{text!r} is out of range: dates run from {EARLIEST} to {LATEST}")
    return when


@dataclass(frozen=True, slots=True)
class Period:
    kind: Kind
    start: dt.date
    end: dt.date  # exclusive

    @property
    def slug(self) -> str:
        if self.kind == "date":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "date":
            return self.start.strftime("%A, %-d %B %Y")
        if self.kind == "week":
            last = self.end - dt.timedelta(days=1)
            return f"Week {self.slug[-2:]}, {self.start:%-d %b} – {last:%-d %b %Y}"
        return self.start.strftime("%B %Y")

    @property
    def path(self) -> str:
        return f"/papers/{self.kind}/{self.slug}"

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` before (negative) or after (positive) this one, of the same kind."""
        if self.kind == "date":
            return day(self.start + dt.timedelta(days=steps))
        if self.kind == "week":
            return week_of(self.start + dt.timedelta(weeks=steps))
        months = self.start.year * 12 + self.start.month - 1 + steps
        return month_of(dt.date(months // 12, months % 12 + 1, 1))

    def contains(self, when: dt.date) -> bool:
        return self.start <= when < self.end


def day(when: dt.date) -> Period:
    return Period("date", when, when + dt.timedelta(days=1))


def week_of(when: dt.date) -> Period:
    monday = when - dt.timedelta(days=when.weekday())
    return Period("week", monday, monday + dt.timedelta(days=7))


def month_of(when: dt.date) -> Period:
    first = when.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period("month", first, following)


def containing(kind: Kind, when: dt.date) -> Period:
    return {"date": day, "week": week_of, "month": month_of}[kind](when)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK = re.compile(r"(\d{4})-W(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse(kind: str, text: str) -> Period:
    """Read ``YYYY-MM-DD`` (date), ``YYYY-Www`` (week, ISO) or ``YYYY-MM`` (month)."""
    text = text.strip()
    if kind == "date":
        if _DAY.fullmatch(text):
            try:
                found = dt.date.fromisoformat(text)
            except ValueError:
                pass
            else:
                return day(_in_range(found, text))
        raise PeriodError(f"date must be a real day written YYYY-MM-DD, got {text!r}")
    if kind == "week":
        m = _WEEK.fullmatch(text)
        if m:
            try:
                found = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            except ValueError:
                pass
            else:
                return week_of(_in_range(found, text))
        raise PeriodError(f"week must be an ISO week written YYYY-Www (e.g. 2025-W09), got {text!r}")
    if kind == "month":
        m = _MONTH.fullmatch(text)
        if m and 1 <= int(m[2]) <= 12 and int(m[1]) >= 1:
            return month_of(_in_range(dt.date(int(m[1]), int(m[2]), 1), text))
        raise PeriodError(f"month must be written YYYY-MM (e.g. 2025-02), got {text!r}")
    raise PeriodError(f"unknown period kind {kind!r}: use date, week or month")
