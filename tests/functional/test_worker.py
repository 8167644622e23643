"""``paperboard worker`` keeps a site current by itself: harvests arXiv (a loopback stand-in replaying
recorded OAI-PMH pages), indexes what arrived, sends digests (a real aiosmtpd server), records every run,
and never runs one job twice at once."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from paperboard.config import load_config
from paperboard.digest import subscribers as store
from paperboard.digest.preferences import Preferences
from paperboard.storage import leases
from paperboard.storage.engine import open_database
from paperboard.storage.schema import job_runs
from paperboard.worker import Worker, status
from tests.digest.conftest import Sink, free_port
from tests.functional.cli import database_for, paperboard
from tests.functional.fake_arxiv import FakeArxiv, oai_pages, xml

pytestmark = pytest.mark.usefixtures("store_kind")  # each test on SQLite and on PostgreSQL


def _config(data_dir, **settings):
    """The settings a CLI call on ``data_dir`` would read (its PostgreSQL database, when on one)."""
    return load_config({}, data_dir=str(data_dir), database_url=database_for(data_dir), **settings)


def _env(server: FakeArxiv, **extra: str) -> dict[str, str]:
    return {"PAPERBOARD_ARXIV_OAI_URL": server.url + "/oai", "PAPERBOARD_ARXIV_RETRIES": "0",
            "PAPERBOARD_HARVEST_SETS": "cs", **extra}


def test_once_harvests_indexes_and_records_then_has_nothing_due(tmp_path):
    page1, page2 = oai_pages()

    def handler(path, params):
        return xml(page2 if params.get("resumptionToken") == "tok|1" else page1)

    with FakeArxiv(handler) as arxiv:
        first = paperboard("worker", "--once", data_dir=tmp_path, env=_env(arxiv))
        assert first.returncode == 0, first.stderr
        assert "harvest ok" in first.stderr and "added 2" in first.stderr and "indexed 2" in first.stderr
        asked = arxiv.requests[0][1]
        assert asked["set"] == "cs" and asked["metadataPrefix"] == "arXiv"
        assert dt.date.fromisoformat(asked["from"]) >= dt.date.today() - dt.timedelta(days=3)
        again = paperboard("worker", "--once", data_dir=tmp_path, env=_env(arxiv))
        assert again.returncode == 0 and "nothing due" in again.stderr
        assert len(arxiv.requests) == 2  # two pages, once
    found = paperboard("search", "graph", "--format", "json", data_dir=tmp_path)
    assert json.loads(found.stdout)["results"], found.stderr
    listed = json.loads(paperboard("jobs", "--format", "json", data_dir=tmp_path).stdout)
    harvest = next(j for j in listed if j["job"] == "harvest")
    assert harvest["last_run"]["status"] == "ok" and harvest["last_run"]["counts"]["added"] == 2
    assert harvest["last_run"]["finished_at"] and harvest["next"]


def test_a_failing_harvest_is_recorded_and_resumes_incrementally(tmp_path):
    page1, page2 = oai_pages()
    state = {"down": True}

    def handler(path, params):
        if params.get("resumptionToken") == "tok|1":
            if state["down"]:
                return 500, {}, b"oops"
            return xml(page2)
        return xml(page1)

    with FakeArxiv(handler) as arxiv:
        failed = paperboard("worker", "--job", "harvest", data_dir=tmp_path, env=_env(arxiv))
        assert failed.returncode == 1 and "harvest failed" in failed.stderr
        listed = json.loads(paperboard("jobs", "--format", "json", data_dir=tmp_path).stdout)
        run = next(j for j in listed if j["job"] == "harvest")["last_run"]
        assert run["status"] == "failed" and run["error"] and run["counts"]["added"] == 1
        state["down"] = False
        before = len(arxiv.requests)
        ok = paperboard("worker", "--job", "harvest", data_dir=tmp_path, env=_env(arxiv))
        assert ok.returncode == 0, ok.stderr
        assert arxiv.requests[before][1] == {"verb": "ListRecords", "resumptionToken": "tok|1"}  # resumed


def test_a_job_another_worker_holds_is_not_run_twice(tmp_path):
    config = _config(tmp_path, index_schedule="every 300")
    engine = open_database(config.database_url)
    worker = Worker(config, engine)
    assert leases.acquire(engine, "job:index", "another-worker", 300)
    assert worker.run("index") is None
    leases.release(engine, "job:index", "another-worker")
    ran = worker.run("index")
    assert ran is not None and ran.status == "ok"
    with engine.connect() as conn:
        assert conn.execute(select(job_runs.c.job, job_runs.c.status)).all() == [("index", "ok")]
    engine.dispose()


def test_the_daily_digest_is_sent_on_schedule_once(tmp_path):
    sink = Sink()
    relay = Controller(sink, hostname="127.0.0.1", port=free_port())
    relay.start()
    try:
        config = _config(tmp_path, smtp_url=f"smtp://127.0.0.1:{relay.port}",
                             digest_daily_schedule="07:00", harvest_schedule="off")
        engine = open_database(config.database_url)
        with engine.begin() as conn:
            store.add(conn, "reader@example.org", Preferences(send_empty=True), confirmed=True)
        clock = [dt.datetime(2026, 12, 1, 7, 5, tzinfo=dt.UTC)]
        worker = Worker(config, engine, clock=lambda: clock[0])
        assert "digest-daily" in worker.due()
        runs = {r.job: r for r in worker.run_due()}
        assert runs["digest-daily"].status == "ok" and runs["digest-daily"].counts["sent"] == 1
        clock[0] += dt.timedelta(hours=3)
        assert "digest-daily" not in worker.due()
        clock[0] += dt.timedelta(days=1)
        assert "digest-daily" in worker.due()
        engine.dispose()
    finally:
        relay.stop()
    assert [str(m["To"]) for m in sink.messages] == ["reader@example.org"]


def test_a_failed_run_is_retried_within_a_quarter_hour(tmp_path):
    config = _config(tmp_path, harvest_schedule="02:00",
                         arxiv_oai_url="http://127.0.0.1:9/unreachable", arxiv_retries="0", harvest_sets="cs")
    engine = open_database(config.database_url)
    clock = [dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)]
    worker = Worker(config, engine, clock=lambda: clock[0])
    assert worker.run("harvest").status == "failed"
    clock[0] += dt.timedelta(minutes=5)
    assert "harvest" not in worker.due()
    shown = {row["job"]: row["next"] for row in status(config, engine, now=clock[0])}
    assert shown["harvest"] == "2026-12-01T09:15:00Z"  # the retry, not the schedule's 02:00 tomorrow
    assert shown["digest-daily"] is None  # no mail server: never sent, so never "next"
    clock[0] += dt.timedelta(minutes=11)
    assert "harvest" in worker.due()
    engine.dispose()


def test_a_job_whose_worker_was_killed_runs_again_at_once_and_the_cut_run_is_marked(tmp_path):
    """A worker killed with SIGKILL leaves its lease and a run marked running: the next worker on this
    machine sees that process is gone, takes the lease at once and records the cut run as abandoned,
    while a live holder's lease is still respected."""
    config = _config(tmp_path, harvest_schedule="off")
    engine = open_database(config.database_url)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = leases.holder_name().replace(f":{os.getpid()}:", f":{dead.pid}:")
    assert leases.acquire(engine, "job:index", holder, 300)
    with engine.begin() as conn:
        conn.execute(job_runs.insert().values(job="index", started_at=dt.datetime.now(dt.UTC),
                                              status="running", counts={}))
    worker = Worker(config, engine)
    assert "index" in worker.due()  # its schedule (every 5 minutes) alone would wait
    assert worker.run("index").status == "ok"
    with engine.connect() as conn:
        assert [r.status for r in conn.execute(select(job_runs.c.status).order_by(job_runs.c.id))] \
            == ["abandoned", "ok"]
    alive = leases.holder_name()  # this very process, under another lease holder's name
    assert leases.acquire(engine, "job:index", alive, 300)
    assert worker.run("index") is None
    held = paperboard("worker", "--job", "index", data_dir=tmp_path)
    assert held.returncode == 1 and "another process is running it" in held.stderr
    engine.dispose()


