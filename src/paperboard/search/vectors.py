"""The dense index: one unit vector per paper.

The vectors live in one ``.npy`` file next to the ids. Up to ``ANN_FROM`` papers the top-k is exact (a
matrix-vector product over the memory-mapped file: ~5 ms at 100k); from there on an HNSW graph (usearch,
half-precision) answers the top-k in about a millisecond, and exact scores of a given candidate list
come from their rows, read from the file (``RowFile``). Derived data, like the lexical index.

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


class RowFile:
    """Rows of a matrix file read with ``pread`` rather than through a mapping: a server reads a few
    hundred scattered rows per query, and through a mapping each read also maps the neighbouring cached
    pages into the process, so its resident memory grows toward the whole file (at 300k papers, 283 of
    307 MB of vectors after 424 searches). Read this way, the file stays in the page cache only."""

    def __init__(self, path: Path, offset: int, dim: int, dtype: type[np.generic]):
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)
        self._offset, self._dim, self._dtype = offset, dim, np.dtype(dtype)
        self._row_bytes = dim * self._dtype.itemsize

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` (exclusive), as float32."""
        raw = os.pread(self._fd, (stop - start) * self._row_bytes, self._offset + start * self._row_bytes)
        return np.frombuffer(raw, dtype=self._dtype).reshape(-1, self._dim).astype(np.float32)

    def rows(self, rows: Sequence[int]) -> np.ndarray:
        out = np.empty((len(rows), self._dim), dtype=np.float32)
        for i, row in enumerate(rows):
            out[i] = self.read(row, row + 1)[0]
        return out


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
        self.ids = IdTable()
        self.matrix = np.zeros((0, dim), dtype=np.float32)
        self._reader: RowFile | None = None  # the rows of ``matrix``, read without mapping them
        self._passages: RowFile | None = None  # (passages, dim) float16
        self._spans = np.zeros((0, 2), dtype=np.int64)  # per row: [first, end) passage
        meta = path / "meta.json"
        if meta.exists():
            info = orjson.loads(meta.read_bytes())
            if info.get("model") == model and info.get("dim") == dim:
                self.ids = IdTable(info["ids"])
                self.matrix = self._map_matrix()
                self._load_passages()
        self._ann = None
        if len(self.ids) >= ANN_FROM and self._ann_path.exists():
            from usearch.index import Index

            self._ann = Index.restore(str(self._ann_path), view=True)

    def _map_matrix(self) -> np.ndarray:
        matrix = np.load(self.path / "vectors.npy", mmap_mode="r")
        self._reader = RowFile(self.path / "vectors.npy", matrix.offset, self.dim, np.float32)
        return matrix

    def _load_passages(self) -> None:
        spans, raw = self.path / SPANS, self.path / PASSAGES
        self._passages = None
        self._spans = np.zeros((0, 2), dtype=np.int64)
        if spans.exists() and raw.exists():
            self._spans = np.load(spans)
            if raw.stat().st_size:
                self._passages = RowFile(raw, 0, self.dim, np.float16)

    @property
    def has_passages(self) -> bool:
        return self._passages is not None

    @property
    def _ann_path(self) -> Path:
        return self.path / "ann.usearch"

    def _update_ann(self, rows: np.ndarray | None) -> None:
        """Rebuild the graph (``rows`` None) or re-insert the given rows; none below ``ANN_FROM``."""
        self._ann = None
        if len(self.ids) < ANN_FROM:
            self._ann_path.unlink(missing_ok=True)
            return
        from usearch.index import Index

        matrix = np.asarray(self.matrix, dtype=np.float32)
        if rows is None or not self._ann_path.exists():
            ann = _ann_index(self.dim)
            ann.add(np.arange(len(self.ids), dtype=np.uint64), matrix, threads=0)
        else:
            ann = Index.restore(str(self._ann_path))
            for row in rows:
                if int(row) in ann:
                    ann.remove(int(row))
            ann.add(rows.astype(np.uint64), matrix[rows], threads=0)
        ann.save(str(self._ann_path))
        self._ann = Index.restore(str(self._ann_path), view=True)

    def clear(self) -> None:
        """Forget every vector (in memory; the files are replaced by the next fill or save)."""
        self.ids, self._ann = IdTable(), None
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._reader = None
        self._passages, self._spans = None, np.zeros((0, 2), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, paper_id: str) -> bool:
        return paper_id in self.ids

    def vector(self, paper_id: str) -> np.ndarray | None:
        row = self.ids.row(paper_id)
        return None if row is None else self._rows([row])[0]

    def _rows(self, rows: Sequence[int]) -> np.ndarray:
        if self._reader is None or not isinstance(self.matrix, np.memmap):  # in memory (after upsert)
            return np.asarray(self.matrix[list(rows)], dtype=np.float32)
        return self._reader.rows(rows)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray,
               passages: Sequence[np.ndarray] | None = None) -> None:
        """Set the vectors of ``ids`` (new ids are appended), and their passage vectors if given, and
        save. Replaced passages stay in the file unreferenced until the next rebuild."""
        first_new_row = len(self.ids)
        matrix = np.array(self.matrix, dtype=np.float32)  # a writable copy of the mapped file
        new_rows, touched = [], []
        new_ids: dict[str, int] = {}
        for pid, vec in zip(ids, vectors, strict=True):
            row = self.ids.row(pid)
            if row is None:
                row = new_ids.get(pid)
            if row is None:
                row = new_ids[pid] = first_new_row + len(new_ids)
                new_rows.append(vec)
            elif row >= first_new_row:
                new_rows[row - first_new_row] = vec
            else:
                matrix[row] = vec
            touched.append(row)
        self.ids.extend(list(new_ids))
        if new_rows:
            matrix = np.vstack([matrix, np.asarray(new_rows, dtype=np.float32)])
        self.matrix = matrix
        if passages is not None:
            self._append_passages(touched, passages, first_new_row)
        self.save()
        self._update_ann(np.asarray(sorted(set(touched)), dtype=np.int64))

    def _append_passages(self, rows: Sequence[int], passages: Sequence[np.ndarray],
                         first_new_row: int) -> None:
        raw = self.path / PASSAGES
        self.path.mkdir(parents=True, exist_ok=True)
        if self._passages is None or first_new_row == 0:  # none yet, or a new index: start the file
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
        tmp.replace(self.path / SPANS)
        self._load_passages()

    def fill(self, capacity: int) -> VectorFiller:
        """Replace the whole index, writing rows straight to disk (a rebuild never holds the matrix
        in memory twice)."""
        return VectorFiller(self, capacity)

    def save(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / "vectors.tmp.npy"
        np.save(tmp, np.asarray(self.matrix, dtype=np.float32))
        tmp.replace(self.path / "vectors.npy")
        meta = {"model": self.model, "dim": self.dim, "ids": self.ids.tolist()}
        (self.path / "meta.tmp.json").write_bytes(orjson.dumps(meta))
        (self.path / "meta.tmp.json").replace(self.path / "meta.json")
        self.matrix = self._map_matrix()

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of ``query`` (unit length) to every paper, in row order."""
        if not len(self.ids):
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.matrix @ query.astype(np.float32))

    def top(self, query: np.ndarray, k: int, exclude: set[str] = frozenset()) -> list[tuple[str, float]]:
        if self._ann is not None:
            matches = self._ann.search(query.astype(np.float32), k + len(exclude))
            found = [(self.ids[int(key)], 1.0 - float(dist))
                     for key, dist in zip(matches.keys, matches.distances, strict=True)]
            return [(pid, score) for pid, score in found if pid not in exclude][:k]
        scores = self.scores(query)
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
    """Writes rows of a rebuilt index into a memory-mapped file; ``close`` publishes it."""

    def __init__(self, index: VectorIndex, capacity: int):
        self._index = index
        index.path.mkdir(parents=True, exist_ok=True)
        self._tmp = index.path / "vectors.tmp.npy"
        self._matrix = np.lib.format.open_memmap(
            self._tmp, mode="w+", dtype=np.float32, shape=(max(1, capacity), index.dim)
        )
        self._ids: list[str] = []
        self._passages_tmp = index.path / "passages.tmp.f16"
        self._passages_file = None
        self._spans: list[tuple[int, int]] = []
        self._passage_count = 0

    def add(self, ids: Sequence[str], vectors: np.ndarray,
            passages: Sequence[np.ndarray] | None = None) -> None:
        start = len(self._ids)
        self._matrix[start : start + len(ids)] = vectors
        self._ids.extend(ids)
        if passages is not None:
            if self._passages_file is None:
                self._passages_file = open(self._passages_tmp, "wb")  # noqa: SIM115 - closed in close()
            self._spans += _write_passages(self._passages_file, passages, self._passage_count)
            self._passage_count = self._spans[-1][1] if self._spans else 0

    def close(self) -> None:
        self._matrix.flush()
        rows = len(self._ids)
        del self._matrix
        matrix = np.load(self._tmp, mmap_mode="r")
        if rows != matrix.shape[0]:  # fewer papers than planned (some vanished meanwhile)
            np.save(self._index.path / "vectors.trim.npy", np.asarray(matrix[:rows]))
            del matrix
            (self._index.path / "vectors.trim.npy").replace(self._tmp)
        else:
            del matrix
        self._tmp.replace(self._index.path / "vectors.npy")
        index = self._index
        if self._passages_file is not None:
            self._passages_file.close()
            np.save(index.path / "spans.tmp.npy", np.asarray(self._spans, dtype=np.int64).reshape(-1, 2))
            (index.path / "spans.tmp.npy").replace(index.path / SPANS)
            self._passages_tmp.replace(index.path / PASSAGES)
        else:  # this embedder has no passages: none of an earlier one may linger
            (index.path / SPANS).unlink(missing_ok=True)
            (index.path / PASSAGES).unlink(missing_ok=True)
        index.ids = IdTable(self._ids)
        meta = {"model": index.model, "dim": index.dim, "ids": self._ids}
        (index.path / "meta.tmp.json").write_bytes(orjson.dumps(meta))
        (index.path / "meta.tmp.json").replace(index.path / "meta.json")
        index.matrix = index._map_matrix()
        index._load_passages()
        index._update_ann(None)
