"""Rate-limit counters in the database: one row per action, key and fixed window, so that every worker
process counts together and a restart forgets nothing. Keys are stored hashed (no addresses or
usernames at rest)."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, delete, select

from .bulk import dialect_insert
from .schema import rate_limits

SWEEP_EVERY = 200  # hits between deletions of expired windows


class DatabaseCounts:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._hits = 0

    def hit(self, action: str, key: str, window: int, previous: int, expires: int,
            now: int) -> tuple[int, int]:
        """Count one event in ``window``; the window's count including it, and the ``previous``
        window's count."""
        bucket = f"{action[:40]}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
        stmt = dialect_insert(self.engine, rate_limits).values(bucket=bucket, window=window, count=1,
                                                               expires=expires)
        stmt = stmt.on_conflict_do_update(index_elements=["bucket", "window"],
                                          set_={"count": rate_limits.c.count + 1})
        with self.engine.begin() as conn:
            count = conn.execute(stmt.returning(rate_limits.c.count)).scalar_one()
            before = conn.execute(select(rate_limits.c.count).where(
                rate_limits.c.bucket == bucket, rate_limits.c.window == previous)).scalar()
            self._hits += 1
            if self._hits % SWEEP_EVERY == 0:
                conn.execute(delete(rate_limits).where(rate_limits.c.expires < now))
        return int(count), int(before or 0)
