"""Leases: at most one process at a time runs a named job. A holder renews its lease while it works;
a lease that was not renewed in time may be taken over, and so may, at once, one whose holder was a
process on this machine (same host and process namespace) that no longer exists: a worker killed with
SIGKILL does not hold up the next run for the rest of its lease."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from .schema import leases


def _here() -> str:
    """This machine and process namespace: a pid means the same process only within both."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0  # unknown: no lease of this host is judged dead by its pid
    return f"{socket.gethostname()[:60]}/{namespace}"


def holder_name() -> str:
    """Who this process is, for the lease table (where, pid and a random part: pids are reused)."""
    return f"{_here()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_gone(holder: str) -> bool:
    """True only when ``holder`` was a process here that has exited (a pid that is alive again, reused,
    keeps the lease until it expires: never two holders, at worst a wait)."""
    where, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if where != _here() or where.endswith("/0") or not (pid_text.isascii() and pid_text.isdigit()):
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, though not ours to signal
        return False
    return False


def acquire(engine: Engine, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease ``name`` for ``seconds``; False while another live holder has it."""
    now = utcnow()
    until = now + dt.timedelta(seconds=seconds)
    with engine.begin() as conn:
        current = conn.execute(select(leases.c.holder).where(leases.c.name == name)).scalar()
        takeable = [holder] + ([current] if current and current != holder and holder_gone(current) else [])
        taken = conn.execute(update(leases).where(
            leases.c.name == name, or_(leases.c.holder.in_(takeable), leases.c.expires_at < now))
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


def held(engine: Engine, name: str) -> str | None:
    """The live holder of ``name``, or None when nobody holds it (expired, or its process is gone)."""
    now = utcnow()
    with engine.connect() as conn:  # live by the same comparison ``acquire`` makes
        holder = conn.execute(select(leases.c.holder)
                              .where(leases.c.name == name, leases.c.expires_at >= now)).scalar()
    return None if holder is None or holder_gone(holder) else holder
