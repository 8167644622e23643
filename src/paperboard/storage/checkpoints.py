"""Ingest checkpoints: where an interrupted job resumes. Written in the same transaction as the data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from .papers import now
from .schema import ingest_checkpoints


def load(conn: Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(ingest_checkpoints.c.state).where(ingest_checkpoints.c.key == key)
    ).first()
    return dict(row[0]) if row else None


def save(conn: Connection, key: str, state: dict[str, Any]) -> None:
    stamp = now()
    done = conn.execute(
        update(ingest_checkpoints)
        .where(ingest_checkpoints.c.key == key)
        .values(state=state, updated_at=stamp)
    )
    if done.rowcount == 0:
        conn.execute(ingest_checkpoints.insert().values(key=key, state=state, updated_at=stamp))


def clear(conn: Connection, key: str) -> None:
    conn.execute(delete(ingest_checkpoints).where(ingest_checkpoints.c.key == key))
