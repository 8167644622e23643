"""Settings: one table, and the only module that reads the environment.

Every setting has a name, the environment variable that sets it, a default and a line of help. The same
table feeds ``paperboard settings`` and the documentation test that fails when a setting is undocumented.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str | None
    help: str

    @property
    def env(self) -> str:
        return "PAPERBOARD_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", None,
            "Folder for everything Paperboard writes (database, indexes). "
            "Default: the platform's user data folder."),
    Setting("database_url", None,
            "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/db. "
            "Default: a SQLite file paperboard.sqlite3 in the data folder."),
    Setting("arxiv_oai_url", "https://oaipmh.arxiv.org/oai",
            "Base URL of arXiv's OAI-PMH endpoint (the pre-2025 one was http://export.arxiv.org/oai2)."),
    Setting("arxiv_api_url", "https://export.arxiv.org/api/query",
            "URL of the arXiv API (Atom) used to fetch papers by id."),
    Setting("arxiv_pdf_url", "https://arxiv.org/pdf",
            "Where the thumbnails job fetches a paper's PDF: this URL, a slash and the arXiv id."),
    Setting("arxiv_oai_set_format", "{archive}:{archive}:{category}",
            "How a category such as cs.LG becomes an OAI set name ({archive}=cs, {category}=LG); "
            "use {archive}:{category} for the pre-2025 endpoint."),
    Setting("arxiv_delay", "3",
            "Seconds to wait between requests to arXiv (arXiv asks for 3)."),
    Setting("arxiv_retries", "5",
            "How many times a failing arXiv request is retried (503 Retry-After, 5xx, network errors)."),
    Setting("arxiv_max_wait", "600",
            "Longest wait, in seconds, that a Retry-After from arXiv is honoured for before giving up."),
    Setting("embedder", "wordllama",
            "Embedding model for semantic search: wordllama (bundled), minilm (all-MiniLM-L6-v2, after "
            "scripts/setup --minilm) or sentence-transformers:PATH_OR_NAME (local only; never downloaded)."),
    Setting("search_url", "",
            "Where search lives. Empty (default): the embedded index in the data folder. "
            "http://host:19530: a Milvus server or cluster; a file path ending in .db: Milvus Lite (one "
            "process at a time; pip install milvus-lite)."),
    Setting("batch_size", "5000",
            "Papers written per database transaction during ingestion."),
    Setting("secret_key", None,
            "Key that signs session cookies and e-mail links. Default: a random key generated once and "
            "kept in the data folder (file secret_key)."),
    Setting("base_url", "http://127.0.0.1:8000",
            "Public address of the site, used in feeds, e-mails and markdown links."),
    Setting("smtp_url", "",
            "Mail server for digests and confirmation mails: smtp://user:pass@host:587?starttls=1, "
            "smtps://host:465 or smtp://host:25 (percent-encode special characters in the password). "
            "Empty: none; confirmation links are written to the server's log for the operator."),
    Setting("mail_from", "Paperboard <digest@localhost>",
            "From address of digests and confirmation mails."),
    Setting("harvest_sets", "cs",
            "OAI-PMH sets that `paperboard worker` harvests (comma-separated, e.g. cs,stat or cs:cs:LG)."),
    Setting("harvest_schedule", "02:00",
            "When the worker harvests arXiv: times of day in UTC (arXiv announces around 00:00 UTC, "
            "Sunday to Thursday), 'every SECONDS', or 'off'."),
    Setting("index_schedule", "every 300",
            "When the worker indexes papers that arrived by other means (dumps, on-demand fetches)."),
    Setting("digest_daily_schedule", "07:00",
            "When the worker sends the daily digest edition (UTC), or 'off'."),
    Setting("digest_weekly_schedule", "mon 07:30",
            "When the worker sends the weekly digest edition: a weekday and a time (UTC), or 'off'."),
    Setting("mail_schedule", "every 60",
            "When the worker retries queued mails (confirmations, manage links, password resets, replies)."),
    Setting("thumbnails_schedule", "every 900",
            "When the worker renders the first pages of newly submitted papers from their arXiv PDFs "
            "(a few dozen a run, 'off' for none; cards show a generated cover meanwhile)."),
    Setting("request_timeout", "10",
            "Seconds a client has to send a request's head (line and headers) after connecting; a "
            "connection that sends less in that time is closed (idle and half-sent connections)."),
    Setting("max_connections", "1000",
            "Connections and requests one server process holds at once; past it, new ones get 503 at once."),
    Setting("sqlite_synchronous", "full",
            "SQLite's durability: full (every acknowledged write survives a power cut or a crash of the "
            "machine) or normal (faster writes; a power cut can take back the last seconds of them)."),
    Setting("db_pool_size", "5",
            "PostgreSQL: connections each Paperboard process keeps open (at least 2: migrations hold one "
            "for their lock while they run on another)."),
    Setting("db_pool_overflow", "10",
            "PostgreSQL: connections a process may open beyond db_pool_size when busy (closed when idle)."),
    Setting("db_pool_timeout", "10",
            "PostgreSQL: seconds a request waits for a free connection before it is answered 503 (busy)."),
    Setting("db_statement_timeout", "30",
            "PostgreSQL: seconds one SQL statement of the web server may run before the database cancels it "
            "(the request is answered 503); 0: no limit. Jobs (ingest, worker, reindex) are not limited."),
    Setting("stale_after", "4",
            "Days after which /healthz calls the store stale (503, status \"stale\"): its newest listing day "
            "is older than that, so harvests are failing or off. arXiv lists nothing on Fridays, Saturdays "
            "and some holidays. 0: never."),
    Setting("trusted_proxies", "",
            "Addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8) of reverse proxies whose "
            "X-Forwarded-For and X-Forwarded-Proto are believed. Empty: none, every client is the "
            "connecting address (so a forged header cannot dodge rate limits)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
# the worker's jobs; each has a setting NAME_schedule (``-`` written ``_``)
JOBS = ("harvest", "index", "digest-daily", "digest-weekly", "mail", "thumbnails")


@dataclass(frozen=True, slots=True)
class Pool:
    """A process's PostgreSQL connection pool: kept open, opened beyond that when busy, and the seconds a
    request waits for one."""

    size: int = 5
    overflow: int = 10
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class Config:
    data_dir: Path
    database_url: str
    arxiv_oai_url: str
    arxiv_api_url: str
    arxiv_oai_set_format: str
    arxiv_delay: float
    arxiv_retries: int
    arxiv_max_wait: float
    embedder: str
    batch_size: int
    search_url: str = ""
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str = ""
    mail_from: str = "Paperboard <digest@localhost>"
    trusted_proxies: tuple[str, ...] = ()
    request_timeout: float = 10.0
    max_connections: int = 1000
    sqlite_synchronous: str = "full"
    stale_after: int = 4
    db_pool_size: int = 5
    db_pool_overflow: int = 10
    db_pool_timeout: float = 10.0
    db_statement_timeout: float = 30.0
    harvest_sets: tuple[str, ...] = ("cs",)
    arxiv_pdf_url: str = "https://arxiv.org/pdf"
    schedules: dict[str, str] = field(default_factory=dict)  # job name -> schedule text

    def setting(self, name: str) -> str:
        """The value of the setting ``name`` as text (``paperboard settings``)."""
        if name.endswith("_schedule"):
            return self.schedules.get(name[: -len("_schedule")].replace("_", "-"), "")
        value = getattr(self, name)
        return ",".join(value) if isinstance(value, tuple) else str(value)

    def pool(self) -> Pool:
        """How many PostgreSQL connections one process holds, and how long a request waits for one."""
        return Pool(self.db_pool_size, self.db_pool_overflow, self.db_pool_timeout)

    def signing_key(self) -> str:
        """The configured secret, or one generated on first use and kept in the data folder."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():  # written whole, then linked: concurrent first starts agree on one key
            import secrets
            import tempfile

            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # mkstemp creates the file with mode 0600: readable by its owner only
            fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".secret_key.")
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        if path.stat().st_mode & 0o077:  # a key others can read can forge sessions and mail links
            path.chmod(0o600)
        return path.read_text().strip()


