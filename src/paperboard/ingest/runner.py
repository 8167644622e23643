"""Runs an ingest job with progress bars; used by the CLI (and anything else that wants the same)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from ..config import Config
from ..progress import bar
from .arxiv import category_set, fetch_ids, harvest, last_harvested
from .arxiv_client import ArxivClient
from .errors import SourceError
from .files_job import ingest_file
from .pipeline import Summary


@dataclass(frozen=True)
class FilesJob:
    paths: tuple[str, ...]
    fmt: str = "auto"
    skip_loaded: bool = False  # files loaded whole before and unchanged since are not read again


@dataclass(frozen=True)
class ArxivJob:
    from_: dt.date | None = None
    until: dt.date | None = None
    sets: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    ids: str | None = None


def run(job: FilesJob | ArxivJob, engine: Engine, config: Config, *,
        progress: bool | None = None, client: ArxivClient | None = None) -> tuple[Summary, list[str]]:
    """Returns the combined summary and the sources that failed as a whole (with the reason)."""
    if isinstance(job, FilesJob):
        return _run_files(job, engine, config, progress)
    own_client = client is None
    client = client or ArxivClient(delay=config.arxiv_delay, retries=config.arxiv_retries,
                                   max_wait=config.arxiv_max_wait)
    try:
        return _run_arxiv(job, engine, config, client, progress)
    finally:
        if own_client:
            client.close()


def _run_files(job: FilesJob, engine: Engine, config: Config,
               progress: bool | None) -> tuple[Summary, list[str]]:
    total, failures = Summary(), []
    for path in job.paths:
        with bar(None, desc=path.rsplit("/", 1)[-1][:30], enabled=progress) as pbar:
            def report(summary: Summary, done: int, size: int, pbar=pbar) -> None:  # type: ignore[no-untyped-def]
                pbar.total = size
                pbar.n = done
                pbar.set_postfix_str(f"{summary.processed:,} papers", refresh=False)
                pbar.refresh()

            try:
                summary = ingest_file(engine, path, fmt=job.fmt, batch_size=config.batch_size,
                                      on_batch=report, skip_loaded=job.skip_loaded)
            except SourceError as exc:
                failures.append(str(exc))
                continue
        total.merge(summary)
    return total, failures


def _run_arxiv(job: ArxivJob, engine: Engine, config: Config, client: ArxivClient,
               progress: bool | None) -> tuple[Summary, list[str]]:
    total, failures = Summary(), []
    if job.ids is not None:
        try:
            total.merge(fetch_ids(engine, client, job.ids.split(","), api_url=config.arxiv_api_url))
        except SourceError as exc:
            failures.append(str(exc))
        return total, failures
    sets: list[str | None] = list(job.sets)
    sets += [category_set(c, config.arxiv_oai_set_format) for c in job.categories]
    for set_name in sets or [None]:
        from_ = job.from_ or last_harvested(engine, config.arxiv_oai_url, set_name)
        if from_ is None:
            raise ValueError(
                f"--from is needed for the first harvest of set {set_name or '(all)'}; "
                "later harvests continue from where the last one ended"
            )
        with bar(None, desc=f"arXiv {set_name or 'all'}", unit="paper", enabled=progress) as pbar:
            def on_page(summary: Summary, size: int | None, pbar=pbar) -> None:  # type: ignore[no-untyped-def]
                pbar.total = size
                pbar.n = summary.skipped + summary.processed
                pbar.refresh()

            partial = Summary()
            try:
                harvest(engine, client, base_url=config.arxiv_oai_url, set_name=set_name,
                        from_=from_, until=job.until, on_page=on_page, summary=partial)
            except SourceError as exc:
                failures.append(f"{set_name or 'all'}: {exc} (rerun the same command to resume)")
            total.merge(partial)
    return total, failures
