"""The scheduled jobs that keep a site current by itself: harvest arXiv after each announcement, index
what arrived, send the digest editions, retry queued mails.

Each job runs under a lease in the database, so two workers (or a worker and a cron ``--once``) never
run the same job at once, and every run is recorded in ``job_runs`` (start, end, counts, error) for
``paperboard jobs`` and ``/healthz``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, desc, insert, select, update
from sqlalchemy.exc import DBAPIError

from . import schedule
from .clock import as_utc, utcnow
from .config import JOBS, Config
from .storage import leases
from .storage.schema import job_runs

log = logging.getLogger(__name__)
LEASE_SECONDS = 300.0  # renewed every LEASE_SECONDS / 5 while the job runs
RETRY_FAILED = dt.timedelta(minutes=15)  # a failed run is tried again this soon, whatever its schedule
MAX_BACKOFF = 300.0  # seconds: the longest wait for a database that does not answer
FIRST_HARVEST_DAYS = 3  # a set never harvested starts this many days back


@dataclass(frozen=True, slots=True)
class Run:
    job: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    counts: dict[str, Any]
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        def stamp(t: dt.datetime | None) -> str | None:
            return t.isoformat().replace("+00:00", "Z") if t else None

        return {"job": self.job, "started_at": stamp(self.started_at), "finished_at": stamp(self.finished_at),
                "status": self.status, "counts": self.counts, "error": without_credentials(self.error)}


def without_credentials(text: str | None) -> str | None:
    """``text`` with the user and password of every URL in it left out (an upstream's error names the
    URL it failed on, and a configured URL may carry them)."""
    return re.sub(r"(\b[a-zA-Z][\w+.-]*://)[^/\s@]+@", r"\1", text) if text else text


def _cut_short(engine: Engine, last: Run | None) -> bool:
    """Whether ``last`` is marked running though no live process holds its job's lease (it was killed,
    or its machine stopped)."""
    return last is not None and last.status == "running" and not leases.held(engine, f"job:{last.job}")


def last_run(engine: Engine, job: str, *, ok_only: bool = False) -> Run | None:
    query = select(job_runs).where(job_runs.c.job == job)
    if ok_only:
        query = query.where(job_runs.c.status == "ok")
    with engine.connect() as conn:
        row = conn.execute(query.order_by(desc(job_runs.c.started_at)).limit(1)).first()
    if row is None:
        return None
    return Run(row.job, as_utc(row.started_at), as_utc(row.finished_at), row.status,  # type: ignore[arg-type]
               dict(row.counts or {}), row.error)


def schedules(config: Config) -> dict[str, schedule.Schedule]:
    """Each job's schedule from the settings; a bad one is a ConfigError naming its variable."""
    from .config import ConfigError

    found = {}
    for job in JOBS:
        try:
            found[job] = schedule.parse(config.schedules.get(job, ""))
        except schedule.ScheduleError as exc:
            env = "PAPERBOARD_" + job.replace("-", "_").upper() + "_SCHEDULE"
            raise ConfigError(f"{env}: {exc}") from None
    return found


