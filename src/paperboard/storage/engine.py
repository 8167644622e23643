"""The database seam: engines for SQLite (embedded default) and PostgreSQL, and schema migrations."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ..config import Pool
from ..errors import DatabaseError

_JSON = {
    "json_serializer": lambda obj: orjson.dumps(obj).decode(),
    "json_deserializer": orjson.loads,
}
MIGRATIONS = Path(__file__).with_name("migrations")
# the PostgreSQL advisory lock that lets one process at a time migrate (any number, the same everywhere)
MIGRATION_LOCK = 0x70617065_72626F61  # "paperboa"
# the newest revision in migrations/versions (a test keeps the two in step): a store already there is
# opened without loading alembic and its scripts, which cost every command and server start 0.4 s
HEAD_REVISION = "0011"


SYNCHRONOUS = ("full", "normal")


def make_engine(url: str, *, synchronous: str = "full", pool: Pool | None = None,
                statement_timeout: float = 0) -> Engine:
    """An engine for ``url``; a SQLite file (and its folder) is created on first use, in WAL mode.
    ``synchronous``: SQLite's durability. ``full`` syncs the log at every commit, so an acknowledged
    write survives a power cut; ``normal`` syncs only at checkpoints (a power cut can take back the
    writes of the last seconds, a crash of the process cannot). PostgreSQL only: ``pool``, the
    connections held and how long a caller waits for one (then sqlalchemy's TimeoutError);
    ``statement_timeout``, the seconds after which the server cancels a statement (0: never)."""
    if synchronous not in SYNCHRONOUS:
        raise DatabaseError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}, not {synchronous!r}")
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                _private_file(Path(parsed.database).expanduser())
            engine = create_engine(parsed, connect_args={"timeout": 30}, **_JSON)
            event.listen(engine, "connect", functools.partial(_sqlite_pragmas, synchronous=synchronous))
            return engine
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        pool = pool or Pool()
        limits = {"pool_size": pool.size, "max_overflow": pool.overflow, "pool_timeout": pool.timeout}
        milliseconds = round(statement_timeout * 1000)
        connect = {"options": f"-c statement_timeout={milliseconds}"} if milliseconds else {}
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect, **limits, **_JSON)
    except (ArgumentError, NoSuchModuleError, OSError) as exc:
        raise DatabaseError(f"cannot use database URL {url!r}: {exc}") from None


def _private_file(path: Path) -> None:
    """Create the database file readable and writable by its owner only (accounts and subscribers live
    there); SQLite gives its -wal and -shm files the same permissions. A file that exists is never
    opened here: closing any descriptor of it would drop the locks every SQLite connection of this
    process holds on it (POSIX locks belong to the process), and another process that then opens the
    database takes it for unused and resets its log under those connections."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    mode = path.stat().st_mode
    if mode & 0o077:
        path.chmod(mode & 0o700)


def _sqlite_pragmas(dbapi_conn, _record, *, synchronous: str) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={synchronous.upper()}")  # one of SYNCHRONOUS, checked above
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA wal_autocheckpoint=10000")  # 40 MB: fewer, larger checkpoints during ingest
    cur.close()


def _alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision and rebuild deferred indexes (idempotent; safe on every
    start, and when several processes start at once: one migrates while the others wait, then find
    nothing to do)."""
    try:
        with _one_at_a_time(engine):
            if _revision(engine) != HEAD_REVISION:
                _upgrade(engine)
            ensure_indexes(engine)
    except Exception as exc:
        if type(exc).__module__.startswith("sqlalchemy"):
            raise DatabaseError(
                f"cannot open or migrate {engine.url.render_as_string(hide_password=True)}: {exc}"
            ) from exc
        raise


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.util import CommandError

    try:
        command.upgrade(_alembic_config(engine), "head")
    except CommandError as exc:  # a revision this version does not know: a newer one migrated it
        raise DatabaseError(
            f"{engine.url.render_as_string(hide_password=True)} was migrated by a newer Paperboard than this "
            f"one ({exc}): run the newer version, or restore a backup this version made"
        ) from None


def _revision(engine: Engine) -> str | None:
    """The revision the store is at; None for a new store (or one that cannot be read: alembic says why)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


@contextmanager
def _one_at_a_time(engine: Engine) -> Iterator[None]:
    """Hold the migration lock: a PostgreSQL advisory lock (released by the server if the process dies),
    or an exclusive lock on a file beside a SQLite database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            unlimited(conn)
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(Path(database).expanduser().with_name(Path(database).name + ".migrating"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file closes, or the process dies
        yield


def unlimited(conn: Connection) -> None:
    """Lift the statement timeout for the rest of ``conn``'s transaction (a migration or an index build
    over millions of rows may take minutes, where a web request's statements may not)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL statement_timeout = 0"))


def open_database(url: str, *, synchronous: str = "full", pool: Pool | None = None,
                  statement_timeout: float = 0) -> Engine:
    """An engine for ``url`` with its schema migrated (see :func:`make_engine`)."""
    engine = make_engine(url, synchronous=synchronous, pool=pool, statement_timeout=statement_timeout)
    migrate(engine)
    return engine


# Secondary indexes whose random inserts dominate a bulk load; dropped during one, rebuilt after.
DEFERRABLE_INDEXES = ("ix_paper_authors_name_hash",)


def _deferrable():  # type: ignore[no-untyped-def]
    from .schema import metadata

    return [ix for table in metadata.tables.values() for ix in table.indexes if ix.name in DEFERRABLE_INDEXES]


def ensure_indexes(engine: Engine) -> None:
    """Recreate deferred indexes a bulk load did not get to rebuild (it was killed)."""
    for index in _deferrable():
        with engine.begin() as conn:
            unlimited(conn)
            index.create(conn, checkfirst=True)


@contextmanager
def indexes_deferred(engine: Engine) -> Iterator[None]:
    """Drop the deferrable indexes for a bulk load and build them again afterwards (a sorted build
    is far cheaper than millions of random inserts). A killed load leaves them to ``ensure_indexes``."""
    indexes = _deferrable()
    for index in indexes:
        index.drop(engine, checkfirst=True)
    try:
        yield
    finally:
        for index in indexes:
            index.create(engine, checkfirst=True)
