"""Leases: at most one process at a time runs a named job. A holder renews its lease while it works;
a lease that was not renewed in time (its holder died) may be taken over."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import Engine, delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from .schema import leases


def holder_name() -> str:
    """Who this process is, for the lease table (host, pid and a random part: pids are reused)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(engine: Engine, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease ``name`` for ``seconds``; False while another live holder has it."""
    now = dt.datetime.now(dt.UTC)
    until = now + dt.timedelta(seconds=seconds)
    with engine.begin() as conn:
        taken = conn.execute(update(leases).where(
            leases.c.name == name, or_(leases.c.holder == holder, leases.c.expires_at < now))
            .values(holder=holder, expires_at=until)).rowcount
        if taken:
            return True
    try:
        with engine.begin() as conn:
            conn.execute(insert(leases).values(name=name, holder=holder, expires_at=until))
    except IntegrityError:  # someone holds it (or took it a moment ago)
        return False
    return True


def release(engine: Engine, name: str, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))