def test_the_worker_waits_for_a_database_that_is_down_instead_of_exiting(tmp_path):
    """Any database error outside a job ended the worker, and nothing restarted it: the site silently
    stopped harvesting. It now waits, longer each time, and goes on when the database is back."""
    from sqlalchemy import create_engine

    config = _config(tmp_path, harvest_schedule="off", index_schedule="every 60")
    engine = open_database(config.database_url)
    worker = Worker(config, engine)
    down = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/gone", connect_args={"connect_timeout": 2})
    worker.engine = down  # as when PostgreSQL restarts, or the disk fills
    waits, ran = [], []

    class Stop(Exception):
        pass

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 3:
            worker.engine = engine  # the database answers again
        if ran:
            raise Stop

    with pytest.raises(Stop):
        worker.forever(tick=30, on_run=ran.append, sleep=sleep)
    assert waits == [60, 120, 240, 30]  # waited longer each time, then back to its tick
    assert "index" in [r.job for r in ran] and all(r.status == "ok" for r in ran)
    engine.dispose()
    down.dispose()


def test_a_worker_whose_lease_went_to_another_stops_and_records_it(tmp_path, monkeypatch):
    """A paused worker's renewal found its lease taken and went on running the job beside the new
    holder; and `paperboard jobs` showed a run whose process was gone as running."""
    import time

    from paperboard import worker as worker_module
    from paperboard.storage.schema import leases as lease_table

    monkeypatch.setattr(worker_module, "LEASE_SECONDS", 0.5)  # renewed every 0.1 s
    config = _config(tmp_path, harvest_schedule="off")
    engine = open_database(config.database_url)
    worker = Worker(config, engine)
    other = leases.holder_name().replace(":", ":other-", 1)
    steps = []

    def job():
        with engine.begin() as conn:  # the lease runs out while this worker is paused; another takes it
            conn.execute(lease_table.update().where(lease_table.c.name == "job:index")
                         .values(holder=other, expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)))
        for _ in range(50):
            time.sleep(0.05)
            worker.still_ours()  # between its steps
            steps.append(1)
        return {}

    monkeypatch.setattr(worker, "_job", lambda name: job)
    ran = worker.run("index")
    assert ran.status == "lost" and "another worker took the job over" in ran.error
    assert len(steps) < 10  # it stopped within a renewal or two
    assert leases.held(engine, "job:index") == other  # the new holder's lease is left alone
    with engine.begin() as conn:  # a run marked running whose process is gone
        conn.execute(lease_table.delete())
        conn.execute(job_runs.insert().values(job="mail", started_at=dt.datetime.now(dt.UTC), status="running",
                                              counts={}))
    listed = json.loads(paperboard("jobs", "--format", "json", data_dir=tmp_path).stdout)
    assert next(j for j in listed if j["job"] == "mail")["last_run"]["status"] == "abandoned"
    engine.dispose()


def test_the_index_job_clusters_the_suggested_topics_again_only_when_papers_arrive(tmp_path):
    from paperboard.foryou.service import kept_suggestions
    from paperboard.ingest.files_job import ingest_file
    from tests.web.data import write_inputs

    config = _config(tmp_path, harvest_schedule="off")
    engine = open_database(config.database_url)
    corpus, _, _ = write_inputs(tmp_path, n_papers=800)
    ingest_file(engine, str(corpus))
    worker = Worker(config, engine)
    first = worker.run("index")
    assert first.status == "ok" and first.counts["suggested_topics"] > 0
    kept = kept_suggestions(engine)
    assert kept and len(kept) == first.counts["suggested_topics"] and all(s.label and s.papers for s in kept)
    again = worker.run("index")
    assert again.status == "ok" and "suggested_topics" not in again.counts  # nothing new: nothing computed
    engine.dispose()
