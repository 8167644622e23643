"""Backups of the store and their restore into an empty database.

On SQLite a backup is one database file, copied with SQLite's online backup (consistent while the site
writes); on PostgreSQL it is pg_dump's custom format, restored with pg_restore (both from the PostgreSQL
client package, and at least as new as the server). A backup holds the database only: the search index
is derived from the papers and rebuilt after a restore, and a generated signing key lives in the data
folder (``secret_key``), to be kept beside the backups or set as ``PAPERBOARD_SECRET_KEY``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from ..errors import PaperboardError
from .engine import migrate
from .schema import metadata, papers

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(PaperboardError):
    """A backup or a restore that cannot be made; the message says why and what to do."""


def backup(engine: Engine, dest: Path) -> int:
    """Write the store to ``dest`` (a new file; written beside it, then renamed, so that a backup cut
    short never passes for a whole one). Returns how many papers the backup holds."""
    if dest.exists():
        raise BackupError(f"{dest} exists: a backup never overwrites a file; name a new one")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} is not a folder")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    # accounts and subscribers are in it: readable by its owner only, as the database is
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_copy(Path(str(engine.url.database)), partial)
            count = _sqlite_papers(partial)
        else:
            with engine.connect() as conn:
                count = conn.execute(select(func.count()).select_from(papers)).scalar_one()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
                  f"--dbname={_libpq_url(engine)}"], engine, failed="pg_dump failed")
        partial.rename(dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def restore(engine: Engine, source: Path) -> int:
    """Load the backup ``source`` into the database of ``engine``, which must hold no data (nothing
    stored is ever replaced), then bring its schema to this version's. Returns the papers restored."""
    kind = backup_kind(source)
    if kind != engine.dialect.name:
        raise BackupError(f"{source} is a {KINDS[kind]} backup: restore it into a {KINDS[kind]} database "
                          f"(--db or PAPERBOARD_DATABASE_URL), not this {KINDS[engine.dialect.name]} one")
    held = stored_rows(engine)
    if held:
        first = sorted(held.items(), key=lambda kv: (kv[0] != "papers", -kv[1], kv[0]))[:4]
        what = ", ".join(f"{n:,} rows in {table}" for table, n in first)
        raise BackupError(f"the database already holds data ({what}): a backup is restored into an empty "
                          "database only, so that nothing stored is replaced; name a new one with --db")
    if kind == "sqlite":
        engine.dispose()  # nothing of this process holds the file while it is replaced
        _sqlite_copy(source, Path(str(engine.url.database)))
    else:
        # --clean drops the empty tables a first start may have made; one transaction: all or nothing
        _run(["pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
              "--no-owner", "--no-privileges", f"--dbname={_libpq_url(engine)}", str(source)], engine,
             failed=f"{source} was not restored (nothing was changed)")
        engine.dispose()
    migrate(engine)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(papers)).scalar_one()


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``: which database wrote the backup at ``path``."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(SQLITE_MAGIC):
        try:
            _sqlite_papers(path)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is a SQLite database but not a whole Paperboard backup "
                              f"({exc})") from None
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Paperboard backup (made by `paperboard backup`)")


def stored_rows(engine: Engine) -> dict[str, int]:
    """The tables of the store that hold rows, and how many (empty: nothing to lose)."""
    present = set(inspect(engine).get_table_names())
    held = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in present:
                n = conn.execute(select(func.count()).select_from(table)).scalar_one()
                if n:
                    held[table.name] = n
    return held


def _sqlite_copy(source: Path, dest: Path) -> None:
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_papers(path: Path) -> int:
    """How many papers the SQLite file holds, once SQLite finds it whole (a backup cut short is not)."""
    conn = sqlite3.connect(path)
    try:
        damage = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if damage != "ok":
            raise sqlite3.DatabaseError(damage)
        return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.OperationalError as exc:
        raise sqlite3.DatabaseError(str(exc)) from None
    finally:
        conn.close()


def _libpq_url(engine: Engine) -> str:
    """The database as pg_dump and pg_restore name it (the password travels in PGPASSWORD, not in the
    command line that other users can list)."""
    return engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], engine: Engine, *, failed: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: it comes with the PostgreSQL client package "
                          "(apt-get install postgresql-client), at least as new as the server")
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{failed}: {' / '.join(lines[-3:]) or f'exit status {done.returncode}'}")
