"""``paperboard search``, ``similar``, ``reindex`` and ``bench relevance``: thin wrappers of
:mod:`paperboard.search`."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from ..filter_terms import syntax_help
from ..progress import Steps
from .base import Context, dump, main, parse_day, pass_ctx


def update_gists(obj: Context, progress: bool | None) -> None:
    """Write the summaries and keywords of papers that lack them (with a progress bar)."""
    started = time.perf_counter()

    def announce(name: str, stale: int) -> None:  # told the count once, by the one count refresh makes
        click.echo(f"writing the one-sentence summaries and keywords of {stale:,} papers", err=True)
        steps.step(name, stale)

    with Steps(unit="paper", enabled=progress) as steps:
        written = obj.board().refresh_gists(on_progress=steps.update, on_step=announce)
    if written:
        click.echo(f"wrote {written:,} gists in {time.perf_counter() - started:.1f} s", err=True)


def update_search_index(obj: Context, progress: bool | None) -> None:
    """Index everything added or changed since the index last caught up: BM25 first (a first index is
    searched from then on), the gists papers lack, then the embeddings in batches. An index that
    cannot be read is built anew."""
    from ..errors import Unavailable

    index, board = obj.index(), obj.board()
    try:
        pending = board.pending()
    except Unavailable:
        pending = None
    if pending is None or index.problem:
        click.echo(f"{index.problem or 'the search index cannot be read'}", err=True)
        update_gists(obj, progress)
        rebuild_index(board, progress)
        return
    if not pending[0]:
        update_gists(obj, progress)  # papers from before gists, or gists of an older version
        return
    started = time.perf_counter()
    click.echo(f"indexing {len(pending[0]):,} papers for search (BM25, the gists they lack, then "
               f"{obj.config.embedder} embeddings) in {index.root}", err=True)
    with Steps(unit="paper", enabled=progress) as steps:
        board.catch_up(on_progress=steps.update, on_step=steps.step)
    click.echo(f"indexed {len(pending[0]):,} papers in {time.perf_counter() - started:.1f} s", err=True)


def rebuild_index(board, progress: bool | None) -> int:  # type: ignore[no-untyped-def]
    with Steps(unit="paper", enabled=progress) as steps:
        return board.reindex(on_progress=steps.update, on_step=steps.step)


def _print_hits(hits: list, fmt: str, extra: dict | None = None,  # type: ignore[type-arg]
                base_url: str | None = None) -> None:
    if fmt == "json":  # the shape the MCP tools answer in
        dump({**(extra or {}), "results": [h.as_dict(base_url) for h in hits]})
        return
    if not hits:
        click.echo("no results", err=True)
    for rank, h in enumerate(hits, 1):
        authors = ", ".join(h.authors[:3]) + (" et al." if len(h.authors) > 3 else "")
        click.echo(f"{rank:>3}. {h.id:<18} {h.score:6.3f}  {h.published or '':<10}  {h.title}")
        if authors:
            click.echo(f"{'':<25}{authors}")


SEARCH_HELP = f"""Hybrid (BM25 + embedding) search over titles, abstracts and authors.

\b
QUERY may hold words, "quoted phrases" and filters, or just an arXiv id / URL:
{syntax_help()}
\b
  paperboard search "knowledge distillation for small language models"
  paperboard search '"gaussian splatting" category:cs.CV -category:cs.LG has:code'
  paperboard search 'grokking author:"Neel Nanda" OR author:"Tom Lieberum"' --format json
  paperboard search https://arxiv.org/abs/2401.00001
