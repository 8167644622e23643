"""Progress on standard error: a bar on a terminal; in a log (a pipe, a service, CI) a line every few
seconds once a step has run that long, so that a short step stays silent and a long one is never mute."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from tqdm import tqdm

LOG_EVERY = 5.0  # seconds: the first line of a step not on a terminal, and between two lines


class _Lines:
    """A file for tqdm that writes its status as whole lines: none in a step's first :data:`LOG_EVERY`
    seconds, then at most one per :data:`LOG_EVERY` seconds (tqdm also redraws on demand), and the last
    count once more at the close of a step that said anything."""

    def __init__(self, out: TextIO):
        self.out = out
        self.every = LOG_EVERY
        self.start = time.monotonic()
        self.said_at: float | None = None
        self.said = ""
        self.closing = False

    def write(self, text: str) -> None:
        line = text.replace("\r", "").strip()
        count = line.split("[", 1)[0]  # without the times and the rate
        now = time.monotonic()
        due = now - self.start >= self.every and (self.said_at is None or now - self.said_at >= self.every)
        if line and (due or self.closing) and count != self.said:
            self.out.write(line + "\n")
            self.said_at, self.said = now, count

    def flush(self) -> None:
        self.out.flush()


class _LogBar(tqdm):  # type: ignore[type-arg]
    def close(self) -> None:
        if isinstance(self.fp, _Lines) and self.fp.said_at is not None:
            self.fp.closing = True
        super().close()


def bar(total: int | None, *, desc: str, unit: str = "B", enabled: bool | None = None,
        lines: bool = False) -> Any:
    """``enabled``: True, a bar whatever stderr is; False, nothing; None, a bar on a terminal and lines
    every :data:`LOG_EVERY` seconds otherwise. ``lines``: those lines even on a terminal (a background
    process sharing it with others), unless ``enabled`` is False."""
    common = dict(total=total, desc=desc, unit=unit, unit_scale=unit == "B", unit_divisor=1024, leave=True)
    if enabled is not False and (lines or (enabled is None and not sys.stderr.isatty())):
        return _LogBar(**common, file=_Lines(sys.stderr), mininterval=LOG_EVERY, ascii=True, ncols=100)
    return tqdm(**common, disable=enabled is False, file=sys.stderr, dynamic_ncols=True)


class Steps:
    """Progress of a job in several steps (an index's BM25, then its embeddings): ``step(name, total)``
    closes the last step's bar and opens the next, ``update(n)`` counts on the open one. ``lines``: a
    line every few seconds even on a terminal (a background process sharing it with others)."""

    def __init__(self, *, unit: str, enabled: bool | None = None, lines: bool = False):
        self.unit, self.enabled, self.lines = unit, enabled, lines
        self._bar: Any = None

    def step(self, name: str, total: int) -> None:
        self.close()
        self._bar = bar(total, desc=name, unit=self.unit, enabled=self.enabled, lines=self.lines)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
