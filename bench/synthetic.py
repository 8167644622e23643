"""A deterministic synthetic arXiv-like corpus built from the real shared abstracts.

Paper i reuses the real paper ``i mod N`` with a fresh valid arXiv id, a variant title and its abstract's
sentences rotated, so sizes and text statistics stay realistic while every record is distinct.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import orjson

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "arxiv-cs-2025-2026.jsonl.gz"


def base_records(path: Path = CORPUS) -> list[dict]:
    with gzip.open(path, "rb") as fh:
        return [orjson.loads(line) for line in fh]


def synthetic(n: int, base: list[dict], start: int = 0) -> Iterator[dict]:
    """Papers ``start`` to ``start + n`` of the sequence (so a later batch never repeats an id)."""
    for i in range(start, start + n):
        src = base[i % len(base)]
        month = i // 99_999
        yy, mm = 15 + month // 12, 1 + month % 12
        sentences = src["summary"].split(". ")
        shift = (i // len(base)) % max(1, len(sentences))
        authors = src["authors"]
        turn = shift % max(1, len(authors))
        yield {
            "id": f"{yy:02d}{mm:02d}.{i % 99_999 + 1:05d}",
            "title": f"{src['title']} (variant {i // len(base)})" if i >= len(base) else src["title"],
            "summary": ". ".join(sentences[shift:] + sentences[:shift]),
            "authors": authors[turn:] + authors[:turn],
            "categories": src["categories"],
            "comment": src.get("comment"),
            "listed": f"20{yy:02d}-{mm:02d}-{1 + i % 28:02d}",
        }


def write_jsonl(path: Path, records: Iterator[dict]) -> int:
    count = 0
    with open(path, "wb") as fh:
        for record in records:
            fh.write(orjson.dumps(record) + b"\n")
            count += 1
    return count
