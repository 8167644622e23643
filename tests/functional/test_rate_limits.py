"""Rate-limit counters live in the database: every worker process counts together and a restart
forgets nothing (SQLite and PostgreSQL); keys are stored hashed."""

import threading

from sqlalchemy import select

from paperboard.storage.engine import open_database
from paperboard.storage.rate_limits import DatabaseCounts
from paperboard.storage.schema import rate_limits
from paperboard.web.security import Limit, RateLimiter


def test_workers_share_the_counts_and_a_restart_keeps_them(engine, db_url):
    now = [1_000_000.0]
    limits = {"signin": Limit(5, 60)}
    worker_a = RateLimiter(limits, clock=lambda: now[0], counts=DatabaseCounts(engine))
    second_engine = open_database(db_url)  # another process has its own engine
    worker_b = RateLimiter(limits, clock=lambda: now[0], counts=DatabaseCounts(second_engine))
    allowed = [w.retry_after("signin", "10.0.0.1|alice") is None for w in (worker_a, worker_b) * 3]
    assert allowed == [True] * 5 + [False]
    second_engine.dispose()
    restarted = RateLimiter(limits, clock=lambda: now[0], counts=DatabaseCounts(open_database(db_url)))
    wait = restarted.retry_after("signin", "10.0.0.1|alice")
    assert wait is not None and 0 < wait <= 60
    assert restarted.retry_after("signin", "10.0.0.2|alice") is None  # another key counts alone
    now[0] += 60
    assert restarted.retry_after("signin", "10.0.0.1|alice") is None  # the next window
    with engine.connect() as conn:
        buckets = conn.execute(select(rate_limits.c.bucket)).scalars().all()
    assert buckets and not any("alice" in b or "10.0.0" in b for b in buckets)


def test_concurrent_hits_are_all_counted(engine):
    counts = DatabaseCounts(engine)
    limiter = RateLimiter({"write": Limit(1000, 3600)}, clock=lambda: 5_000_000.0, counts=counts)
    errors = []

    def hammer():
        try:
            for _ in range(25):
                limiter.retry_after("write", "k")
        except Exception as exc:  # a lost update or a lock error would show here
            errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert counts.hit("write", "k", 5_000_000 // 3600 * 3600, 0, 0, 0) == (101, 0)