class Worker:
    def __init__(self, config: Config, engine: Engine, *, search=None,  # type: ignore[no-untyped-def]
                 clock: Callable[[], dt.datetime] = lambda: utcnow(), progress: bool = False):
        from .board import Paperboard

        self.progress = progress  # a line every few seconds on standard error while indexing
        self.config = config
        self.engine = engine
        self.board = Paperboard(config, engine=engine, index=search, fetch_from_arxiv=False)
        self.clock = clock
        self.holder = leases.holder_name()
        self.schedules = schedules(config)
        self.lease_lost = threading.Event()  # set while a run's lease has gone to another worker

    @property
    def search(self):  # type: ignore[no-untyped-def]
        return self.board.index

    # --- the jobs -----------------------------------------------------------------------------------

    def _harvest(self) -> dict[str, Any]:
        from .ingest import runner

        counts: dict[str, Any] = {"added": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        errors = []
        from .ingest.arxiv import last_harvested

        first = (self.clock() - dt.timedelta(days=FIRST_HARVEST_DAYS)).date()
        for set_name in self.config.harvest_sets:
            self.still_ours()
            since = None if last_harvested(self.engine, self.config.arxiv_oai_url, set_name) else first
            summary, failures = self.board.ingest(runner.ArxivJob(from_=since, sets=(set_name,)))
            for key in counts:
                counts[key] += getattr(summary, key)
            errors += failures
        self.still_ours()
        counts["indexed"] = self._catch_up()
        self._suggest(counts)
        if errors:
            raise JobError("; ".join(errors), counts)
        return counts

    def _index(self) -> dict[str, Any]:
        from .storage.engine import ensure_indexes

        ensure_indexes(self.engine)  # a killed bulk load left one dropped: running processes get it back
        counts = {"indexed": self._catch_up()}
        self._suggest(counts)
        return counts

    def _catch_up(self) -> int:
        from .progress import Steps

        with Steps(unit="paper", enabled=self.progress, lines=True) as steps:
            return self.board.catch_up(on_progress=steps.update, on_step=steps.step)

    def _suggest(self, counts: dict[str, Any]) -> None:
        """Cluster the suggested topics again when papers arrived since they were (by any way: a harvest,
        an ingest from the command line, a fetch on demand)."""
        from .foryou.service import suggestions_stale

        if suggestions_stale(self.engine):
            counts["suggested_topics"] = len(self.board.refresh_suggested_topics())

    def _digest(self, kind: str) -> dict[str, Any]:
        digests = self.board.digests
        summary = digests.send(digests.edition(kind, today=self.clock().date()))
        counts = summary.as_dict()
        if summary.failed or summary.pending:
            raise JobError("; ".join(summary.problems) or "some digests were not sent", counts)
        return counts

    def _mail(self) -> dict[str, Any]:
        done = self.board.digests.deliver_mail()
        if done.pending:
            raise JobError("; ".join(done.problems), done.as_dict())
        return done.as_dict()

    def _thumbnails(self) -> dict[str, Any]:
        from .ingest.arxiv_client import ArxivClient
        from .ingest.thumbnails import render_missing

        with ArxivClient(delay=self.config.arxiv_delay, retries=0, timeout=60) as client:
            return render_missing(self.engine, client, self.config.arxiv_pdf_url, still_ours=self.still_ours)

    def _job(self, name: str) -> Callable[[], dict[str, Any]]:
        return {"harvest": self._harvest, "index": self._index, "mail": self._mail,
                "thumbnails": self._thumbnails,
                "digest-daily": lambda: self._digest("daily"),
                "digest-weekly": lambda: self._digest("weekly")}[name]

    # --- running them -------------------------------------------------------------------------------

    def due(self, now: dt.datetime | None = None) -> list[str]:
        now = now or self.clock()
        due = []
        # the index first: papers already stored (a new install's corpus) become searchable before a
        # harvest waits on the network
        for job in sorted(JOBS, key=lambda j: j != "index"):
            plan = self.schedules[job]
            if not plan.enabled:
                continue
            if job.startswith("digest") and not self.config.smtp_url:
                continue  # no mail server: nothing to send digests with
            last = last_run(self.engine, job)
            first_fill = last is None and job == "harvest"  # a new install fills its feeds at once
            retry = last is not None and last.status == "failed" and now - last.started_at >= RETRY_FAILED
            # a run whose process died (killed, or the machine stopped) is run again at once
            cut_short = _cut_short(self.engine, last)
            if first_fill or retry or cut_short or plan.due(last.started_at if last else None, now):
                due.append(job)
        return due

    def run(self, job: str) -> Run | None:
        """Run ``job`` now under its lease; None when another worker is running it."""
        name = f"job:{job}"
        if not leases.acquire(self.engine, name, self.holder, LEASE_SECONDS):
            return None
        stop, self.lease_lost = threading.Event(), threading.Event()
        renew = threading.Thread(target=self._renew, args=(name, stop, self.lease_lost), daemon=True)
        renew.start()
        started = self.clock()
        with self.engine.begin() as conn:
            # holding the lease, this process is the only one running the job: a run still marked
            # running was cut short
            conn.execute(update(job_runs).where(job_runs.c.job == job, job_runs.c.status == "running").values(
                status="abandoned", finished_at=started, error="its process ended before the run did"))
            run_id = conn.execute(insert(job_runs).values(job=job, started_at=started, status="running",
                                                          counts={}).returning(job_runs.c.id)).scalar_one()
        status, counts, error = "ok", {}, None
        try:
            counts = self._job(job)()
        except JobError as exc:
            status, counts, error = "failed", exc.counts, str(exc)
        except LeaseLost:
            pass  # said below
        except Exception as exc:  # recorded for the operator; the worker goes on with other jobs
            log.exception("job %s failed", job)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            stop.set()
            renew.join()
            if self.lease_lost.is_set():  # paused past its lease: another worker took the job over
                status, error = "lost", ("its lease ran out and another worker took the job over; what it "
                                         "did before is kept, the other run is the job's")
            with self.engine.begin() as conn:  # a run the new holder marked abandoned stays so
                conn.execute(update(job_runs).where(job_runs.c.id == run_id, job_runs.c.status == "running")
                             .values(finished_at=self.clock(), status=status, counts=counts,
                                     error=error[:4000] if error else None))
            leases.release(self.engine, name, self.holder)  # only if still ours
        return Run(job, started, self.clock(), status, counts, error)

    def still_ours(self) -> None:
        """Raise LeaseLost when the running job's lease went to another worker (jobs call this between
        their steps, so a worker that was paused stops instead of running beside the new holder)."""
        if self.lease_lost.is_set():
            raise LeaseLost("another worker took this job over")

    def _renew(self, name: str, stop: threading.Event, lost: threading.Event) -> None:
        while not stop.wait(LEASE_SECONDS / 5):
            try:
                renewed = leases.acquire(self.engine, name, self.holder, LEASE_SECONDS)
            except (DBAPIError, OSError) as exc:  # tried again at the next tick, before the lease runs out
                log.warning("renewing the lease %s failed: %s", name, exc)
                continue
            if not renewed:
                log.error("the lease %s went to another worker: this run stops at its next step", name)
                lost.set()
                return

    def run_due(self) -> list[Run]:
        done = []
        for job in self.due():
            ran = self.run(job)
            if ran is not None:
                done.append(ran)
        return done

    def forever(self, *, tick: float = 30.0, on_run: Callable[[Run], None] | None = None,
                sleep: Callable[[float], None] = time.sleep) -> None:
        """Run what is due every ``tick`` seconds, for ever. A database that cannot be reached (down,
        restarting, its disk full) is waited for, longer each time up to ``MAX_BACKOFF``: the worker
        never exits over it, and picks up its schedule when the database answers again."""
        wait = tick
        while True:
            try:
                for ran in self.run_due():
                    if on_run:
                        on_run(ran)
                wait = tick
            except (DBAPIError, OSError) as exc:
                wait = min(wait * 2, MAX_BACKOFF)
                said = str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__]
                log.warning("the database cannot be used now (%s); the worker tries again in %.0f s",
                            said[0][:300], wait)
            sleep(wait)


