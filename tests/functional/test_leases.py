"""Leases on SQLite and PostgreSQL: one holder at a time, renewal, expiry, release, and a holder whose
process on this machine has exited losing its lease at once (and only then)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time

from sqlalchemy import update

from paperboard.storage import leases
from paperboard.storage.schema import leases as lease_rows


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_one_holder_at_a_time_until_it_releases_or_expires(engine):
    assert leases.held(engine, "job:x") is None
    assert leases.acquire(engine, "job:x", "a", 60)
    assert leases.acquire(engine, "job:x", "a", 60)  # renewed by its holder
    assert not leases.acquire(engine, "job:x", "b", 60)
    assert leases.held(engine, "job:x") == "a"
    leases.release(engine, "job:x", "b")  # not b's to release
    assert leases.held(engine, "job:x") == "a"
    assert leases.acquire(engine, "job:y", "b", 60)  # another name is another lease
    assert leases.acquire(engine, "job:w", "a", 60) and leases.held(engine, "job:w") == "a"  # a's second
    leases.release(engine, "job:w", "a")
    assert leases.held(engine, "job:w") is None and leases.held(engine, "job:x") == "a"  # that one only
    leases.release(engine, "job:x", "a")
    assert leases.held(engine, "job:x") is None and leases.acquire(engine, "job:x", "b", 60)
    with engine.begin() as conn:  # b stopped renewing a second ago
        conn.execute(update(lease_rows).where(lease_rows.c.name == "job:x")
                     .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert leases.held(engine, "job:x") is None
    assert leases.acquire(engine, "job:x", "c", 60) and leases.held(engine, "job:x") == "c"


def test_a_holder_whose_process_is_gone_here_loses_its_lease_at_once(engine, monkeypatch):
    me = leases.holder_name()
    where, pid, random_part = me.split(":")
    assert int(pid) == os.getpid() and re.fullmatch(r"[0-9a-f]{8}", random_part)
    assert re.fullmatch(r".+/\d+", where) and leases.holder_name() != me  # a new name each time
    dead = f"{where}:{_dead_pid()}:00000000"
    assert leases.holder_gone(dead)
    assert not leases.holder_gone(me)  # alive
    assert not leases.holder_gone(f"{where}:1:00000000")  # alive (init), though not ours to signal
    assert not leases.holder_gone(f"elsewhere/{where.split('/')[1]}:{_dead_pid()}:00000000")  # another host
    assert not leases.holder_gone("not a holder") and not leases.holder_gone(f"{where}:x1:0")

    def not_ours(pid, signal):
        raise PermissionError(1, "Operation not permitted")  # what a non-root process hears about init

    with monkeypatch.context() as patched:
        patched.setattr(leases.os, "kill", not_ours)
        assert not leases.holder_gone(f"{where}:1:00000000")  # alive, though not ours to signal
    assert leases.acquire(engine, "job:z", dead, 300)
    assert leases.held(engine, "job:z") is None  # its process is gone: nobody holds it
    assert leases.acquire(engine, "job:z", me, 300) and leases.held(engine, "job:z") == me
    assert not leases.acquire(engine, "job:z", leases.holder_name(), 300)  # a live holder keeps it
    # where the process namespace cannot be read, a pid proves nothing: only expiry frees a lease
    monkeypatch.setattr(leases.os, "stat", lambda path: (_ for _ in ()).throw(OSError("no /proc")))
    blind = leases.holder_name()
    assert blind.split(":")[0].endswith("/0")
    assert not leases.holder_gone(blind.replace(f":{os.getpid()}:", f":{_dead_pid()}:"))


def test_asking_whether_a_holder_lives_sends_it_no_signal():
    """The probe is signal 0 (existence only): a live holder, which by default dies of SIGHUP or
    SIGTERM, is still running afterwards."""
    # the default actions, whatever this process inherited (under nohup SIGHUP is ignored)
    child = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGHUP, "
                              "signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL); "
                              "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"ready\n"  # its signal actions are the defaults from here on
        holder = f"{leases.holder_name().split(':')[0]}:{child.pid}:00000000"
        assert not leases.holder_gone(holder)
        time.sleep(0.2)  # a signal, had one been sent, has been delivered by now
        assert child.poll() is None
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert leases.holder_gone(holder)
