"""Run the real ``paperboard`` command in a subprocess, as a user's shell would.

Inside ``on_postgres()`` every data folder a call names gets a PostgreSQL database of its own (created
on first use, dropped at the end), so the same CLI tests run on both stores."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

_postgres: dict[str, object] = {}  # "stack": the ExitStack owning the databases, "urls": folder -> url


@contextmanager
def on_postgres() -> Iterator[None]:
    from tests.conftest import fresh_postgres_database

    with ExitStack() as stack:
        _postgres.update(stack=stack, urls={}, make=fresh_postgres_database)
        try:
            yield
        finally:
            _postgres.clear()


def database_for(data_dir: Path) -> str | None:
    """The PostgreSQL URL standing in for ``data_dir``'s SQLite file, inside ``on_postgres()``."""
    if not _postgres:
        return None
    urls: dict[Path, str] = _postgres["urls"]  # type: ignore[assignment]
    key = Path(data_dir).resolve()
    if key not in urls:
        urls[key] = _postgres["stack"].enter_context(_postgres["make"]())  # type: ignore[attr-defined,operator]
    return urls[key]


def paperboard(*args: str, data_dir: Path, env: dict[str, str] | None = None,
               input: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOARD_")}
    full_env.update({"PAPERBOARD_DATA_DIR": str(data_dir), "PAPERBOARD_ARXIV_DELAY": "0"})
    if (url := database_for(data_dir)) is not None:
        full_env["PAPERBOARD_DATABASE_URL"] = url
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "paperboard", *args], env=full_env, capture_output=True,
        text=input is None, input=input, timeout=timeout,
    )
