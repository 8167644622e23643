"""Test data for the website: real papers from the shared arXiv corpus, a Hugging Face daily-papers
dump built from some of them (the wire shape of /api/daily_papers), and one paper full of markup."""

from __future__ import annotations

import gzip
import itertools
import json
import random
from pathlib import Path
from typing import Any

from tests.conftest import ARXIV_CS, require

DAYS = ("2025-03-18", "2025-03-19", "2025-03-20")
PER_DAY = 15
XSS_ID = "2503.99999"
XSS_TITLE = '<script>alert("title")</script> Attention <b>is</b> what you need'
CONTROL_ID = "2503.99998"
CONTROL_TITLE = "Zebrafish\x01 locomotion\x0b under\x1f \ufffe control characters"
XSS_ABSTRACT = ('We study <img src=x onerror=alert(1)> models where $x < y$ and $\\text{<script>alert(2)</script>}$ '
                'holds, and \\(\\alpha^2\\) grows.')


def corpus_records(n: int) -> list[dict[str, Any]]:
    with gzip.open(require(ARXIV_CS), "rt") as f:
        return [json.loads(line) for line in itertools.islice(f, n)]


def hf_daily_items(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items as /api/daily_papers returns them; deterministic upvotes, comments and submitters."""
    rnd = random.Random(2025)
    items = []
    for i, r in enumerate(records[: PER_DAY * len(DAYS)]):
        day = DAYS[i // PER_DAY]
        at = f"{day}T{8 + i % PER_DAY:02d}:00:00.000Z"
        submitter = {"_id": f"u{i % 3}", "name": f"curator{i % 3}", "fullname": f"Curator {i % 3}",
                     "avatarUrl": "", "type": "user", "isPro": False}
        items.append({
            "paper": {"id": r["id"], "title": r["title"], "summary": r["summary"],
                      "authors": [{"_id": f"{i}-{j}", "name": a, "hidden": False} for j, a in enumerate(r["authors"])],
                      "publishedAt": f"{r['listed']}T00:00:00.000Z", "submittedOnDailyAt": at,
                      "upvotes": rnd.randint(0, 90), "discussionId": f"d{i}", "ai_keywords": ["test"]},
            "publishedAt": at, "title": r["title"], "summary": r["summary"], "thumbnail": "",
            "numComments": rnd.randint(0, 4), "submittedBy": submitter, "isAuthorParticipating": False,
        })
    return items


def write_inputs(folder: Path, n_papers: int = 1500) -> tuple[Path, Path, list[dict[str, Any]]]:
    records = corpus_records(n_papers)
    records.append({"id": XSS_ID, "title": XSS_TITLE, "summary": XSS_ABSTRACT,
                    "authors": ["Mallory <i>Tables</i>", "Ada Lovelace"], "categories": ["cs.LG"],
                    "comment": "<a href=javascript:alert(3)>code</a>", "listed": "2025-03-20"})
    records.append({"id": CONTROL_ID, "title": CONTROL_TITLE, "summary": "An abstract\x00 with a NUL\x08.",
                    "authors": ["Eve\x07 Bell"], "categories": ["cs.RO"], "listed": "2025-03-20"})
    corpus = folder / "papers.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    daily = folder / "daily_papers.json"
    items = hf_daily_items(records)
    items[0]["paper"]["projectPage"] = "javascript:alert(document.cookie)"  # never becomes a link
    items[1]["paper"]["projectPage"] = "https://example.org/project"
    items[1]["paper"]["githubRepo"] = "https://github.com/example-lab/code"
    items[1]["paper"]["githubStars"] = 42
    items[1]["organization"] = {"_id": "o1", "name": "example-lab", "fullname": "Example Lab",
                                "avatar": "https://example.org/lab.png"}
    daily.write_text(json.dumps(items))
    return corpus, daily, records
