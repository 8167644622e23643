"""Citations of stored papers (pure): BibTeX entries and the markdown page of a paper."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .ids import is_arxiv_id
from .models import Paper

_BIBTEX_SPECIAL = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                                 "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\^{}"})


def _bib_value(text: str) -> str:
    """A field value in braces; BibTeX specials escaped, except inside $...$ where TeX is meant."""
    parts = re.split(r"(\$[^$]+\$)", " ".join(text.split()))
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1 else p.translate(_BIBTEX_SPECIAL)
                   for p in parts)


def _year(paper: Paper) -> str | None:
    when = paper.published or paper.listed or paper.updated
    return str(when.year) if when else None


def bibtex_key(paper: Paper) -> str:
    """surnameYEARfirstword, ASCII only (e.g. ``berglund2023reversal``)."""
    def ascii_word(text: str) -> str:
        flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]", "", flat.lower())

    surname = ascii_word(paper.authors[0].name.split()[-1]) if paper.authors else ""
    words = [ascii_word(w) for w in paper.title.split()]
    first = next((w for w in words if len(w) > 3), words[0] if words else "")
    return f"{surname or 'paper'}{_year(paper) or ''}{first}" or re.sub(r"\W", "", paper.id)


def bibtex(paper: Paper) -> str:
    fields: list[tuple[str, str]] = [("title", "{" + _bib_value(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_value(a.name) for a in paper.authors)))
    if year := _year(paper):
        fields.append(("year", year))
    if is_arxiv_id(paper.id):
        fields += [("eprint", paper.id), ("archivePrefix", "arXiv")]
        if paper.primary_category:
            fields.append(("primaryClass", paper.primary_category))
    if paper.journal_ref:
        fields.append(("journal", _bib_value(paper.journal_ref)))
    if paper.doi:
        fields.append(("doi", paper.doi))
    if url := paper.links.get("abs"):
        fields.append(("url", url))
    kind = "article" if paper.journal_ref else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{bibtex_key(paper)},\n{body}\n}}\n"


def bibtex_all(papers: Iterable[Paper]) -> str:
    """Several entries; keys made unique with a, b, c suffixes where two papers would share one."""
    seen: dict[str, int] = {}
    out = []
    for paper in papers:
        entry = bibtex(paper)
        key = bibtex_key(paper)
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:
            entry = entry.replace("{" + key + ",", "{" + key + chr(ord("a") + min(n, 25)) + ",", 1)
        out.append(entry)
    return "\n".join(out)


def markdown_page(paper: Paper, *, upvotes: int = 0, comments: int = 0, base_url: str = "") -> str:
    """The paper as markdown (served at ``/papers/{id}.md``), for people and language models."""
    lines = [f"# {paper.title}", ""]
    if paper.authors:
        lines += ["**Authors:** " + ", ".join(a.name for a in paper.authors), ""]
    facts = [f"**arXiv:** {paper.id}" if is_arxiv_id(paper.id) else f"**Id:** {paper.id}"]
    if paper.published or paper.listed:
        facts.append(f"**Published:** {(paper.published or paper.listed).isoformat()}")  # type: ignore[union-attr]
    if paper.categories:
        facts.append("**Categories:** " + ", ".join(paper.categories))
    facts.append(f"**Upvotes:** {upvotes}")
    if comments:
        facts.append(f"**Comments:** {comments}")
    lines += [" · ".join(facts), ""]
    if paper.abstract:
        lines += ["## Abstract", "", paper.abstract.strip(), ""]
    links = [f"- [{name}]({url})" for name, url in paper.links.items() if url]
    if base_url:
        links.append(f"- [Paperboard]({base_url}/papers/{paper.id})")
    if links:
        lines += ["## Links", "", *links, ""]
    if paper.comment:
        lines += [f"*{paper.comment.strip()}*", ""]
    return "\n".join(lines)