class ConfigError(ValueError):
    """A setting has a value Paperboard cannot use."""


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("paperboard", appauthor=False))


def load_config(env: Mapping[str, str] | None = None, **overrides: str | None) -> Config:
    """Read settings from ``env`` (default: the process environment); ``overrides`` win (CLI options)."""
    env = os.environ if env is None else env
    raw: dict[str, str | None] = {}
    for s in SETTINGS:
        value = overrides.get(s.name)
        if value is None:
            value = env.get(s.env) or s.default
        raw[s.name] = value
    data_dir = Path(raw["data_dir"]).expanduser() if raw["data_dir"] else _default_data_dir()
    database_url = raw["database_url"] or f"sqlite:///{data_dir / 'paperboard.sqlite3'}"
    return Config(
        data_dir=data_dir,
        database_url=database_url,
        arxiv_oai_url=str(raw["arxiv_oai_url"]),
        arxiv_api_url=str(raw["arxiv_api_url"]),
        arxiv_pdf_url=str(raw["arxiv_pdf_url"]).rstrip("/"),
        arxiv_oai_set_format=str(raw["arxiv_oai_set_format"]),
        arxiv_delay=_number("arxiv_delay", raw["arxiv_delay"], float, minimum=0),
        arxiv_retries=_number("arxiv_retries", raw["arxiv_retries"], int, minimum=0),
        arxiv_max_wait=_number("arxiv_max_wait", raw["arxiv_max_wait"], float, minimum=0),
        embedder=str(raw["embedder"]),
        search_url=_search_url(str(raw["search_url"] or "")),
        batch_size=_number("batch_size", raw["batch_size"], int, minimum=1),
        secret_key=raw["secret_key"],
        base_url=str(raw["base_url"]).rstrip("/"),
        smtp_url=str(raw["smtp_url"] or ""),
        mail_from=str(raw["mail_from"]),
        trusted_proxies=_networks(raw["trusted_proxies"]),
        request_timeout=_number("request_timeout", raw["request_timeout"], float, minimum=0.1),
        max_connections=_number("max_connections", raw["max_connections"], int, minimum=1),
        sqlite_synchronous=_choice("sqlite_synchronous", raw["sqlite_synchronous"], ("full", "normal")),
        stale_after=_number("stale_after", raw["stale_after"], int, minimum=0),
        db_pool_size=_number("db_pool_size", raw["db_pool_size"], int, minimum=2),
        db_pool_overflow=_number("db_pool_overflow", raw["db_pool_overflow"], int, minimum=0),
        db_pool_timeout=_number("db_pool_timeout", raw["db_pool_timeout"], float, minimum=0.1),
        db_statement_timeout=_number("db_statement_timeout", raw["db_statement_timeout"], float, minimum=0),
        harvest_sets=tuple(x.strip() for x in str(raw["harvest_sets"] or "").split(",") if x.strip()),
        schedules={job: str(raw[f"{job.replace('-', '_')}_schedule"] or "")
                   for job in JOBS},
    )


def _networks(value: str | None) -> tuple[str, ...]:
    import ipaddress

    found = []
    for item in (value or "").replace(" ", ",").split(","):
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(f"PAPERBOARD_TRUSTED_PROXIES: {item!r} is not an address or network") from None
    return tuple(found)


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str:
    chosen = str(value or "").strip().lower()
    if chosen not in choices:
        raise ConfigError(f"{_BY_NAME[name].env}={value!r} is not one of {', '.join(choices)}")
    return chosen


def _number(name: str, value: str | None, kind: type, minimum: float):  # type: ignore[no-untyped-def]
    env = _BY_NAME[name].env
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{env}={value!r} is not a {kind.__name__}") from None
    if number < minimum:
        raise ConfigError(f"{env}={value!r} must be at least {minimum}")
    return number


def _search_url(value: str) -> str:
    """A Milvus address (http, https, tcp) or a Milvus Lite file (a path ending in .db); "" for the
    embedded index."""
    if not value or value.endswith(".db") or value.split("://", 1)[0] in ("http", "https", "tcp"):
        return value
    raise ConfigError(f"PAPERBOARD_SEARCH_URL={value!r}: expected http://host:19530 for Milvus, a file "
                      "path ending in .db for Milvus Lite, or nothing for the embedded index")
