"""The dense index: one unit vector per paper.

The vectors live in one ``.npy`` file next to the ids. Up to ``ANN_FROM`` papers the top-k is exact (a
matrix-vector product over the memory-mapped file: ~5 ms at 100k); from there on an HNSW graph (usearch,
half-precision) answers the top-k in about a millisecond, and exact scores of a given candidate list
come from their rows, read from the file (``RowFile``). Derived data, like the lexical index.

Nothing here holds the whole matrix in memory, so that full-arXiv scale fits a small machine. A rebuild
streams rows into a new file; an update writes the changed rows and appends the new ones in place. The
graph is not rewritten on every update either: rows added or changed since it was built (the *delta*,
at most ``FOLD_AT``) are scored exactly next to it and folded into it when there are enough of them.
Other processes that serve the same folder notice a newer ``meta.json`` and reopen (``refresh``).

Optionally the index also keeps *passage* vectors: several per paper (windows of its abstract), for
embedders that read only the start of a long text. They only re-score candidates (the best passage of
each), so they live on disk as raw half floats (``passages.f16``, appended to) with each paper's row
range in ``spans.npy``; nothing searches them all.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import orjson

from .idtable import IdTable

ANN_FROM = 200_000
ANN_BATCH = 50_000  # rows read and added to the graph at a time
FOLD_AT = 20_000  # rows outside the graph (new since it was built) before they are added to it
STALE_AT = 1_000  # rows changed since the graph was built (their graph entries are outdated)


class RowFile:
    """Rows of a matrix file read with ``pread`` rather than through a mapping: a server reads a few
    hundred scattered rows per query, and through a mapping each read also maps the neighbouring cached
    pages into the process, so its resident memory grows toward the whole file (at 300k papers, 283 of
    307 MB of vectors after 424 searches). Read this way, the file stays in the page cache only."""

    def __init__(self, path: Path, offset: int, dim: int, dtype: type[np.generic]):
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)
        self.offset, self._dim, self._dtype = offset, dim, np.dtype(dtype)
        self._row_bytes = dim * self._dtype.itemsize

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` (exclusive), as float32."""
        raw = os.pread(self._fd, (stop - start) * self._row_bytes, self.offset + start * self._row_bytes)
        return np.frombuffer(raw, dtype=self._dtype).reshape(-1, self._dim).astype(np.float32)

    def rows(self, rows: Sequence[int]) -> np.ndarray:
        out = np.empty((len(rows), self._dim), dtype=np.float32)
        for i, row in enumerate(rows):
            out[i] = self.read(row, row + 1)[0]
        return out


def npy_header(rows: int, dim: int) -> bytes:
    """The ``.npy`` header of a float32 matrix of ``rows`` by ``dim``. NumPy pads it so that the row count
    can grow to 21 digits at the same length, which lets a growing file rewrite it in place."""
    from io import BytesIO

    out = BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": "<f4", "fortran_order": False, "shape": (rows, dim)})
    return out.getvalue()


IDS = "ids.npy"  # the ids in row order, as bytes (loads in milliseconds, unlike 3M strings in JSON)
PASSAGES = "passages.f16"
SPANS = "spans.npy"


def _write_passages(fh: BinaryIO, blocks: Sequence[np.ndarray], start: int) -> list[tuple[int, int]]:
    """Append each block of passage vectors as half floats; their row ranges, counted from ``start``."""
    spans = []
    for block in blocks:
        fh.write(np.ascontiguousarray(block, dtype=np.float16).tobytes())
        spans.append((start, start + len(block)))
        start += len(block)
    return spans


def _ann_index(dim: int):  # type: ignore[no-untyped-def]
    from usearch.index import Index

    return Index(ndim=dim, metric="ip", dtype="f16", connectivity=16, expansion_add=128, expansion_search=128)


