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

_active: tuple[ExitStack, dict[Path, str]] | None = None  # inside on_postgres(): the databases by folder


@contextmanager
def on_postgres() -> Iterator[None]:
    global _active
    with ExitStack() as stack:
        _active = (stack, {})
        try:
            yield
        finally:
            _active = None


def database_for(data_dir: Path) -> str | None:
    """The PostgreSQL URL standing in for ``data_dir``'s SQLite file, inside ``on_postgres()``."""
    if _active is None:
        return None
    from tests.conftest import fresh_postgres_database

    stack, urls = _active
    key = Path(data_dir).resolve()
    if key not in urls:
        urls[key] = stack.enter_context(fresh_postgres_database())
    return urls[key]


def paperboard(*args: str, data_dir: Path, env: dict[str, str] | None = None,
               input: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("PAPERBOARD_") or k == "PAPERBOARD_TEST_CHEAP_HASHES"}
    full_env.update({"PAPERBOARD_DATA_DIR": str(data_dir), "PAPERBOARD_ARXIV_DELAY": "0",
                     "PAPERBOARD_ARXIV_PDF_URL": "http://127.0.0.1:9/unreachable"})  # never arxiv.org
    if (url := database_for(data_dir)) is not None:
        full_env["PAPERBOARD_DATABASE_URL"] = url
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "paperboard", *args], env=full_env, capture_output=True,
        text=input is None, input=input, timeout=timeout,
    )
