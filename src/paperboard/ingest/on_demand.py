"""Papers fetched from arXiv because a visitor asked for one that is not stored (a search for its id, a
submission), without letting visitors drive the server's traffic to arXiv.

- One queue for every worker process (the ``fetch_requests`` table), worked through by whichever
  process holds the ``arxiv-on-demand`` lease, one arXiv request at a time at arXiv's pace (up to
  ``BATCH`` ids a request).
- Misses are remembered (``MISS_TTL``): asking again for a paper arXiv does not have costs nothing.
- Each client address may queue ``arxiv`` new ids per window (the site's rate limits), and the queue
  holds at most ``MAX_PENDING`` ids.
- A page waits at most ``wait`` seconds for its paper, asynchronously (no worker thread is held), then
  says the paper is on its way.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Literal

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import as_utc, utcnow
from ..storage import leases
from ..storage.papers import fetch_many, get_paper
from ..storage.schema import fetch_requests

log = logging.getLogger(__name__)
LEASE = "arxiv-on-demand"
BATCH = 20
MAX_PENDING = 200
MISS_TTL = dt.timedelta(days=1)  # arXiv may announce it later
FAILED_TTL = dt.timedelta(minutes=5)  # arXiv or the network was down

Outcome = Literal["stored", "missing", "queued", "busy", "limited"]

# what a person is told for each outcome but "stored"
SAY = {
    "missing": "Paper {id} is not in the store, and arXiv does not have it or could not be reached.",
    "queued": "Paper {id} is being fetched from arXiv; try again in a few seconds.",
    "busy": "Too many papers are being fetched from arXiv right now; try {id} again in a minute.",
    "limited": "You have asked for many papers from arXiv recently; try {id} again later.",
}


class OnDemand:
    """``fetch(ids)`` stores what arXiv has of ``ids`` and raises when arXiv cannot be reached."""

    def __init__(self, engine: Engine, fetch: Callable[[list[str]], None], *, delay: float,
                 wait: float = 1.5, poll: float = 0.1):
        self.engine = engine
        self.fetch = fetch
        self.delay = delay
        self.wait = wait
        self.poll = poll
        self.holder = leases.holder_name()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- asking -------------------------------------------------------------------------------------

    def enqueue(self, paper_id: str, allowed: Callable[[], bool]) -> Outcome | None:
        """Queue ``paper_id`` unless it is stored, a recent miss or already queued (None: wait for it).
        ``allowed`` is asked only when a new id would be queued (the client's cap)."""
        now = utcnow()
        with self.engine.connect() as conn:
            if get_paper(conn, paper_id) is not None:
                return "stored"
            row = conn.execute(select(fetch_requests).where(fetch_requests.c.paper_id == paper_id)).first()
            if row is not None:
                if row.status == "pending":
                    self._start()
                    return None
                checked = as_utc(row.checked_at) or now
                ttl = MISS_TTL if row.status == "missing" else FAILED_TTL
                if row.status in ("missing", "failed") and now - checked < ttl:
                    return "missing"
            pending = conn.execute(select(func.count()).select_from(fetch_requests)
                                   .where(fetch_requests.c.status == "pending")).scalar_one()
        if pending >= MAX_PENDING:
            return "busy"
        if not allowed():
            return "limited"
        with self.engine.begin() as conn:
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(fetch_requests).values(paper_id=paper_id, status="pending",
                                                                   requested_at=now, attempts=0))
                except IntegrityError:
                    pass  # another request queued it a moment ago
            else:
                conn.execute(update(fetch_requests).where(fetch_requests.c.paper_id == paper_id)
                             .values(status="pending", requested_at=now))
        self._start()
        return None

    def _settled(self, paper_id: str) -> Outcome | None:
        """How the queued ``paper_id`` ended; None while it is still queued."""
        with self.engine.connect() as conn:
            status = conn.execute(select(fetch_requests.c.status)
                                  .where(fetch_requests.c.paper_id == paper_id)).scalar()
            if status == "fetched":
                return "stored" if get_paper(conn, paper_id) is not None else "missing"
        return "missing" if status in ("missing", "failed") else None

    def request(self, paper_id: str, allowed: Callable[[], bool] = lambda: True) -> Outcome:
        """Blocking form of :meth:`arequest` (the CLI and tests)."""
        found = self.enqueue(paper_id, allowed)
        deadline = time.monotonic() + self.wait
        while found is None:
            found = self._settled(paper_id)
            if found is None:
                if time.monotonic() >= deadline:
                    return "queued"
                time.sleep(self.poll)
        return found

    async def arequest(self, paper_id: str, allowed: Callable[[], bool] = lambda: True) -> Outcome:
        """Queue ``paper_id`` and wait a moment for it: stored, missing (arXiv has no such paper, or
        could not be reached), queued (still on its way), busy (the queue is full) or limited (this
        client has queued enough for now)."""
        from fastapi.concurrency import run_in_threadpool

        found = await run_in_threadpool(self.enqueue, paper_id, allowed)
        deadline = time.monotonic() + self.wait
        while found is None:
            found = await run_in_threadpool(self._settled, paper_id)
            if found is None:
                if time.monotonic() >= deadline:
                    return "queued"
                await asyncio.sleep(self.poll)
        return found

    # --- working the queue --------------------------------------------------------------------------

    def _start(self) -> None:
        self._wake.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="arxiv-on-demand", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        idle_rounds = 0
        while idle_rounds < 30:  # stop after a minute with nothing to do; the next request restarts it
            try:
                worked = self.work_once()
            except Exception:
                log.exception("on-demand arXiv fetching failed; retrying")
                worked = False
            if worked:
                idle_rounds = 0
                time.sleep(self.delay)  # arXiv's pace, between requests
            else:
                idle_rounds += 1
                self._wake.wait(2.0)
                self._wake.clear()
        with self._lock:
            self._thread = None
        try:  # let another process take the queue at once
            leases.release(self.engine, LEASE, self.holder)
        except Exception:
            log.exception("releasing the on-demand lease failed; it expires by itself")

    def work_once(self) -> bool:
        """Fetch the oldest queued ids in one arXiv request, if this process holds the lease; whether
        there was anything to do."""
        if not leases.acquire(self.engine, LEASE, self.holder, seconds=max(60.0, 10 * self.delay)):
            return False
        with self.engine.connect() as conn:
            ids = conn.execute(select(fetch_requests.c.paper_id).where(fetch_requests.c.status == "pending")
                               .order_by(fetch_requests.c.requested_at).limit(BATCH)).scalars().all()
        if not ids:
            return False
        now = utcnow()
        try:
            self.fetch(list(ids))
        except Exception as exc:  # offline, DNS, arXiv down: remembered briefly, so pages stop waiting
            log.warning("fetching %s from arXiv failed: %s", ", ".join(ids), exc)
            self._mark(ids, "failed", now)
            return True
        with self.engine.connect() as conn:
            found = set(fetch_many(conn, ids))
        self._mark([i for i in ids if i in found], "fetched", now)
        self._mark([i for i in ids if i not in found], "missing", now)
        return True

    def _mark(self, ids: list[str], status: str, now: dt.datetime) -> None:
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(update(fetch_requests).where(fetch_requests.c.paper_id.in_(ids))
                         .values(status=status, checked_at=now, attempts=fetch_requests.c.attempts + 1))
