"""``paperboard serve``, ``daily``, ``submit`` and ``users``: the website and the community features
from the command line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..config import JOBS
from ..filter_terms import SYNTAX_LINE
from .base import Context, dump, main, pass_ctx


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (each loads the search index; 2 suits a 2-core machine).")
@click.option("--progress/--no-progress", default=None,
              help="Progress lines while indexing in the background.")
@click.option("--index/--no-index", "index_first", default=True, show_default=True,
              help="Index what is stored but not indexed yet, in the background (--no-index: another "
                   "process does, such as an ingest running beside the server).")
@click.option("--index-every", "every", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Also catch the index up with the database every SECONDS while the site runs: for app "
                   "machines that share one PostgreSQL database, each with its own copy of the index "
                   "(docs/deploy.md). Default: at start only (the worker's index job keeps it current).")
@pass_ctx
def serve(obj: Context, host: str, port: int, workers: int, progress: bool | None, index_first: bool,
          every: float | None) -> None:
    """Run the website and the JSON API (Hugging Face papers API compatible) on the embedded default.

    It serves at once. Papers stored but not yet indexed (and an index that cannot be read) are
    indexed in the background meanwhile: search answers from BM25 as soon as that is written, and
    blends in the embeddings as they arrive (the search page says how far). Open http://HOST:PORT/ ;
    the API is described at /api/openapi.json.
    """
    import uvicorn

    if every and not index_first:
        raise click.UsageError("--index-every and --no-index contradict each other")
    config = obj.config
    board = obj.board()
    if index_first and board.search_problem():  # the site starts now; search comes back
        click.echo(f"{board.search_problem()}; serving every page now, search answers 503 until BM25 is "
                   "rebuilt, in the background", err=True)
        _index_in_background(config, progress, every)
    elif index_first and (waiting := board.index_lag()):
        click.echo(f"serving now; indexing {waiting:,} papers in the background", err=True)
        _index_in_background(config, progress, every)
    elif every:
        _index_in_background(config, progress, every)
    if index_first and board.is_empty():  # else another process is storing papers now
        # operator hints go to the operator's terminal, never to the public pages
        click.echo(f"the store in {config.data_dir} is empty: load a dump (paperboard ingest FILE) or let "
                   "the worker harvest arXiv (paperboard worker)", err=True)
    obj.board().close()
    os.environ["PAPERBOARD_DATA_DIR"] = str(config.data_dir)  # the workers read the same configuration
    os.environ["PAPERBOARD_DATABASE_URL"] = config.database_url
    if not os.environ.get("PAPERBOARD_BASE_URL"):
        os.environ["PAPERBOARD_BASE_URL"] = f"http://{host}:{port}"
    config.signing_key()  # created once here, not raced by the workers
    click.echo(f"Paperboard on http://{host}:{port}/ (data in {config.data_dir}); Ctrl-C stops it", err=True)
    # forwarded headers are believed from the listed proxies only: anyone else could forge them
    trusted = list(config.trusted_proxies)
    connections = _open_files_for(config.max_connections)
    uvicorn.run("paperboard.web.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                access_log=False, proxy_headers=bool(trusted), forwarded_allow_ips=trusted or "",
                http="paperboard.web.protocol:DeadlineHttpToolsProtocol", limit_concurrency=connections,
                timeout_keep_alive=5)


def _index_in_background(config, progress: bool | None, every: float | None) -> None:  # type: ignore[no-untyped-def]
    """Gists, BM25 and embeddings for what is not indexed yet (an index that cannot be read is built
    anew), in a thread of this process while the site serves (its workers follow each publication);
    then again ``every`` seconds, if given. A worker doing the same meanwhile takes turns with it through
    the index's writer lock."""
    import logging
    import threading
    import time

    from ..board import Paperboard
    from ..progress import Steps

    def catch_up() -> None:
        board = Paperboard(config, fetch_from_arxiv=False)
        try:
            while True:
                try:
                    with Steps(unit="paper", enabled=progress, lines=True) as steps:
                        board.catch_up(on_progress=steps.update, on_step=steps.step)
                except Exception:  # the next round (the worker's index job, the next start) tries again
                    logging.getLogger(__name__).exception("indexing in the background failed")
                if every is None:
                    return
                time.sleep(every)
        finally:
            board.close()

    threading.Thread(target=catch_up, name="index", daemon=True).start()


