"""The CLI tests run on SQLite and, inside ``on_postgres()``, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.functional.cli import on_postgres


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every data folder the test's CLI calls name is a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    with on_postgres():
        yield "postgres"
