"""When a scheduled job is due (pure): every N seconds, or at times of day (UTC), optionally on one
weekday. Written as settings: ``every 300`` / ``02:00,14:00`` / ``mon 07:30``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST_RUN_GRACE = dt.timedelta(hours=1)  # a new install runs a timed job only if its time just passed


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Schedule:
    every: dt.timedelta | None = None  # an interval job
    times: tuple[dt.time, ...] = ()  # a timed job: these times of day, UTC
    weekday: int | None = None  # ... on this weekday only (0 = Monday)

    @property
    def enabled(self) -> bool:
        return self.every is not None or bool(self.times)

    def latest(self, now: dt.datetime) -> dt.datetime | None:
        """The latest scheduled moment at or before ``now`` (timed jobs)."""
        best = None
        for back in range(8):
            day = (now - dt.timedelta(days=back)).date()
            if self.weekday is not None and day.weekday() != self.weekday:
                continue
            for t in self.times:
                at = dt.datetime.combine(day, t, tzinfo=dt.UTC)
                if at <= now and (best is None or at > best):
                    best = at
            if best is not None:
                return best
        return best

    def due(self, last_started: dt.datetime | None, now: dt.datetime) -> bool:
        """Whether to run now, given when the last run started (None: never)."""
        if self.every is not None:
            return last_started is None or now - last_started >= self.every
        moment = self.latest(now)
        if moment is None:
            return False
        if last_started is None:
            return now - moment <= FIRST_RUN_GRACE
        return last_started < moment

    def next_after(self, now: dt.datetime, last_started: dt.datetime | None) -> dt.datetime | None:
        """When it will next be due (for operators)."""
        if self.every is not None:
            return now if last_started is None else max(now, last_started + self.every)
        for ahead in range(8):
            day = (now + dt.timedelta(days=ahead)).date()
            if self.weekday is not None and day.weekday() != self.weekday:
                continue
            upcoming = [dt.datetime.combine(day, t, tzinfo=dt.UTC) for t in self.times]
            later = [at for at in upcoming if at > now]
            if later:
                return min(later)
        return None


def parse(text: str) -> Schedule:
    """``every SECONDS``, ``HH:MM[,HH:MM...]`` or ``DAY HH:MM[,...]`` (UTC); empty: never."""
    text = (text or "").strip().lower()
    if not text or text in ("off", "never"):
        return Schedule()
    m = re.fullmatch(r"every\s+(\d+)", text)
    if m:
        seconds = int(m[1])
        if not 10 <= seconds <= 7 * 86400:
            raise ScheduleError(f"{text!r}: an interval is 10 seconds to a week")
        return Schedule(every=dt.timedelta(seconds=seconds))
    weekday = None
    first, _, rest = text.partition(" ")
    if first[:3] in WEEKDAYS and not first[:1].isdigit():
        weekday, text = WEEKDAYS.index(first[:3]), rest.strip()
    times = []
    for part in text.split(","):
        m = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", part.strip())
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise ScheduleError(f"{part.strip()!r} is not a time of day written HH:MM (UTC)")
        times.append(dt.time(int(m[1]), int(m[2])))
    return Schedule(times=tuple(sorted(set(times))), weekday=weekday)