def _open_files_for(connections: int) -> int:
    """Raise this process's limit of open files toward what ``connections`` need (the workers inherit
    it); the connections one worker may hold, kept under what the limit allows."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 200  # the database, the index files, the log
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    return connections if soft == resource.RLIM_INFINITY else max(1, min(connections, soft - 200))


@main.command()
@click.option("--date", "day", metavar="YYYY-MM-DD", help="One day's submissions.")
@click.option("--week", metavar="YYYY-Www", help="One ISO week's submissions.")
@click.option("--month", metavar="YYYY-MM", help="One month's submissions.")
@click.option("--submitter", metavar="USER", help="Only papers this user submitted.")
@click.option("--sort", type=click.Choice(["upvotes", "trending", "publishedAt"]), default="upvotes",
              show_default=True)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="json: the items of /api/daily_papers.")
@click.option("--filter", "filter_text", default="", metavar="TERMS",
              help=f"Only papers that pass these terms: {SYNTAX_LINE}.")
@pass_ctx
def daily(obj: Context, day: str | None, week: str | None, month: str | None, submitter: str | None,
          sort: str, limit: int, page: int, fmt: str, filter_text: str) -> None:
    """The daily papers feed (what / and /api/daily_papers show). Without a period: every submission.

    \b
    --filter takes the search language's terms, and words the title, abstract or keywords must hold:
      paperboard daily --week 2025-W12 --filter 'category:cs.CV -category:cs.LG has:code'
    """
    from ..feeds import daily as feed
    from ..feeds import periods
    from ..filter_terms import QueryError, feed_terms
    from ..hf_json import daily_item

    given = [(k, v) for k, v in (("date", day), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise click.UsageError("give at most one of --date, --week and --month")
    try:
        period = periods.parse(*given[0]) if given else None
    except periods.PeriodError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        filters = feed_terms(filter_text)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    result = obj.board().daily(feed.DailyQuery(period=period, submitter=submitter, sort=sort,  # type: ignore[arg-type]
                                               page=page - 1, limit=limit, filters=filters))
    if fmt == "json":
        dump([daily_item(e, obj.config.base_url) for e in result.entries])
        return
    if not result.entries:
        click.echo("no submissions", err=True)
    for e in result.entries:
        day_text = e.day.isoformat() if e.day else ""
        click.echo(f"{e.upvotes:>5} ▲  {e.paper.id:<18} {day_text:<10}  {e.paper.title}")


@contextmanager
def _as_usage_errors() -> Iterator[None]:
    """A refusal from the library (a bad value, a missing paper) as click's usage error (exit status 2)."""
    from ..errors import PaperboardError

    try:
        yield
    except PaperboardError as exc:
        raise click.UsageError(str(exc)) from None


def _account(board, username: str):  # type: ignore[no-untyped-def]
    from ..errors import NotFound

    try:
        return board.user(username)
    except NotFound:
        raise click.UsageError(f"there is no user {username!r} "
                               "(create one with `paperboard users add`)") from None


