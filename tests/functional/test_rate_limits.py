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


def test_the_window_before_counts_for_its_share_and_expired_windows_are_swept(engine):
    """A sliding window estimated from two fixed ones, in the database: at the start of a window the
    previous one still counts in full, and its weight falls as the window goes by; another key's hits
    never count; windows past their expiry are deleted as hits go on."""
    from paperboard.storage import rate_limits as module

    now = [6_000.0]  # the start of a 60-second window
    limiter = RateLimiter({"write": Limit(4, 60)}, clock=lambda: now[0], counts=DatabaseCounts(engine))
    other = RateLimiter({"write": Limit(4, 60)}, clock=lambda: now[0], counts=DatabaseCounts(engine))
    for _ in range(3):
        assert other.retry_after("write", "someone else") is None
    waits = []
    for at in (6_001, 6_002, 6_003, 6_004, 6_010):  # four allowed, the fifth waits for the window's end
        now[0] = at
        waits.append(limiter.retry_after("write", "me"))
    assert waits == [None, None, None, None, 50.0]
    now[0] = 6_060.0  # the next window: the previous one's 5 still count in full
    assert limiter.retry_after("write", "me") == 24.0  # 60 * (1 - (4 - 1) / 5) - 0
    now[0] = 6_090.0  # half-way: the previous window counts for half (2.5), with this window's 2
    assert limiter.retry_after("write", "me") == 6.0  # 60 * (1 - (4 - 2) / 5) - 30
    now[0] = 6_175.0  # two windows on, nothing before: allowed
    assert limiter.retry_after("write", "me") is None
    with engine.connect() as conn:
        before = conn.execute(select(rate_limits.c.window)).scalars().all()
    assert min(before) == 6_000
    now[0] = 9_000.0  # long after: every earlier window has expired
    sweeper = DatabaseCounts(engine)
    for i in range(module.SWEEP_EVERY - 1):
        sweeper.hit("other", f"k{i}", 9_000, 8_940, 9_120, 9_000)
    with engine.connect() as conn:  # not yet: one hit short of a sweep
        assert min(conn.execute(select(rate_limits.c.window)).scalars().all()) == 6_000
    sweeper.hit("other", "last", 9_000, 8_940, 9_120, 9_000)
    with engine.connect() as conn:
        left = conn.execute(select(rate_limits.c.window)).scalars().all()
    assert left and min(left) == 9_000  # the sweep on the 200th hit removed every expired window
