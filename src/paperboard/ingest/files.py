"""Dump files -> a stream of :class:`Item`: JSONL / JSON (plain or gzip) and saved OAI-PMH / Atom XML.

The container (JSONL, JSON, XML; gzip or not) is sniffed from the bytes; the record format from each
record's keys (see :mod:`paperboard.ingest.dumps`) unless named. ``position()`` reports how far into the
file on disk reading has got, for progress bars with an honest ETA on compressed files.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import orjson

from .arxiv_api import parse_feed
from .arxiv_oai import parse_list_records
from .dumps import RECORD_FORMATS, parse_record
from .errors import RecordError, SourceError
from .pipeline import Item, as_item

FILE_FORMATS = ("auto", "jsonl", "json", "oai", "atom", *RECORD_FORMATS)


class DumpFile:
    """One file to ingest. Iterate it for items; ``size`` and ``position()`` drive progress."""

    def __init__(self, path: str | os.PathLike[str], fmt: str = "auto"):
        self.path = Path(path)
        if fmt not in FILE_FORMATS:
            raise SourceError(f"unknown format {fmt!r}; choose one of {', '.join(FILE_FORMATS)}")
        self.fmt = fmt
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise SourceError(f"{path}: {exc.strerror or exc}") from None
        if not self.path.is_file():
            raise SourceError(f"{path}: not a file")
        self.size = stat.st_size
        self.fingerprint = {"path": str(self.path.resolve()), "size": stat.st_size,
                            "mtime_ns": stat.st_mtime_ns}
        self._raw: BinaryIO | None = None

    @property
    def checkpoint_key(self) -> str:
        return f"file:{self.fingerprint['path']}"

    def position(self) -> int:
        try:
            return self._raw.tell() if self._raw and not self._raw.closed else self.size
        except (OSError, ValueError):
            return 0

    def _open(self) -> BinaryIO:
        raw = open(self.path, "rb")  # noqa: SIM115 - closed by __iter__
        self._raw = raw
        magic = raw.read(2)
        raw.seek(0)
        if magic == b"\x1f\x8b":
            return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
        return raw

    @contextmanager
    def _reading(self) -> Iterator[BinaryIO]:
        """The open (decompressed) stream; read errors become a SourceError naming the file."""
        stream = self._open()
        try:
            yield stream
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise SourceError(f"{self.path}: cannot read: {exc}") from None
        finally:
            stream.close()
            if self._raw:
                self._raw.close()

    def __iter__(self) -> Iterator[Item]:
        with self._reading() as stream:
            container, record_fmt = self._container(stream)
            if container == "xml":
                yield from self._xml(stream, record_fmt)
            elif container == "json":
                yield from self._json(stream, record_fmt)
            else:
                yield from self._jsonl(stream, record_fmt)

    def container(self) -> str:
        """``jsonl``, ``json`` or ``xml``, as sniffed (or named with the format)."""
        with self._reading() as stream:
            return self._container(stream)[0]

    def jsonl_chunks(self, size: int, share: int = 0, shares: int = 1) -> Iterator[tuple[int, list[Item]]]:
        """Consecutive chunks of ``size`` records of a JSONL file, numbered from 0; only those with
        ``number % shares == share`` are parsed and yielded, so ``shares`` processes can split a file."""
        with self._reading() as stream:
            fmt = self._container(stream)[1]
            chunk: list[Item] = []
            number = records = 0
            for lineno, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                number, records = records // size, records + 1
                if number % shares == share:
                    chunk.append(self._jsonl_item(lineno, line, fmt))
                    if len(chunk) == size:
                        yield number, chunk
                        chunk = []
            if chunk:
                yield number, chunk

    def _container(self, stream: BinaryIO) -> tuple[str, str | None]:
        fmt = self.fmt
        if fmt in ("oai", "atom"):
            return "xml", fmt
        record_fmt = fmt if fmt in RECORD_FORMATS else None
        if fmt in ("jsonl", "json"):
            return fmt, None
        name = self.path.name.lower().removesuffix(".gz")
        if name.endswith(".jsonl") or name.endswith(".ndjson"):
            return "jsonl", record_fmt
        if name.endswith(".xml"):
            return "xml", None
        head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""
        first = head.lstrip()[:1]
        if first == b"<":
            return "xml", None
        if first == b"[" or name.endswith(".json"):
            return "json", record_fmt
        return "jsonl", record_fmt

    def _jsonl(self, stream: BinaryIO, fmt: str | None) -> Iterator[Item]:
        for lineno, line in enumerate(stream, 1):
            if line.strip():
                yield self._jsonl_item(lineno, line, fmt)

    def _jsonl_item(self, lineno: int, line: bytes, fmt: str | None) -> Item:
        where = f"{self.path.name}:{lineno}"
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            return Item(where, error=f"not valid JSON ({exc})")
        return as_item(where, lambda: parse_record(record, fmt))

    def _json(self, stream: BinaryIO, fmt: str | None) -> Iterator[Item]:
        try:
            data = orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            raise SourceError(f"{self.path}: not valid JSON ({exc})") from None
        if isinstance(data, dict):
            records, base = [data], self.path.name
        elif isinstance(data, list):
            records, base = data, None
        else:
            raise SourceError(f"{self.path}: expected a JSON object or array, got {type(data).__name__}")
        for i, record in enumerate(records):
            where = base or f"{self.path.name}[{i}]"
            yield as_item(where, lambda r=record: parse_record(r, fmt))

    def _xml(self, stream: BinaryIO, fmt: str | None) -> Iterator[Item]:
        data = stream.read()
        where = self.path.name
        is_atom = fmt == "atom" or (fmt is None and b"http://www.w3.org/2005/Atom" in data[:4096])
        page = parse_feed(data, where) if is_atom else parse_list_records(data, where)
        for n, paper in enumerate(page.papers, 1):
            yield Item(f"{where}: record {n}", paper=paper)
        for location, reason in page.problems:
            yield Item(location, error=reason)


__all__ = ["FILE_FORMATS", "DumpFile", "RecordError"]