@main.command("for-you")
@click.argument("username", metavar="USER")
@click.option("--since", metavar="YYYY-MM-DD",
              help="The first day to rank (default: 30 days before the newest listing day).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@click.option("--profile", type=click.IntRange(1, 2**31 - 1), metavar="COLLECTION_ID",
              help="Rank by this one of USER's collections alone (an interest profile with its own feed).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="json: the items of /api/for-you (/api/daily_papers items with a reason).")
@pass_ctx
def for_you(obj: Context, username: str, since: str | None, limit: int, profile: int | None,
            fmt: str) -> None:
    """USER's For you: the newest papers ranked by what USER upvoted, saved and marked, each with why.

    Nothing to go on yet: the trending papers, each saying so. Feedback: `paperboard feedback`.
    """
    from ..feeds import periods
    from ..hf_json import daily_item

    board = obj.board()
    user = _account(board, username)
    try:
        first = periods.parse("date", since).start if since else None
    except periods.PeriodError as exc:
        raise click.UsageError(str(exc)) from None
    with _as_usage_errors():
        found = board.for_you(user, since=first, limit=limit, profile=profile)
    if fmt == "json":
        dump([{**daily_item(e, obj.config.base_url), "reason": why} for e, why in found.items])
        return
    if found.cold:
        click.echo(f"{username} has upvoted, saved and marked nothing yet: the trending papers", err=True)
    elif not found.items:
        click.echo(f"nothing between {found.since} and {found.until} is like what {username} liked", err=True)
    for e, why in found.items:
        click.echo(f"{e.paper.id:<18} {e.paper.title}\n{'':<18} {why}")


@main.group()
def topics() -> None:
    """A reader's topics: saved filters whose papers fill a timeline (/topics/ID) and come to For you."""


@topics.command("add", help=f"Save QUERY (the filter language: {SYNTAX_LINE}) as a topic of USER's; "
                             "prints its id. With --example, it holds the papers that pass QUERY and are "
                             "like the examples (QUERY may then be \"\").")
@click.argument("username", metavar="USER")
@click.argument("query")
@click.option("--name", default="", help="What to call it (default: the query).")
@click.option("--example", "examples", multiple=True, metavar="ID",
              help="An example paper (an arXiv id or link; repeat for more).")
@click.option("--private", is_flag=True, help="Only USER sees it.")
@pass_ctx
def topics_add(obj: Context, username: str, query: str, name: str, examples: tuple[str, ...],
               private: bool) -> None:
    board = obj.board()
    user = _account(board, username)
    with _as_usage_errors():
        click.echo(board.create_topic(user, name, query, public=not private, examples=examples))


@topics.command("list")
@click.argument("username", metavar="USER")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def topics_list(obj: Context, username: str, fmt: str) -> None:
    """USER's topics."""
    board = obj.board()
    user = _account(board, username)
    found = board.topics_of(user, user)
    if fmt == "json":
        dump([{"id": t.id, "name": t.name, "query": t.query, "examples": list(t.examples), "public": t.public,
               "url": f"{obj.config.base_url}/topics/{t.id}"} for t in found])
        return
    for t in found:
        like = f"  like {', '.join(t.examples)}" if t.examples else ""
        click.echo(f"{t.id:>6}  {t.name}  [{t.query}]{like}{'' if t.public else '  (private)'}")


@topics.command("delete")
@click.argument("username", metavar="USER")
@click.argument("topic_id", type=click.IntRange(1, 2**31 - 1), metavar="ID")
@pass_ctx
def topics_delete(obj: Context, username: str, topic_id: int) -> None:
    """Delete one of USER's topics."""
    board = obj.board()
    with _as_usage_errors():
        board.delete_topic(_account(board, username), topic_id)
    click.echo(f"deleted topic {topic_id}")


@main.command()
@click.argument("username", metavar="USER")
@click.argument("author")
@click.option("--undo", is_flag=True, help="Stop following.")
@click.option("--paper", metavar="ID", help="Follow only the one of the people who write as AUTHOR who wrote "
              "this paper (told apart by co-authors and fields; `paperboard`'s author page lists them).")
@pass_ctx
def follow(obj: Context, username: str, author: str, undo: bool, paper: str | None) -> None:
    """USER follows AUTHOR (the name as papers spell it): AUTHOR's new papers come to USER's For you."""
    board = obj.board()
    user = _account(board, username)
    with _as_usage_errors():
        name, _ = board.follow(user, author, undo=undo, paper=paper)
    who = f"{name} (the one who wrote {paper})" if paper and not undo else name
    click.echo(f"{username} {'no longer follows' if undo else 'follows'} {who}")


@main.command()
@click.argument("username", metavar="USER")
@click.argument("paper")
@click.argument("signal", type=click.Choice(["not_interested", "less_like_this", "more_like_this", "undo"]))
@pass_ctx
def feedback(obj: Context, username: str, paper: str, signal: str) -> None:
    """Tell USER's For you about PAPER: not_interested (never shown again), less_like_this (its neighbours
    go down), more_like_this (they go up), or undo (take the feedback back)."""
    from ..board import paper_id_of
    board = obj.board()
    user = _account(board, username)
    with _as_usage_errors():
        board.feedback(paper_id_of(paper) or paper, user, None if signal == "undo" else signal)
    click.echo(f"{signal.replace('_', ' ')}: {paper}")


@main.command()
@click.argument("papers", nargs=-1, required=True)
@click.option("--as", "username", required=True, metavar="USER", help="The account that submits.")
@pass_ctx
def submit(obj: Context, papers: tuple[str, ...], username: str) -> None:
    """Put papers (arXiv ids or URLs, stored or fetched from arXiv) on today's daily feed."""
    from ..errors import PaperboardError

    board = obj.board(fetch_wait=120)
    user = _account(board, username)
    failed = 0
    for text in papers:
        try:
            click.echo(f"submitted {board.submit(user, text)}")
        except PaperboardError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
    if failed:
        raise SystemExit(1)


@main.group()
def users() -> None:
    """Accounts: add one, make one an administrator, set a password, or give one an API token."""


@users.command("add")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given.")
@click.option("--email", default=None)
@click.option("--admin", is_flag=True, help="An administrator: confirms authorship claims at /claims.")
@pass_ctx
def users_add(obj: Context, username: str, password: str, email: str | None, admin: bool) -> None:
    from ..errors import PaperboardError

    try:
        user, _ = obj.board().accounts.sign_up(username, password, email, admin=admin, confirm_address=False)
    except PaperboardError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"created {user.username}" + (" (administrator)" if admin else ""))


