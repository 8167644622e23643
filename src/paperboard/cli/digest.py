"""``paperboard subscribers`` and ``paperboard digest``: e-mail digests from the command line (and cron)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from ..errors import PaperboardError
from ..progress import bar
from .base import Context, dump, main, parse_day, pass_ctx


@main.group()
def subscribers() -> None:
    """Digest subscribers: add (double opt-in), list, remove."""


@subscribers.command("add")
@click.argument("email")
@click.option("--confirmed", is_flag=True, help="Skip the confirmation mail (you vouch for the address).")
@click.option("--keywords", metavar="'A, B'", help="Topics to pick papers for (comma-separated).")
@click.option("--exclude", metavar="'C, D'", help="Leave out papers mentioning any of these.")
@click.option("--category", "categories", multiple=True, metavar="CAT", help="Only these categories.")
@click.option("--author", "authors", multiple=True, metavar="NAME", help="Follow an author (repeatable).")
@click.option("--weekly", is_flag=True, help="A weekly digest instead of a daily one.")
@click.option("--max", "max_count", default=10, show_default=True, type=click.IntRange(1, 100),
              help="At most this many personal picks.")
@click.option("--threshold", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Leave out picks scoring below this (0-1).")
@click.option("--send-empty", is_flag=True, help="Send a digest even when nothing matched.")
@pass_ctx
def subscribers_add(obj: Context, email: str, confirmed: bool, keywords: str | None, exclude: str | None,
                    categories: tuple[str, ...], authors: tuple[str, ...], weekly: bool, max_count: int,
                    threshold: float, send_empty: bool) -> None:
    """Add EMAIL (or change its preferences). Unless --confirmed, a confirmation mail is sent and the
    address gets nothing else until its link is followed."""
    from ..services.digests import preferences

    try:
        prefs = preferences(weekly=weekly, keywords=keywords, exclude=exclude, categories=categories,
                            authors=authors, max_count=max_count, threshold=threshold, send_empty=send_empty)
        done = obj.board().digests.subscribe(email, prefs, confirmed=confirmed)
    except PaperboardError as exc:
        raise click.UsageError(str(exc)) from None
    subscriber = done.subscriber
    state = "confirmed" if subscriber.confirmed else "waiting for confirmation"
    click.echo(f"{'added' if done.new else 'updated'} {subscriber.email} ({state})")
    if done.confirmation == "sent":
        click.echo(f"confirmation mail sent to {subscriber.email}")
    elif done.confirmation == "logged":
        click.echo("no mail server is configured (PAPERBOARD_SMTP_URL); the confirmation link is "
                   f"{done.link}")
    elif done.confirmation == "queued":
        reason = done.problem or "see `paperboard mail deliver`"
        raise click.ClickException(f"the confirmation mail is queued but not sent yet: {reason}")


@subscribers.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def subscribers_list(obj: Context, fmt: str) -> None:
    found = obj.board().digests.subscribers()
    if fmt == "json":
        dump([{"email": s.email, "confirmed": s.confirmed, "preferences": s.preferences.to_json()}
               for s in found])
        return
    for s in found:
        p = s.preferences
        topics = ", ".join([*p.keywords, *(f"by {a}" for a in p.authors)]) or "trending only"
        state = "confirmed" if s.confirmed else "unconfirmed"
        click.echo(f"{s.email:<40} {state:<12} {p.frequency:<7} {topics}")


@subscribers.command("remove")
@click.argument("email")
@pass_ctx
def subscribers_remove(obj: Context, email: str) -> None:
    try:
        found = obj.board().digests.unsubscribe(email)
    except PaperboardError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"removed {found.email}")


@main.group()
def digest() -> None:
    """E-mail digests: send an edition (safe to run from cron, see README)."""


@digest.command("send")
@click.option("--edition", "kind", type=click.Choice(["daily", "weekly"]), default="daily", show_default=True)
@click.option("--date", "day", callback=parse_day, metavar="DATE",
              help="A day of the edition. Default: the newest announcement day in the store.")
@click.option("--dry-run", is_flag=True, help="Compose every digest and report, but send and record nothing.")
@click.option("--to", "only", metavar="EMAIL", help="Only this (confirmed) subscriber.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@pass_ctx
def digest_send(obj: Context, kind: str, day: dt.date | None, dry_run: bool, only: str | None, fmt: str,
                progress: bool | None) -> None:
    """Send the edition's digest to every confirmed subscriber of that frequency, once.

    A rerun (after a kill, a crash or an SMTP outage) sends only what was not sent. Exit status 1 when
    some digests failed or remain to be sent."""
    digests = obj.board().digests
    chosen = digests.edition(kind, day)
    try:
        due = digests.due(chosen, only)
        if not dry_run:
            digests.mailer()  # a bad PAPERBOARD_SMTP_URL is refused before anything is sent
    except PaperboardError as exc:
        raise click.UsageError(str(exc)) from None
    obj.index()  # a clear error when the embedding model cannot be loaded
    if dry_run:
        report = [{"email": email, "subject": subject} for email, subject in digests.preview(chosen, due)]
        if fmt == "json":
            dump({"edition": chosen.key, "dry_run": True, "digests": report})
        else:
            for r in report:
                click.echo(f"{r['email']:<40} {r['subject'] or '(nothing to send: skipped)'}")
        return
    with bar(len(due), desc=f"digest {chosen.key}", unit="mail", enabled=progress) as pbar:
        summary = digests.send(chosen, only=only, on_progress=pbar.update)
    _report(fmt, summary.as_dict(), summary.problems,
            f"{chosen.key}: sent {summary.sent}, skipped {summary.skipped} (empty), failed {summary.failed}, "
            f"already done {summary.already_done}, left pending {summary.pending}",
            failed=bool(summary.failed or summary.pending))


def _report(fmt: str, data: dict, problems: list[str], line: str, *, failed: bool) -> None:  # type: ignore[type-arg]
    """A sending run's outcome: JSON, or its problems and one line; exit status 1 when it ``failed``."""
    if fmt == "json":
        dump(data)
    else:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        click.echo(line)
    if failed:
        sys.exit(1)


@main.group()
def mail() -> None:
    """Mails the site owes single subscribers (confirmation and manage links), sent through an outbox."""


@mail.command("deliver")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def mail_deliver(obj: Context, fmt: str) -> None:
    """Send the queued confirmation and manage-link mails (the site sends them right away; this catches
    up those a mail server that was down left queued). Exit status 1 while some stay queued or failed."""
    done = obj.board().digests.deliver_mail()
    _report(fmt, done.as_dict(), done.problems, f"sent {done.sent}, logged {done.logged} (no mail server), "
            f"failed {done.failed}, left queued {done.pending}", failed=bool(done.failed or done.pending))
