"""The dense index: one unit vector per paper.

The vectors live in one ``.npy`` file next to the ids, memory-mapped on open. Up to ``ANN_FROM`` papers
the top-k is exact (a matrix-vector product: ~5 ms at 100k); from there on an HNSW graph (usearch,
half-precision) answers the top-k in about a millisecond, and exact scores of a given candidate list
still come from the matrix. Derived data, like the lexical index.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import orjson

ANN_FROM = 200_000


def _ann_index(dim: int):  # type: ignore[no-untyped-def]
    from usearch.index import Index

    return Index(ndim=dim, metric="ip", dtype="f16", connectivity=16, expansion_add=128, expansion_search=128)


class VectorIndex:
    def __init__(self, path: Path, dim: int, model: str):
        self.path = path
        self.dim = dim
        self.model = model
        self.ids: list[str] = []
        self._row: dict[str, int] = {}
        self.matrix = np.zeros((0, dim), dtype=np.float32)
        meta = path / "meta.json"
        if meta.exists():
            info = orjson.loads(meta.read_bytes())
            if info.get("model") == model and info.get("dim") == dim:
                self.ids = info["ids"]
                self.matrix = np.load(path / "vectors.npy", mmap_mode="r")
                self._row = {pid: i for i, pid in enumerate(self.ids)}
        self._ann = None
        if len(self.ids) >= ANN_FROM and self._ann_path.exists():
            from usearch.index import Index

            self._ann = Index.restore(str(self._ann_path), view=True)

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
        self.ids, self._row, self._ann = [], {}, None
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, paper_id: str) -> bool:
        return paper_id in self._row

    def vector(self, paper_id: str) -> np.ndarray | None:
        row = self._row.get(paper_id)
        return None if row is None else np.asarray(self.matrix[row])

    def upsert(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Set the vectors of ``ids`` (new ids are appended) and save."""
        matrix = np.array(self.matrix, dtype=np.float32)  # a writable copy of the mapped file
        new_rows, touched = [], []
        for pid, vec in zip(ids, vectors, strict=True):
            row = self._row.get(pid)
            if row is None:
                row = self._row[pid] = len(self.ids)
                self.ids.append(pid)
                new_rows.append(vec)
            else:
                matrix[row] = vec
            touched.append(row)
        if new_rows:
            matrix = np.vstack([matrix, np.asarray(new_rows, dtype=np.float32)])
        self.matrix = matrix
        self.save()
        self._update_ann(np.asarray(sorted(set(touched)), dtype=np.int64))

    def fill(self, capacity: int) -> VectorFiller:
        """Replace the whole index, writing rows straight to disk (a rebuild never holds the matrix
        in memory twice)."""
        return VectorFiller(self, capacity)

    def save(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / "vectors.tmp.npy"
        np.save(tmp, np.asarray(self.matrix, dtype=np.float32))
        tmp.replace(self.path / "vectors.npy")
        meta = {"model": self.model, "dim": self.dim, "ids": self.ids}
        (self.path / "meta.tmp.json").write_bytes(orjson.dumps(meta))
        (self.path / "meta.tmp.json").replace(self.path / "meta.json")
        self.matrix = np.load(self.path / "vectors.npy", mmap_mode="r")

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

    def scores_for(self, query: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        present, sub = self.rows_for(ids)
        if not present:
            return {}
        values = sub @ query.astype(np.float32)
        return {pid: float(v) for pid, v in zip(present, values, strict=True)}

    def rows_for(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The indexed ones among ``ids`` and their vectors (a copy, one row each)."""
        rows = [(pid, self._row[pid]) for pid in ids if pid in self._row]
        if not rows:
            return [], np.zeros((0, self.dim), dtype=np.float32)
        return [pid for pid, _ in rows], np.asarray(self.matrix[[r for _, r in rows]], dtype=np.float32)


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

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        start = len(self._ids)
        self._matrix[start : start + len(ids)] = vectors
        self._ids.extend(ids)

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
        index.ids = list(self._ids)
        index._row = {pid: i for i, pid in enumerate(index.ids)}
        meta = {"model": index.model, "dim": index.dim, "ids": index.ids}
        (index.path / "meta.tmp.json").write_bytes(orjson.dumps(meta))
        (index.path / "meta.tmp.json").replace(index.path / "meta.json")
        index.matrix = np.load(index.path / "vectors.npy", mmap_mode="r")
        index._update_ann(None)
