"""Fast multi-row writes that bypass per-row SQL compilation (ingest writes millions of rows).

Values are converted here once, in the form both SQLite and PostgreSQL accept and SQLAlchemy reads
back: dates as ISO text, JSON pre-serialised, timestamps in each backend's own form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def placeholders(conn: Connection, count: int) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    cols = ", ".join(columns)
    sql = f"INSERT INTO {table.name} ({cols}) VALUES ({placeholders(conn, len(columns))})"
    conn.exec_driver_sql(sql, rows)


def update_rows(
    conn: Connection, table: Table, key: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """``rows`` hold the values of ``columns`` followed by the key value."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sets = ", ".join(f"{c} = {mark}" for c in columns)
    conn.exec_driver_sql(f"UPDATE {table.name} SET {sets} WHERE {key} = {mark}", rows)


def timestamp_value(conn: Connection, value: dt.datetime) -> Any:
    if conn.dialect.name == "sqlite":  # SQLAlchemy's own SQLite storage format (naive, UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def dialect_insert(conn_or_engine: Any, table: Table) -> Any:
    """An INSERT for ``table`` that knows ON CONFLICT on both databases (SQLite and PostgreSQL)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (pg_insert if conn_or_engine.dialect.name == "postgresql" else sqlite_insert)(table)


def insert_missing(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, leaving out those whose key another transaction inserted first."""
    if rows:
        conn.execute(dialect_insert(conn, table).on_conflict_do_nothing(), rows)