A word the index does not know, or knows far less than a close word, is corrected (said on standard
error; --exact searches as typed). Filters alone list those papers, newest first.
"""


@main.command(help=SEARCH_HELP)
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--from", "since", callback=parse_day, metavar="DATE", help="Listed on or after DATE.")
@click.option("--until", callback=parse_day, metavar="DATE", help="Listed on or before DATE.")
@click.option("--category", "categories", multiple=True, metavar="CAT", help="e.g. cs.LG (repeatable: any).")
@click.option("--author", metavar="NAME", help="Papers with an author whose name holds NAME's words.")
@click.option("--sort", type=click.Choice(["relevance", "date", "upvotes"]), default="relevance",
              show_default=True, help="Order: relevance, newest first, or most upvoted.")
@click.option("--exact", is_flag=True, help="Search the words as typed: no spelling correction.")
@click.option("--recent", is_flag=True, help="Prefer recent papers (relevance boosted for fresh ones).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def search(obj: Context, query: str, limit: int, since: dt.date | None, until: dt.date | None,
           categories: tuple[str, ...], author: str | None, sort: str, exact: bool, recent: bool,
           fmt: str) -> None:
    from ..errors import PaperboardError
    from ..filter_terms import FilterTerms
    index, board = obj.index(), obj.board()
    stored = board.paper_count()
    held = index.indexed()
    if held < stored:
        click.echo(f"the search index holds {held:,} of {stored:,} papers: "
                   "run `paperboard reindex`", err=True)
    filters = FilterTerms.where(categories=categories, since=since, until=until, author=author)
    try:
        result = board.search(query, limit=limit, filters=filters, sort=sort, correct=not exact,
                              recent=recent)
    except PaperboardError as exc:
        raise click.UsageError(str(exc)) from None
    if result.corrected and fmt == "table":
        fixed = ", ".join(f"{a} -> {b}" for a, b in result.corrected.items())
        click.echo(f"(corrected: {fixed})", err=True)
    _print_hits(result.hits, fmt, {"query": query, "corrected": result.corrected}, obj.config.base_url)


@main.command()
@click.argument("paper_id", required=False)
@click.option("--text", help="Find papers related to this text (e.g. a pasted abstract); '-' reads stdin.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def similar(obj: Context, paper_id: str | None, text: str | None, limit: int, fmt: str) -> None:
    """Papers nearest to PAPER_ID (or to --text), near-duplicates removed."""
    if bool(paper_id) == bool(text):
        raise click.UsageError("give a PAPER_ID or --text, not both")
    if text == "-":
        text = sys.stdin.read()
    from ..errors import NotFound

    obj.index()
    try:
        hits = obj.board().similar(paper_id, text=text, limit=limit)
    except NotFound:
        raise click.ClickException(
            f"{paper_id} is not in the index (ingest it, or run paperboard reindex)"
        ) from None
    _print_hits(hits, fmt, base_url=obj.config.base_url)


@main.command()
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@pass_ctx
def reindex(obj: Context, progress: bool | None) -> None:
    """Rebuild the search indexes (BM25 and embeddings) from the database, beside the ones being
    served (search keeps answering from them until the new ones are complete). A damaged index is
    discarded."""
    obj.index()
    done = rebuild_index(obj.board(), progress)
    click.echo(f"indexed {done:,} papers")


@main.group()
def bench() -> None:
    """Benchmarks that run inside Paperboard (timing benchmarks live in bench/)."""


@bench.command()
@click.option("--corpus", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--qrels", "qrels", required=True, multiple=True, help="Judged queries (repeatable).",
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--details/--no-details", default=False, help="JSON: include every query's nDCG@10.")
@click.option("--backend", type=click.Choice(["embedded", "milvus"]), default="embedded", show_default=True,
              help="The search backend built for the run: the embedded index, or Milvus Lite.")
@click.option("--worst", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also list the N queries hybrid search answers worst, per set.")
@pass_ctx
def relevance(obj: Context, corpus: Path, qrels: tuple[Path, ...], fmt: str, details: bool,
              worst: int, backend: str) -> None:
    """nDCG@10, Recall@10 and MRR of BM25 alone, dense alone and hybrid, in a fresh temporary store."""
    from ..search.evaluate import run_relevance

    report = run_relevance(corpus, qrels, embedder=obj.config.embedder, details=details or worst > 0,
                           backend=backend)
    if fmt == "json":
        dump(report)
        return
    for path, modes in report.items():
        click.echo(path)
        for mode, m in modes.items():
            click.echo(f"  {mode:<7} nDCG@10 {m['ndcg@10']:.4f}  "
                       f"Recall@10 {m['recall@10']:.4f}  MRR {m['mrr']:.4f}")
        if worst and "hybrid" in modes:
            click.echo(f"  the {worst} worst for hybrid (nDCG@10, then the query):")
            for q in sorted(modes["hybrid"]["queries"], key=lambda q: (q["ndcg@10"], q["query"]))[:worst]:
                click.echo(f"    {q['ndcg@10']:.4f}  {q['query'][:100]}")


@bench.command()
@click.option("--corpus", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N papers with an abstract.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def gists(obj: Context, corpus: Path, limit: int | None, fmt: str) -> None:
    """How well the offline summaries and keywords pick out their own paper, against the first sentence
    and the most frequent phrases (see paperboard/search/gist_eval.py for the proxy)."""
    from ..search.gist_eval import run_gists

    report = run_gists(corpus, embedder=obj.config.embedder, limit=limit,
                       on_step=lambda s: click.echo(f"... {s}", err=True))
    if fmt == "json":
        dump(report)
        return
    click.echo(f"{corpus} ({report['papers']:,} papers)")
    for part in ("summary", "keywords"):
        for name, m in report[part].items():
            extra = "  ".join(f"{k} {v:.3g}" for k, v in m.items() if k not in ("R@1", "R@10", "MRR"))
            click.echo(f"  {part:<8} {name:<34} R@1 {m['R@1']:.4f}  R@10 {m['R@10']:.4f}  "
                       f"MRR {m['MRR']:.4f}  {extra}")
