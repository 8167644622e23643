"""The ``paperboard`` command line: parses arguments and calls the library; nothing else.

Every command that prints data takes ``--format json`` for pipes. Exit status: 0 success, 1 some input
was rejected or a source failed (what was valid is stored), 2 usage or configuration errors.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click
import orjson

from . import __version__
from .config import SETTINGS, Config, ConfigError, load_config
from .ingest.pipeline import Summary
from .storage.engine import DatabaseError, open_database


class Context:
    def __init__(self, db: str | None, data_dir: str | None):
        self._overrides = {"database_url": db, "data_dir": data_dir}
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(**self._overrides)
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from None
        return self._config

    def engine(self):  # type: ignore[no-untyped-def]
        config = self.config
        default_file = config.data_dir / "paperboard.sqlite3"
        if config.database_url == f"sqlite:///{default_file}" and not default_file.exists():
            # most often a shell without the PAPERBOARD_DATA_DIR that the running site was started with
            click.echo(f"note: no store in {config.data_dir} yet; a new one is created there "
                       "(PAPERBOARD_DATA_DIR or --data-dir chooses another folder)", err=True)
        try:
            return open_database(config.database_url)
        except DatabaseError as exc:
            raise click.ClickException(str(exc)) from None


pass_ctx = click.make_pass_decorator(Context)


def _dump(data: Any) -> None:
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


def _parse_day(_ctx: Any, _param: Any, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@main.command(context_settings={"ignore_unknown_options": False})
@click.argument("sources", nargs=-1, required=True, metavar="FILE... | arxiv")
@click.option("--format", "fmt", default="auto", show_default=True,
              help="Input format of FILEs: auto, jsonl, json, oai, atom, or a record format "
                   "(arxiv, titles, hf-daily, hf-paper, kaggle, paperboard).")
@click.option("--from", "from_", callback=_parse_day, metavar="DATE",
              help="arxiv: harvest records changed on or after DATE (YYYY-MM-DD). "
                   "Default: where the last harvest of the same set ended.")
@click.option("--until", callback=_parse_day, metavar="DATE", help="arxiv: ... and on or before DATE.")
@click.option("--set", "sets", multiple=True, metavar="SET",
              help="arxiv: OAI set to harvest, as the endpoint names it (e.g. cs, or cs:cs:LG). Repeatable.")
@click.option("--category", "categories", multiple=True, metavar="CAT",
              help="arxiv: harvest one category (e.g. cs.LG); mapped to its OAI set. Repeatable.")
@click.option("--ids", metavar="ID,...",
              help="arxiv: fetch these papers through the arXiv API instead of harvesting "
                   "(any spelling: 2401.00001, arXiv:2401.00001v2, hep-th/9901001, abs/pdf URLs).")
@click.option("--output-format", "out_fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the summary.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--index/--no-index", "update_index", default=True, show_default=True,
              help="Update the search index with what was added or changed.")
@pass_ctx
def ingest(obj: Context, sources: tuple[str, ...], fmt: str, from_: dt.date | None,
           until: dt.date | None, sets: tuple[str, ...], categories: tuple[str, ...], ids: str | None,
           out_fmt: str, progress: bool | None, update_index: bool) -> None:
    """Load papers from dump files, or from arXiv.

    \b
    Files (JSONL or JSON, plain or .gz; saved OAI-PMH or Atom XML):
      paperboard ingest papers.jsonl.gz hf-daily.json
    arXiv over OAI-PMH (resumable; rerun the same command after an interruption):
      paperboard ingest arxiv --from 2026-11-01 --category cs.LG
    arXiv papers by id, through the arXiv API:
      paperboard ingest arxiv --ids 2401.00001,hep-th/9901001v2

    Re-ingesting changes nothing; newer versions update in place. Malformed records are reported with
    their location and skipped; the exit status is 1 when anything was rejected.
    """
    from .ingest import runner

    arxiv_opts = from_ or until or sets or categories or ids
    if sources[0] == "arxiv" and len(sources) == 1:
        job = runner.ArxivJob(from_=from_, until=until, sets=sets, categories=categories, ids=ids)
    elif arxiv_opts:
        raise click.UsageError("--from/--until/--set/--category/--ids go with `paperboard ingest arxiv`")
    else:
        job = runner.FilesJob(paths=sources, fmt=fmt)
    config = obj.config
    engine = obj.engine()
    try:
        summary, failures = runner.run(job, engine, config, progress=progress)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if out_fmt != "json":  # the ingest's own result first, then the (longer) indexing
        _print_summary(summary, failures, out_fmt)
    if update_index:
        from .cli_search import update_search_index

        update_search_index(obj, engine, progress)
    if out_fmt == "json":
        _print_summary(summary, failures, out_fmt)
    if summary.rejected or failures:
        sys.exit(1)


def _print_summary(summary: Summary, failures: list[str], out_fmt: str) -> None:
    if out_fmt == "json":
        data = summary.as_dict()
        data["failures"] = failures
        _dump(data)
        return
    for location, reason in summary.problems:
        click.echo(f"rejected: {location}: {reason}", err=True)
    if summary.rejected > len(summary.problems):
        click.echo(f"... and {summary.rejected - len(summary.problems)} more rejected", err=True)
    for failure in failures:
        click.echo(f"error: {failure}", err=True)
    rate = f" ({summary.processed / summary.seconds:,.0f} papers/s)" if summary.seconds else ""
    resumed = f", resumed after {summary.skipped:,}" if summary.skipped else ""
    click.echo(
        f"added {summary.added:,}, updated {summary.updated:,}, unchanged {summary.unchanged:,}, "
        f"rejected {summary.rejected:,}{resumed} in {summary.seconds:.1f} s{rate}"
    )


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write (default: standard output).")
@pass_ctx
def export(obj: Context, fmt: str, output: str) -> None:
    """Write every stored paper as JSON lines (or a JSON array) that `paperboard ingest` reads back."""
    from .export import write_export

    engine = obj.engine()
    if output == "-":
        count = write_export(engine, sys.stdout.buffer, fmt)
    else:
        with open(output, "wb") as fh:
            count = write_export(engine, fh, fmt)
    click.echo(f"exported {count:,} papers", err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def stats(obj: Context, fmt: str) -> None:
    """Counts: papers, authors, categories, date range, papers by source."""
    from .storage.papers import stats as compute

    with obj.engine().connect() as conn:
        data = compute(conn)
    if fmt == "json":
        _dump(data)
        return
    click.echo(f"papers      {data['papers']:,}")
    click.echo(f"authors     {data['authors']:,}")
    click.echo(f"categories  {data['categories']:,}")
    for name in ("listed", "published"):
        span = data[name]
        if span["from"]:
            click.echo(f"{name:<11} {span['from']} .. {span['until']}")
    for source, n in data["by_source"].items():
        click.echo(f"source      {source}: {n:,}")
    if data["top_categories"]:
        top = ", ".join(f"{c} {n:,}" for c, n in data["top_categories"].items())
        click.echo(f"top         {top}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def settings(obj: Context, fmt: str) -> None:
    """Every setting: its environment variable, current value and meaning."""
    config = obj.config
    rows = [
        {"env": s.env, "value": config.setting(s.name), "default": s.default, "help": s.help}
        for s in SETTINGS
    ]
    if fmt == "json":
        _dump(rows)
        return
    for row in rows:
        click.echo(f"{row['env']}={row['value']}\n    {row['help']}")


from . import cli_digest, cli_search, cli_web  # noqa: E402,F401  (register the other commands)
