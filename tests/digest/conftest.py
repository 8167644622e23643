"""A real SMTP server (aiosmtpd) for the digest tests, and a store with one edition's worth of real
arXiv papers (plus the reversal-curse papers, moved to that day) indexed for search."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import socket
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from paperboard.config import load_config
from paperboard.ingest import gist_job
from paperboard.ingest.files_job import ingest_file
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from tests.conftest import ARXIV_CS, fresh_postgres_database, require

DAY = "2025-09-29"
LIKED = "2504.01928"  # "Is the Reversal Curse a Binding Problem?", listed in April


@dataclass
class Sink:
    """Collects what the server accepted; refuses senders containing 'refused' (553) and recipients
    containing 'bounce' (550) and, while
    ``busy`` is set, every transaction with a temporary 451; while ``busy_at_end`` is set it takes the
    whole message and then refuses it (451 at the end of DATA). A message to an address containing
    'spam' is taken whole and refused for good (554 at the end of DATA); one to an address containing
    'nodata' is refused at the DATA command itself (554, before any of the message is sent)."""

    messages: list[EmailMessage] = field(default_factory=list)
    busy: bool = False
    busy_at_end: bool = False
    refused_at_end: int = 0  # how many whole messages were refused at the end of DATA
    senders: list[str] = field(default_factory=list)  # the envelope senders (MAIL FROM) it accepted
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if "refused" in address:
            return "553 5.7.1 sender address rejected"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        self.senders.append(address)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "bounce" in address:
            return "550 5.1.1 no such mailbox"
        if self.busy:
            return "451 4.3.2 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any("spam" in r for r in envelope.rcpt_tos):
            self.refused_at_end += 1
            return "554 5.7.1 message refused as spam"
        if self.busy_at_end:
            self.refused_at_end += 1
            return "451 4.3.0 queue full, try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _RefusingData(SMTP):
    async def smtp_DATA(self, arg):
        if self.envelope is not None and any("nodata" in r for r in self.envelope.rcpt_tos):
            await self.push("554 5.5.1 no data accepted for this recipient")
            return
        await super().smtp_DATA(arg)


class _SinkController(Controller):
    def factory(self):
        return _RefusingData(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def smtp():
    sink = Sink()
    controller = _SinkController(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.url = f"smtp://127.0.0.1:{controller.port}"  # type: ignore[attr-defined]
    yield sink
    controller.stop()


def edition_records() -> list[dict]:
    with gzip.open(require(ARXIV_CS), "rt") as f:
        rows = [json.loads(line) for line in f]
    chosen = [r for r in rows if r["listed"] == DAY]
    for r in rows:
        if "reversal curse" in (r["title"] + r["summary"]).lower() and r["id"] != LIKED:
            chosen.append({**r, "listed": DAY})
    chosen += [r for r in rows if r["id"] == LIKED]
    return chosen


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("digest-store")
    dump = folder / "papers.jsonl"
    records = edition_records()
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    engine = open_database(url)
    ingest_file(engine, str(dump))
    gist_job.refresh(engine)  # as `paperboard ingest` does before indexing
    search = SearchIndex(folder / "data")
    search.catch_up(engine)
    engine.dispose()
    return folder, records


@pytest.fixture(scope="module")
def postgres_store(store):
    """The same store in a PostgreSQL database that each test clones."""
    folder, _ = store
    with fresh_postgres_database() as url:
        engine = open_database(url)
        ingest_file(engine, str(folder / "papers.jsonl"))
        gist_job.refresh(engine)
        engine.dispose()
        yield url


def config_for(folder: Path, smtp_url: str, database_url: str, mail_from: str = "Paperboard <digest@example.org>"):
    return load_config({}, data_dir=str(folder / "data"), database_url=database_url,
                       secret_key="digest-secret", smtp_url=smtp_url, mail_from=mail_from,
                       base_url="http://paperboard.test")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, store, smtp, tmp_path):
    """A store of its own for each test (a copy of the module's), on SQLite and on PostgreSQL."""
    folder, records = store
    with ExitStack() as stack:
        if request.param == "sqlite":
            db = tmp_path / "db.sqlite3"
            shutil.copy(folder / "db.sqlite3", db)
            url = f"sqlite:///{db}"
        else:
            url = stack.enter_context(fresh_postgres_database(request.getfixturevalue("postgres_store")))
        config = config_for(folder, smtp.url, url)
        engine = open_database(config.database_url)
        yield config, engine, SearchIndex(config.data_dir), smtp, records
        engine.dispose()


def link_in(msg, path):
    text = msg.get_body(("plain",)).get_content()
    url = re.search(r"(http://paperboard\.test" + re.escape(path) + r"\S+)", text).group(1)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
