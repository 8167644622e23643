"""Two or three `digest send` runs started together still send each subscriber the edition once: the
row count of the conditional update that marks a digest sent decides which run's copy the server takes
(SQLite and PostgreSQL, a real aiosmtpd server)."""

import threading
from collections import Counter

import pytest

from paperboard.digest.mailer import Mailer, SmtpSettings
from paperboard.digest.preferences import Preferences
from paperboard.digest.sender import send_edition
from paperboard.digest.subscribers import add as add_subscriber
from paperboard.ingest.files_job import ingest_file
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from tests.conftest import fresh_postgres_database
from tests.digest.conftest import config_for
from tests.digest.test_digest import EDITION


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.mark.parametrize("runs", [2, 3])
def test_concurrent_runs_send_each_digest_once(store, smtp, database, runs):
    folder, _ = store
    engine = open_database(database)
    ingest_file(engine, str(folder / "papers.jsonl"))
    config = config_for(folder, smtp.url, database)
    emails = [f"reader{i:02d}@example.org" for i in range(40)]
    with engine.begin() as conn:
        for email in emails:
            add_subscriber(conn, email, Preferences(send_empty=True), confirmed=True)
    search = SearchIndex(config.data_dir)
    settings = SmtpSettings.parse(smtp.url)
    start = threading.Barrier(runs, timeout=30)
    summaries, errors = [], []
    engines = [open_database(database) for _ in range(runs)]  # each run has its own connections

    def one_run(own):
        try:
            start.wait()
            summaries.append(send_edition(own, search, config, EDITION, mailer=lambda: Mailer(settings),
                                          sleep=lambda s: None))
        except Exception as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=one_run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert not errors, errors
    delivered = Counter(str(m["To"]) for m in smtp.messages)
    assert sorted(delivered) == emails and set(delivered.values()) == {1}, delivered.most_common(3)
    assert sum(s.sent for s in summaries) == 40
