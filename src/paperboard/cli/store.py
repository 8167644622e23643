"""``paperboard ingest``, ``export``, ``stats`` and ``settings``: the store from the command line."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..config import SETTINGS
from ..errors import PaperboardError
from ..ingest.pipeline import Summary
from .base import Context, dump, main, parse_day, pass_ctx
from .search import rebuild_index, update_search_index


@main.command(context_settings={"ignore_unknown_options": False})
@click.argument("sources", nargs=-1, required=True, metavar="FILE... | arxiv")
@click.option("--format", "fmt", default="auto", show_default=True,
              help="Input format of FILEs: auto, jsonl, json, oai, atom, or a record format "
                   "(arxiv, titles, hf-daily, hf-paper, kaggle, paperboard).")
@click.option("--from", "from_", callback=parse_day, metavar="DATE",
              help="arxiv: harvest records changed on or after DATE (YYYY-MM-DD). "
                   "Default: where the last harvest of the same set ended.")
@click.option("--until", callback=parse_day, metavar="DATE", help="arxiv: ... and on or before DATE.")
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
@click.option("--skip-loaded", is_flag=True,
              help="Files: pass over a file this store loaded whole before that has not changed since "
                   "(the same path, size and modification time). Reading it again would change nothing.")
@pass_ctx
def ingest(obj: Context, sources: tuple[str, ...], fmt: str, from_: dt.date | None,
           until: dt.date | None, sets: tuple[str, ...], categories: tuple[str, ...], ids: str | None,
           out_fmt: str, progress: bool | None, update_index: bool, skip_loaded: bool) -> None:
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
    from ..ingest import runner

    arxiv_opts = from_ or until or sets or categories or ids
    if sources[0] == "arxiv" and len(sources) == 1:
        job = runner.ArxivJob(from_=from_, until=until, sets=sets, categories=categories, ids=ids)
    elif arxiv_opts:
        raise click.UsageError("--from/--until/--set/--category/--ids go with `paperboard ingest arxiv`")
    else:
        job = runner.FilesJob(paths=sources, fmt=fmt, skip_loaded=skip_loaded)
    try:
        summary, failures = obj.board().ingest(job, progress=progress)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if out_fmt != "json":  # the ingest's own result first, then the (longer) indexing
        _print_summary(summary, failures, out_fmt)
    if update_index:
        update_search_index(obj, progress)
    if out_fmt == "json":
        _print_summary(summary, failures, out_fmt)
    if summary.rejected or failures:
        sys.exit(1)


def _print_summary(summary: Summary, failures: list[str], out_fmt: str) -> None:
    if out_fmt == "json":
        data = summary.as_dict()
        data["failures"] = failures
        dump(data)
        return
    for location, reason in summary.problems:
        click.echo(f"rejected: {location}: {reason}", err=True)
    if summary.rejected > len(summary.problems):
        click.echo(f"... and {summary.rejected - len(summary.problems)} more rejected", err=True)
    for failure in failures:
        click.echo(f"error: {failure}", err=True)
    rate = f" ({summary.processed / summary.seconds:,.0f} papers/s)" if summary.seconds else ""
    resumed = f", resumed after {summary.skipped:,}" if summary.skipped else ""
    if summary.loaded_before:
        resumed += f", {summary.loaded_before:,} loaded before and not read again"
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
    from ..export import write_export

    engine = obj.engine()
    if output == "-":
        count = write_export(engine, sys.stdout.buffer, fmt)
    else:
        with open(output, "wb") as fh:
            count = write_export(engine, fh, fmt)
    click.echo(f"exported {count:,} papers", err=True)


@main.command()
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def backup(obj: Context, dest: Path) -> None:
    """Copy the database to the new file DEST while the site runs: SQLite's online backup, or pg_dump's
    custom format on PostgreSQL (needs pg_dump, at least as new as the server). `paperboard restore`
    loads it into an empty database.

    \b
    The search index is not in it (a restore rebuilds it). A signing key that Paperboard generated
    lives in the data folder (secret_key): keep it with the backups, or sign-ins and the links in mails
    already sent stop working after a restore elsewhere; or set PAPERBOARD_SECRET_KEY.
      paperboard backup /srv/backups/paperboard-$(date +%F).db
    """
    try:
        count = obj.board().backup(dest)
    except PaperboardError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up {count:,} papers, their votes, comments, accounts and subscribers to {dest}",
               err=True)
    key = obj.config.data_dir / "secret_key"
    if not obj.config.secret_key and key.exists():
        click.echo(f"note: the signing key is {key}: keep a copy with the backups", err=True)


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--index/--no-index", "rebuild", default=True, show_default=True,
              help="Rebuild the search index from the restored papers.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@pass_ctx
def restore(obj: Context, source: Path, rebuild: bool, progress: bool | None) -> None:
    """Load a backup made by `paperboard backup` into the configured database, which must hold no data
    (a new SQLite file or an empty PostgreSQL database: nothing stored is ever replaced); then migrate
    it to this version and rebuild the search index.

    \b
      paperboard --db postgresql://pb@db/paperboard restore paperboard-2026-12-01.dump
    """
    board = obj.board()
    try:
        count = board.restore(source)
    except PaperboardError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {count:,} papers from {source}", err=True)
    if rebuild:
        obj.index()
        click.echo(f"indexed {rebuild_index(board, progress):,} papers", err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def stats(obj: Context, fmt: str) -> None:
    """Counts: papers, authors, categories, date range, papers by source."""
    data = obj.board().stats()
    if fmt == "json":
        dump(data)
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
        dump(rows)
        return
    for row in rows:
        click.echo(f"{row['env']}={row['value']}\n    {row['help']}")
