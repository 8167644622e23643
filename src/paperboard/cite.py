"""Citations of stored papers (pure): BibTeX, RIS and CSL-JSON, and the markdown page of a paper."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .ids import is_arxiv_id
from .models import Paper

_BIBTEX_SPECIAL = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                                 "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\^{}"})


_ESCAPED = ("title", "author", "journal")  # the fields written through _bib_value
_BRACES_AND_SPACE = re.compile(r"[{}\s\\]")


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
    # identifiers and links are never escaped as text, but no brace or line break may close their field
    fields = [(name, value if name in _ESCAPED else _BRACES_AND_SPACE.sub("", value))
              for name, value in fields]
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


def _date(paper: Paper):  # type: ignore[no-untyped-def]
    return paper.published or paper.listed or paper.updated


def paper_url(paper: Paper) -> str | None:
    """Where the paper is read: its abstract page."""
    return paper.links.get("abs") or (f"https://arxiv.org/abs/{paper.id}" if is_arxiv_id(paper.id) else None)


def family_given(name: str) -> tuple[str, str]:
    """("Lovelace", "Ada") from "Ada Lovelace"; a name already written "Family, Given" is split at the
    comma; the lower-case particles before a surname stay with it ("van der Berg")."""
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    start = len(words) - 1
    while start > 1 and words[start - 1][:1].islower():
        start -= 1
    return " ".join(words[start:]), " ".join(words[:start])


def _flat(text: str) -> str:
    return " ".join(text.split())


def ris(paper: Paper) -> str:
    """One RIS record (what Zotero, EndNote and Mendeley import)."""
    lines = [("TY", "JOUR" if paper.journal_ref else "UNPB"), ("TI", _flat(paper.title))]
    lines += [("AU", ", ".join(part for part in family_given(a.name) if part)) for a in paper.authors]
    if when := _date(paper):
        lines += [("PY", str(when.year)), ("DA", when.strftime("%Y/%m/%d"))]
    if paper.abstract:
        lines.append(("AB", _flat(paper.abstract)))
    if paper.journal_ref:
        lines.append(("JO", _flat(paper.journal_ref)))
    elif is_arxiv_id(paper.id):
        lines += [("PB", "arXiv"), ("M1", f"arXiv:{paper.id}")]
    if paper.doi:
        lines.append(("DO", paper.doi))
    if url := paper_url(paper):
        lines.append(("UR", url))
    lines += [("KW", c) for c in paper.categories]
    lines.append(("ER", ""))
    # every value on its own line, whatever it holds: a line break would start a record of its own
    return "".join(f"{tag}  - {_flat(value)}".rstrip() + "\n" for tag, value in lines)


def ris_all(papers: Iterable[Paper]) -> str:
    return "\n".join(ris(p) for p in papers)


def csl_json(paper: Paper, key: str | None = None) -> dict[str, object]:
    """One CSL-JSON item (what citation processors, Zotero and pandoc read)."""
    item: dict[str, object] = {"id": key or bibtex_key(paper), "type": "article-journal" if paper.journal_ref
                               else "article", "title": _flat(paper.title)}
    item["author"] = [{"family": f, "given": g} if g else {"literal": f}
                      for f, g in (family_given(a.name) for a in paper.authors)]
    if when := _date(paper):
        item["issued"] = {"date-parts": [[when.year, when.month, when.day]]}
    if paper.abstract:
        item["abstract"] = _flat(paper.abstract)
    if paper.journal_ref:
        item["container-title"] = _flat(paper.journal_ref)
    elif is_arxiv_id(paper.id):
        item |= {"publisher": "arXiv", "number": f"arXiv:{paper.id}", "genre": "Preprint"}
    if paper.doi:
        item["DOI"] = paper.doi
    if url := paper_url(paper):
        item["URL"] = url
    if paper.categories:
        item["keyword"] = ", ".join(paper.categories)
    return item


def csl_json_all(papers: Iterable[Paper]) -> list[dict[str, object]]:
    """Items with ids as unique as BibTeX keys (a, b, c suffixes)."""
    seen: dict[str, int] = {}
    out = []
    for paper in papers:
        key = bibtex_key(paper)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(csl_json(paper, key + (chr(ord("a") + min(n, 25)) if n else "")))
    return out


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
    if paper.gist:
        lines += [f"**In one sentence:** {paper.gist}", ""]
    if paper.keywords:
        lines += ["**Keywords:** " + ", ".join(paper.keywords), ""]
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
