"""``paperboard export``: every stored paper as JSON lines that ``paperboard ingest`` reads back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import orjson
from sqlalchemy import Engine

from .models import to_json_dict
from .storage.papers import iter_papers


def export_lines(engine: Engine) -> Iterator[bytes]:
    with engine.connect() as conn:
        for paper in iter_papers(conn):
            yield orjson.dumps(to_json_dict(paper)) + b"\n"


def write_export(engine: Engine, out: BinaryIO, fmt: str = "jsonl") -> int:
    """Write all papers to ``out`` as JSONL (one object per line) or one JSON array; returns the count."""
    count = 0
    if fmt == "json":
        out.write(b"[")
    for line in export_lines(engine):
        if fmt == "json":
            out.write(b",\n" if count else b"\n")
            out.write(line.rstrip(b"\n"))
        else:
            out.write(line)
        count += 1
    if fmt == "json":
        out.write(b"\n]\n")
    return count