@users.command("admin")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="No longer an administrator.")
@pass_ctx
def users_admin(obj: Context, username: str, revoke: bool) -> None:
    """Make USERNAME an administrator (who confirms or refuses authorship claims), or not."""
    from ..errors import NotFound

    try:
        obj.board().accounts.set_admin(username, not revoke)
    except NotFound as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{username} is {'no longer ' if revoke else ''}an administrator")


@users.command("password")
@click.argument("username")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True,
              help="Asked for when not given.")
@pass_ctx
def users_password(obj: Context, username: str, password: str) -> None:
    """Set USERNAME's password (for an account without an address, which cannot reset it by mail);
    every session and API token of the account ends."""
    from ..errors import PaperboardError

    try:
        user = obj.board().accounts.set_password(username, password)
    except PaperboardError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{user.username}'s password is set; their sessions and API tokens are ended")


@users.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def users_token(obj: Context, username: str, name: str, fmt: str) -> None:
    """Print a new API token for USERNAME (only its hash is stored: keep it)."""
    from ..errors import NotFound

    accounts = obj.board().accounts
    try:
        user = accounts.find(username)
    except NotFound as exc:
        raise click.UsageError(str(exc)) from None
    token = accounts.create_token(user, name)
    if fmt == "json":
        dump({"user": user.username, "token": token})
    else:
        click.echo(token)


@main.command()
@click.option("--once", is_flag=True, help="Run every job that is due once, then exit (for cron and tests).")
@click.option("--job", "only", multiple=True, type=click.Choice(JOBS),
              help="Run this job now, due or not (repeatable); implies --once.")
@pass_ctx
def worker(obj: Context, once: bool, only: tuple[str, ...]) -> None:
    """Keep the site current by itself: harvest arXiv after each announcement (PAPERBOARD_HARVEST_SETS,
    PAPERBOARD_HARVEST_SCHEDULE), index what arrived, send the digest editions and retry queued mails,
    each on its schedule (`paperboard settings` lists them; times are UTC). Each job takes a lease in
    the database, so several workers never run the same job; every run is recorded (`paperboard jobs`).
    Exit status of --once/--job: 1 when a job failed."""
    from ..config import ConfigError
    from ..worker import Worker

    try:
        runner = Worker(obj.config, obj.engine(), progress=True)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None

    def report(ran) -> None:  # type: ignore[no-untyped-def]
        extra = f": {ran.error}" if ran.error else ""
        click.echo(f"{ran.job} {ran.status} {_counts(ran.counts)}{extra}", err=True)

    if only or once:
        runs, busy = [], []
        if only:
            for job in only:
                ran = runner.run(job)
                (runs if ran else busy).append(ran or job)
        else:
            runs = runner.run_due()
        for ran in runs:
            report(ran)
        for job in busy:
            click.echo(f"{job} not started: another process is running it", err=True)
        if not runs and not busy:
            click.echo("nothing due", err=True)
        if busy or any(r.status != "ok" for r in runs):
            raise SystemExit(1)
        return
    click.echo(f"worker started (data in {obj.config.data_dir}); Ctrl-C stops it", err=True)
    runner.forever(on_run=report)


