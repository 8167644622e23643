"""The ``paperboard`` command group and what every command shares: the configuration, the library
(:class:`paperboard.board.Paperboard`), JSON output and date options."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
import orjson

from .. import __version__
from ..config import Config, ConfigError, load_config
from ..errors import DatabaseError


class Context:
    def __init__(self, db: str | None, data_dir: str | None):
        self._overrides = {"database_url": db, "data_dir": data_dir}
        self._config: Config | None = None
        self._board: Any = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(**self._overrides)
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from None
        return self._config

    def board(self, *, fetch_wait: float | None = None):  # type: ignore[no-untyped-def]
        """The library over the configured store, opened on first use. ``fetch_wait`` (given by the
        first use): papers asked for that are not stored are fetched from arXiv, waiting up to that long
        for each; without it they are not found."""
        from ..board import Paperboard

        if self._board is None:
            config = self.config
            default_file = config.data_dir / "paperboard.sqlite3"
            if config.database_url == f"sqlite:///{default_file}" and not default_file.exists():
                # most often a shell without the PAPERBOARD_DATA_DIR that the running site was started with
                click.echo(f"note: no store in {config.data_dir} yet; a new one is created there "
                           "(PAPERBOARD_DATA_DIR or --data-dir chooses another folder)", err=True)
            try:
                self._board = Paperboard(config, fetch_from_arxiv=fetch_wait is not None,
                                         fetch_wait=fetch_wait or 0)
            except DatabaseError as exc:
                raise click.ClickException(str(exc)) from None
        return self._board

    def engine(self):  # type: ignore[no-untyped-def]
        return self.board().engine

    def index(self):  # type: ignore[no-untyped-def]
        """The search index, or a clear error when its embedding model cannot be loaded."""
        from ..search.embedders import EmbedderError

        try:
            return self.board().index
        except EmbedderError as exc:
            raise click.ClickException(str(exc)) from None


pass_ctx = click.make_pass_decorator(Context)


def dump(data: Any) -> None:
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="paperboard")
@click.option("--db", metavar="URL", help="Database URL (overrides PAPERBOARD_DATABASE_URL), "
              "e.g. sqlite:///papers.db or postgresql://user@host/db.")
@click.option("--data-dir", metavar="DIR", help="Data folder (overrides PAPERBOARD_DATA_DIR).")
@click.pass_context
def main(ctx: click.Context, db: str | None, data_dir: str | None) -> None:
    """Paperboard: ingest research papers, browse feeds, search, and send digests.

    Everything is stored under one data folder (SQLite by default); see `paperboard settings`.
    """
    ctx.obj = Context(db, data_dir)


def parse_day(_ctx: Any, _param: Any, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