class LeaseLost(RuntimeError):
    """The job's lease went to another worker while this one ran it."""


class JobError(RuntimeError):
    """A job that ran but did not fully succeed; ``counts`` says how far it got."""

    def __init__(self, message: str, counts: dict[str, Any]):
        super().__init__(message)
        self.counts = counts


def status(config: Config, engine: Engine, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each job: its schedule, last run and when it is next due (``paperboard jobs``)."""
    now = now or utcnow()
    rows = []
    for job, plan in schedules(config).items():
        last = last_run(engine, job)
        cut_short = _cut_short(engine, last)
        upcoming = None
        if plan.enabled and not (job.startswith("digest") and not config.smtp_url):  # as due() decides
            upcoming = plan.next_after(now, last.started_at if last else None)
            if cut_short or (last is None and job == "harvest"):
                upcoming = now  # run again at once / a new install's first harvest
            elif last is not None and last.status == "failed":
                upcoming = max(now, min(upcoming, last.started_at + RETRY_FAILED))  # retried before its time
        shown = last.as_dict() if last else None
        if shown and cut_short:
            shown["status"] = "abandoned"  # its process is gone: the next worker runs it again at once
            shown["error"] = "its process ended before the run did"
        rows.append({"job": job, "schedule": config.schedules.get(job) or "off",
                     "last_run": shown,
                     "next": upcoming.isoformat().replace("+00:00", "Z") if upcoming else None})
    return rows