def _counts(counts: dict) -> str:  # type: ignore[type-arg]
    return ", ".join(f"{k} {v}" for k, v in counts.items() if isinstance(v, int | float))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def jobs(obj: Context, fmt: str) -> None:
    """The worker's jobs: schedule, last run (start, end, status, counts, error) and next run."""
    from ..worker import status

    rows = status(obj.config, obj.engine())
    if fmt == "json":
        dump(rows)
        return
    for row in rows:
        last = row["last_run"]
        said = (f"last {last['status']} at {last['started_at']} {_counts(last['counts'])}"
                + (f" error: {last['error']}" if last["error"] else "")) if last else "never run"
        click.echo(f"{row['job']:<14} {row['schedule']:<12} next {row['next'] or '-':<22} {said}")


__all__ = ["Context"]


@main.group()
def collections() -> None:
    """Collections: create, list, rename, delete; import a reference list into one, export one."""


@collections.command("create")
@click.argument("name")
@click.option("--as", "username", required=True, metavar="USER", help="The collection's owner.")
@click.option("--description", default="")
@click.option("--private", is_flag=True, help="Only its owner sees it.")
@pass_ctx
def collections_create(obj: Context, name: str, username: str, description: str, private: bool) -> None:
    """Create a collection; prints its id."""
    board = obj.board()
    with _as_usage_errors():
        click.echo(board.create_collection(_account(board, username), name, description, public=not private))


@collections.command("list")
@click.argument("username", metavar="USER")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def collections_list(obj: Context, username: str, fmt: str) -> None:
    """USER's collections, private ones too."""
    board = obj.board()
    user = _account(board, username)
    found = board.collections_of(user, user)
    if fmt == "json":
        dump([{"id": c[0], "name": c[1], "papers": c[2], "url": f"{obj.config.base_url}/collections/{c[0]}"}
              for c in found])
        return
    for cid, name, count in found:
        click.echo(f"{cid:>6}  {name}  ({count} paper{'' if count == 1 else 's'})")


@collections.command("rename")
@click.argument("collection_id", type=click.IntRange(1, 2**31 - 1), metavar="ID")
@click.argument("name")
@click.option("--as", "username", required=True, metavar="USER", help="The collection's owner.")
@click.option("--description", default=None, help="A new description (default: unchanged).")
@click.option("--private/--public", default=None, help="Change who sees it (default: unchanged).")
@pass_ctx
def collections_rename(obj: Context, collection_id: int, name: str, username: str, description: str | None,
                       private: bool | None) -> None:
    """Rename a collection (and change its description or who sees it)."""
    board = obj.board()
    user = _account(board, username)
    with _as_usage_errors():
        current, _ = board.collection(collection_id, user, page=0, limit=0)
        board.edit_collection(collection_id, user, name=name,
                              description=current.description if description is None else description,
                              public=current.public if private is None else not private)
    click.echo(f"collection {collection_id}: {name}")


@collections.command("delete")
@click.argument("collection_id", type=click.IntRange(1, 2**31 - 1), metavar="ID")
@click.option("--as", "username", required=True, metavar="USER", help="The collection's owner.")
@pass_ctx
def collections_delete(obj: Context, collection_id: int, username: str) -> None:
    """Delete a collection (its papers stay in the store)."""
    board = obj.board()
    with _as_usage_errors():
        board.delete_collection(collection_id, _account(board, username))
    click.echo(f"deleted collection {collection_id}")


