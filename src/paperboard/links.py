"""Links of a paper: arXiv abs/pdf pages and code / project URLs found in comments and abstracts (pure)."""

from __future__ import annotations

import re

from .ids import is_arxiv_id

_URL = re.compile(r"""(?:https?://|www\.)[^\s<>"'{}\\^`|]+""", re.IGNORECASE)
_CODE_HOSTS = re.compile(
    r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/[^/\s]+/[^/\s]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""
# pages about the paper or its licence, never its project: arXiv, DOIs, licences, the Hub's paper pages
_NOT_PROJECT = re.compile(
    r"^https?://(?:www\.)?(?:arxiv\.org|doi\.org|dx\.doi\.org|creativecommons\.org|huggingface\.co/papers)/",
    re.IGNORECASE,
)


def http_url(value: object) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host and nothing a browser would read otherwise
    (no white space, controls or quotes); None for anything else (``javascript:``, ``data:``, relative)."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not re.match(r"https?://[^/?#\s]", url, re.IGNORECASE) or len(url) > 2000:
        return None
    if any(c.isspace() or ord(c) < 0x20 or c in "\"'<>`\\" or 0x7F <= ord(c) < 0xA0 for c in url):
        return None
    return url


def safe_links(links: dict[str, object]) -> dict[str, str]:
    """The links of a record that are http(s) URLs, keyed as given."""
    return {str(k)[:32]: url for k, v in links.items() if (url := http_url(v))}


def url_spans(text: str | None) -> list[tuple[int, int, str]]:
    """(start, end, URL) of each URL in free text, without the punctuation that ends the sentence
    around it; ``www.`` addresses get ``https://``."""
    if not text or not ("://" in text or "www." in text or "WWW." in text):
        return []
    spans = []
    for match in _URL.finditer(text):
        url = match.group(0)
        # balanced parentheses stay (wikipedia-style), a closing one that ends a sentence goes
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if not url:
            continue
        end = match.start() + len(url)
        spans.append((match.start(), end, "https://" + url if url.lower().startswith("www.") else url))
    return spans


def find_urls(text: str | None) -> list[str]:
    """URLs in free text, in order, without the punctuation that ends the sentence around them."""
    return [url for _, _, url in url_spans(text)]


def code_url(url: str) -> str | None:
    """The repository URL (``https://github.com/owner/repo``) if ``url`` points into a code host."""
    m = _CODE_HOSTS.match(url)
    if not m:
        return None
    repo = m.group(0)
    return repo[: -len(".git")] if repo.endswith(".git") else repo


def extract_links(
    paper_id: str, comment: str | None, abstract: str | None, *, arxiv: bool | None = None
) -> dict[str, str]:
    """``abs``/``pdf`` for arXiv papers; ``code`` (first code-host URL) and ``project`` (first other URL)."""
    links: dict[str, str] = {}
    if arxiv if arxiv is not None else is_arxiv_id(paper_id):
        links["abs"] = f"https://arxiv.org/abs/{paper_id}"
        links["pdf"] = f"https://arxiv.org/pdf/{paper_id}"
    for url in find_urls(comment) + find_urls(abstract):
        repo = code_url(url)
        if repo:
            links.setdefault("code", repo)
        elif not _NOT_PROJECT.match(url):
            links.setdefault("project", url)
    return links