class VectorIndex:
    def __init__(self, path: Path, dim: int, model: str):
        self.path = path
        self.dim = dim
        self.model = model
        self._load()

    # --- opening ---------------------------------------------------------------------------------

    @property
    def _meta_path(self) -> Path:
        return self.path / "meta.json"

    @property
    def _ann_path(self) -> Path:
        return self.path / "ann.usearch"

    def _meta_stamp(self) -> tuple[int, int] | None:
        try:
            st = self._meta_path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def _load(self) -> None:
        """Read the published index into a new object, then take its state in one step: a search in
        another thread sees the old state or the new one, never a half-loaded mix (an empty matrix
        with the new ids was an IndexError)."""
        fresh = VectorIndex.__new__(VectorIndex)
        fresh.path, fresh.dim, fresh.model = self.path, self.dim, self.model
        fresh._read()
        self.__dict__.update(fresh.__dict__)

    def _read(self) -> None:
        self._stamp = self._meta_stamp()
        self.clear()
        if self._stamp is not None:
            info = orjson.loads(self._meta_path.read_bytes())
            if info.get("model") == self.model and info.get("dim") == self.dim:
                if "ids" in info:  # as releases before ids.npy wrote it
                    self.ids = IdTable(info["ids"])
                else:
                    self.ids = IdTable.of_bytes(np.load(self.path / IDS)[: info["rows"]])
                self.matrix = self._map_matrix()
                self._load_passages()
                self._ann_rows = int(info.get("ann_rows", len(self.ids)))  # older files: graph had all
                self._stale = set(info.get("ann_stale", []))
        if len(self.ids) >= ANN_FROM and self._ann_rows and self._ann_path.exists():
            from usearch.index import Index

            self._ann = Index.restore(str(self._ann_path), view=True)
        self._load_delta()

    def refresh(self) -> None:
        """Reopen if another process has published a newer index since this one was opened (one
        ``stat``; called before each search)."""
        if self._meta_stamp() != self._stamp:
            self._load()

    def _map_matrix(self) -> np.ndarray:
        matrix = np.load(self.path / "vectors.npy", mmap_mode="r")
        self._reader = RowFile(self.path / "vectors.npy", matrix.offset, self.dim, np.float32)
        return matrix[: len(self.ids)]  # an update writes rows before it publishes their ids

    def _load_passages(self) -> None:
        spans, raw = self.path / SPANS, self.path / PASSAGES
        self._passages = None
        self._spans = np.zeros((0, 2), dtype=np.int64)
        if spans.exists() and raw.exists():
            self._spans = np.load(spans)
            if raw.stat().st_size:
                self._passages = RowFile(raw, 0, self.dim, np.float16)

    def _load_delta(self) -> None:
        """The rows the graph does not answer for, in memory (at most ``FOLD_AT + STALE_AT``)."""
        rows = []
        if self._ann is not None:
            rows = sorted(self._stale) + list(range(self._ann_rows, len(self.ids)))
        self._delta_index = np.asarray(rows, dtype=np.int64)
        self._delta = self._rows(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    @property
    def has_passages(self) -> bool:
        return self._passages is not None

    def clear(self) -> None:
        """Forget every vector (in memory; the files are replaced by the next fill or update)."""
        self.ids, self._ann = IdTable(), None
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._reader: RowFile | None = None  # the rows of ``matrix``, read without mapping them
        self._passages: RowFile | None = None  # (passages, dim) float16
        self._spans = np.zeros((0, 2), dtype=np.int64)  # per row: [first, end) passage
        self._ann_rows = 0  # rows 0.. are in the graph file
        self._stale: set[int] = set()  # rows below that which changed since the graph was built
        self._delta_index = np.zeros(0, dtype=np.int64)
        self._delta = np.zeros((0, self.dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, paper_id: str) -> bool:
        return paper_id in self.ids

    # --- writing ---------------------------------------------------------------------------------

    def fill(self) -> VectorFiller:
        """Replace the whole index, streaming rows to a new file."""
        return VectorFiller(self)

    def rename(self, pairs: Sequence[tuple[str, str]]) -> int:
        """Move rows from old ids to new ones (a paper stored without an id that found its real one);
        published with the next ``upsert``, which the new ids always get."""
        return self.ids.rename(pairs)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray,
               passages: Sequence[np.ndarray] | None = None, *, fold: bool = True) -> None:
        """Set the vectors of ``ids`` (new ids are appended), and their passage vectors if given, and
        publish. Changed rows are written in place and new ones appended; replaced passages stay in
        their file unreferenced until the next rebuild. ``fold=False`` leaves the graph alone however
        large the delta (loading it takes 2 GB at 3M papers: a serving process leaves that to ingests)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        first_new_row = len(self.ids)
        new_ids: dict[str, int] = {}
        rows = []
        for pid in ids:
            row = self.ids.row(pid)
            rows.append(row if row is not None else new_ids.setdefault(pid, first_new_row + len(new_ids)))
        latest = {row: i for i, row in enumerate(rows)}  # a row given twice keeps its last vector
        total = first_new_row + len(new_ids)
        appended = vectors[[latest[row] for row in range(first_new_row, total)]]
        if first_new_row == 0:  # nothing yet: a new file
            filler = self.fill()
            blocks = [passages[latest[r]] for r in range(total)] if passages is not None else None
            filler.add(list(new_ids), appended, blocks)
            filler.close()
            return
        with open(self.path / "vectors.npy", "r+b") as fh:
            offset = self._reader.offset if self._reader else len(npy_header(0, self.dim))
            row_bytes = self.dim * 4
            fd = fh.fileno()
            for row, i in sorted(latest.items()):
                if row < first_new_row:
                    os.pwrite(fd, vectors[i].tobytes(), offset + row * row_bytes)
            if len(appended):
                os.pwrite(fd, np.ascontiguousarray(appended).tobytes(), offset + first_new_row * row_bytes)
            header = npy_header(total, self.dim)
            if len(header) != offset:
                raise RuntimeError(f"{fh.name} has an unexpected header: run `paperboard reindex`")
            os.pwrite(fd, header, 0)
        self.ids.extend(list(new_ids))
        if passages is not None:
            self._append_passages(rows, passages)
        self._stale |= {row for row in latest if row < self._ann_rows}
        if fold:
            self._maybe_fold()
        self._publish()

    def _append_passages(self, rows: Sequence[int], passages: Sequence[np.ndarray]) -> None:
        raw = self.path / PASSAGES
        if self._passages is None:  # none yet: start the file
            raw.write_bytes(b"")
            self._spans = np.zeros((0, 2), dtype=np.int64)
        start = raw.stat().st_size // (2 * self.dim)
        spans = np.zeros((len(self.ids), 2), dtype=np.int64)
        spans[: len(self._spans)] = self._spans[: len(self.ids)]
        with open(raw, "ab") as fh:
            for row, span in zip(rows, _write_passages(fh, passages, start), strict=True):
                spans[row] = span
        tmp = self.path / "spans.tmp.npy"
        np.save(tmp, spans)
        tmp.replace(self.path / SPANS)  # read again when the update is published

    def _maybe_fold(self) -> None:
        """Fold the delta into the graph when it has grown large (or build the graph once the index has
        reached ``ANN_FROM``, or drop it below that)."""
        if len(self.ids) < ANN_FROM:
            self._ann_path.unlink(missing_ok=True)
            self._ann, self._ann_rows, self._stale = None, 0, set()
            return
        outside = len(self.ids) - self._ann_rows
        graph = self._ann_rows and self._ann_path.exists()
        if not graph or outside > FOLD_AT or len(self._stale) > STALE_AT:
            self._fold()

    def _fold(self) -> None:
        """Add the delta to the graph, or build the graph from every row when there is none."""
        from usearch.index import Index

        self._ann = None
        if self._ann_rows and self._ann_path.exists():
            ann = Index.restore(str(self._ann_path))
            for row in self._stale:
                ann.remove(row)
            self._add_to_graph(ann, sorted(self._stale))
            start = self._ann_rows
        else:
            ann, start = _ann_index(self.dim), 0
        for first in range(start, len(self.ids), ANN_BATCH):
            self._add_to_graph(ann, range(first, min(first + ANN_BATCH, len(self.ids))))
        tmp = self.path / "ann.tmp.usearch"
        ann.save(str(tmp))
        del ann
        tmp.replace(self._ann_path)  # a process viewing the old graph keeps its file until it reopens
        self._ann_rows, self._stale = len(self.ids), set()

    def _add_to_graph(self, ann, rows: Sequence[int]) -> None:  # type: ignore[no-untyped-def]
        if len(rows):
            contiguous = isinstance(rows, range) and self._reader is not None
            block = self._reader.read(rows.start, rows.stop) if contiguous else self._rows(rows)
            ann.add(np.asarray(rows, dtype=np.uint64), np.asarray(block, dtype=np.float32), threads=0)

    def _publish(self) -> None:
        """Write the ids, then ``meta.json`` (their count and the graph's extent): the moment readers see
        the change."""
        np.save(self.path / "ids.tmp.npy", self.ids.as_bytes())
        (self.path / "ids.tmp.npy").replace(self.path / IDS)
        meta = {"model": self.model, "dim": self.dim, "rows": len(self.ids),
                "ann_rows": self._ann_rows, "ann_stale": sorted(self._stale)}
        (self.path / "meta.tmp.json").write_bytes(orjson.dumps(meta))
        (self.path / "meta.tmp.json").replace(self._meta_path)
        self._load()

    # --- reading ---------------------------------------------------------------------------------

    def vector(self, paper_id: str) -> np.ndarray | None:
        row = self.ids.row(paper_id)
        return None if row is None else self._rows([row])[0]

    def _rows(self, rows: Sequence[int]) -> np.ndarray:
        if self._reader is None:
            return np.asarray(self.matrix[list(rows)], dtype=np.float32)
        return self._reader.rows(rows)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of ``query`` (unit length) to every paper, in row order."""
        if not len(self.ids):
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.matrix @ query.astype(np.float32))

    def top(self, query: np.ndarray, k: int, exclude: set[str] = frozenset()) -> list[tuple[str, float]]:
        q = query.astype(np.float32)
        if self._ann is not None:
            want = k + len(exclude)
            matches = self._ann.search(q, want + len(self._stale))
            pairs = zip(matches.keys.tolist(), matches.distances.tolist(), strict=True)
            found = [(key, 1.0 - dist) for key, dist in pairs if key not in self._stale]
            if len(self._delta_index):  # the best of the rows the graph does not answer for
                scores = self._delta @ q
                best = np.argpartition(-scores, min(want, len(scores)) - 1)[:want]
                found += zip(self._delta_index[best].tolist(), scores[best].tolist(), strict=True)
                found.sort(key=lambda pair: -pair[1])
            named = ((self.ids[row], score) for row, score in found)
            return [(pid, score) for pid, score in named if pid not in exclude][:k]
        scores = self.scores(q)
        if not len(scores):
            return []
        k_eff = min(len(scores), k + len(exclude))
        part = np.argpartition(-scores, k_eff - 1)[:k_eff]
        best = part[np.argsort(-scores[part])]
        out = [(self.ids[i], float(scores[i])) for i in best if self.ids[i] not in exclude]
        return out[:k]

    def best_passages(self, query: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Cosine of ``query`` to the best passage of each of ``ids`` that has passages."""
        if self._passages is None:
            return {}
        known = [(pid, self.ids.row(pid)) for pid in ids]
        rows = [(pid, row) for pid, row in known if row is not None and row < len(self._spans)]
        spans = self._spans[[r for _, r in rows]] if rows else np.zeros((0, 2), dtype=np.int64)
        keep = spans[:, 1] > spans[:, 0]
        if not keep.any():
            return {}
        kept_ids = [pid for (pid, _), k in zip(rows, keep, strict=True) if k]
        q = query.astype(np.float32)
        best = [float((self._passages.read(int(a), int(b)) @ q).max()) for a, b in spans[keep]]
        return dict(zip(kept_ids, best, strict=True))

    def scores_for(self, query: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        present, sub = self.rows_for(ids)
        if not present:
            return {}
        values = sub @ query.astype(np.float32)
        return {pid: float(v) for pid, v in zip(present, values, strict=True)}

    def rows_for(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The indexed ones among ``ids`` and their vectors (a copy, one row each)."""
        rows = [(pid, row) for pid in ids if (row := self.ids.row(pid)) is not None]
        if not rows:
            return [], np.zeros((0, self.dim), dtype=np.float32)
        return [pid for pid, _ in rows], self._rows([r for _, r in rows])


class VectorFiller:
    """Streams the rows of a rebuilt index into a new file (written, never mapped: its pages stay in
    the page cache, out of the process); ``close`` publishes it and builds the graph."""

    def __init__(self, index: VectorIndex):
        self._index = index
        index.path.mkdir(parents=True, exist_ok=True)
        self._tmp = index.path / "vectors.tmp.npy"
        self._file = open(self._tmp, "wb")  # noqa: SIM115 - closed in close()
        self._file.write(npy_header(0, index.dim))  # rewritten with the row count on close
        self._ids: list[str] = []
        self._passages_tmp = index.path / "passages.tmp.f16"
        self._passages_file: BinaryIO | None = None
        self._spans: list[tuple[int, int]] = []
        self._passage_count = 0

    def add(self, ids: Sequence[str], vectors: np.ndarray,
            passages: Sequence[np.ndarray] | None = None) -> None:
        self._file.write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
        self._ids.extend(ids)
        if passages is not None:
            if self._passages_file is None:
                self._passages_file = open(self._passages_tmp, "wb")  # noqa: SIM115 - closed in close()
            self._spans += _write_passages(self._passages_file, passages, self._passage_count)
            self._passage_count = self._spans[-1][1] if self._spans else 0

    def close(self) -> None:
        self._file.seek(0)
        self._file.write(npy_header(len(self._ids), self._index.dim))
        self._file.close()
        index = self._index
        self._tmp.replace(index.path / "vectors.npy")
        if self._passages_file is not None:
            self._passages_file.close()
            np.save(index.path / "spans.tmp.npy", np.asarray(self._spans, dtype=np.int64).reshape(-1, 2))
            (index.path / "spans.tmp.npy").replace(index.path / SPANS)
            self._passages_tmp.replace(index.path / PASSAGES)
        else:  # this embedder has no passages: none of an earlier one may linger
            (index.path / SPANS).unlink(missing_ok=True)
            (index.path / PASSAGES).unlink(missing_ok=True)
        ids = IdTable(self._ids)
        matrix = np.load(index.path / "vectors.npy", mmap_mode="r")  # the graph is built from it
        reader = RowFile(index.path / "vectors.npy", matrix.offset, index.dim, np.float32)
        index.__dict__.update(ids=ids, matrix=matrix[: len(ids)], _reader=reader)  # together, as in _load
        index._ann_path.unlink(missing_ok=True)  # every row is new: the graph is built from scratch
        index._ann, index._ann_rows, index._stale = None, 0, set()
        index._maybe_fold()
        index._publish()