@collections.command("import")
@click.argument("source", type=click.File("r", encoding="utf-8-sig"))
@click.option("--into", "collection_id", required=True, type=click.IntRange(1, 2**31 - 1), metavar="ID",
              help="The collection (its number, as in /collections/ID).")
@click.option("--as", "username", required=True, metavar="USER", help="The collection's owner.")
@click.option("--format", "fmt", type=click.Choice(["auto", "bibtex", "ris", "csl-json", "ids"]),
              default="auto", show_default=True, help="What SOURCE holds ('-' reads standard input).")
@click.option("--output-format", "out_fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_ctx
def collections_import(obj: Context, source, collection_id: int, username: str, fmt: str,  # type: ignore[no-untyped-def]
                       out_fmt: str) -> None:
    """Add the arXiv papers a reference list cites (BibTeX, RIS or CSL-JSON as Zotero, Mendeley or
    EndNote export them, or arXiv ids and URLs one per line); papers not stored are fetched from arXiv.
    Exit status 1 when some entries named no paper that could be added."""
    from ..errors import NotFound, PaperboardError

    board = obj.board(fetch_wait=0)
    try:
        user = board.user(username)
        done = board.import_references(collection_id, user, source.read(), None if fmt == "auto" else fmt,
                                       fetch_now=True)
    except NotFound as exc:
        raise click.UsageError(str(exc)) from None
    except PaperboardError as exc:
        raise click.ClickException(str(exc)) from None
    if out_fmt == "json":
        dump(done.as_dict())
    else:
        for problem in done.problems:
            click.echo(f"skipped: {problem}", err=True)
        for pid in done.not_found:
            click.echo(f"not found: {pid}", err=True)
        click.echo(f"added {len(done.added)}, already there {len(done.already)}, "
                   f"not found {len(done.not_found)}, skipped {len(done.problems)}")
    if done.not_found or done.problems:
        raise SystemExit(1)


@collections.command("export")
@click.argument("collection_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--format", "fmt", type=click.Choice(["bibtex", "ris", "csl-json"]), default="bibtex",
              show_default=True)
@pass_ctx
def collections_export(obj: Context, collection_id: int, fmt: str) -> None:
    """Print a collection's papers as citations (the owner's private collections too: this is the
    operator's command)."""
    import orjson

    from ..cite import bibtex_all, csl_json_all, ris_all
    from ..errors import NotFound

    board = obj.board()
    try:
        found = board.accounts.any_collection(collection_id)
    except NotFound as exc:
        raise click.UsageError(str(exc)) from None
    papers = [e.paper for e in board.entries(list(found.paper_ids))]
    if fmt == "csl-json":
        click.echo(orjson.dumps(csl_json_all(papers), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo((bibtex_all if fmt == "bibtex" else ris_all)(papers), nl=False)


@main.group()
def claims() -> None:
    """Authorship claims: list those waiting, confirm or refuse one."""


@claims.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def claims_list(obj: Context, fmt: str) -> None:
    """The claims waiting for an administrator, oldest first."""
    waiting = obj.board().pending_claims()
    if fmt == "json":
        dump([{"id": c.id, "paper": c.paper_id, "author": c.author_name, "user": c.username,
               "created_at": c.created_at.isoformat()} for c in waiting])
        return
    if not waiting:
        click.echo("no claim is waiting", err=True)
    for c in waiting:
        click.echo(f"{c.id:>6}  {c.paper_id:<18} {c.author_name:<30} by {c.username}")


@claims.command("decide")
@click.argument("claim_id", type=click.IntRange(1, 2**31 - 1))
@click.argument("decision", type=click.Choice(["confirm", "refuse"]))
@click.option("--as", "username", required=True, metavar="ADMIN", help="The administrator deciding.")
@pass_ctx
def claims_decide(obj: Context, claim_id: int, decision: str, username: str) -> None:
    """Confirm or refuse claim CLAIM_ID."""
    board = obj.board()
    with _as_usage_errors():
        done = board.decide_claim(claim_id, board.user(username), confirm=decision == "confirm")
    click.echo(f"{done.username} as {done.author_name} on {done.paper_id}: {done.status}")
