"""Paper ids by row and rows by id, compactly: one array of the ids as bytes and one sort order.

A list of 3M ``str`` and a dict from id to row cost about 350 bytes a paper (1 GB at full-arXiv scale)
in every server process; these two arrays cost the id's length plus 8 bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class IdTable:
    def __init__(self, ids: Sequence[str] = ()):
        self._set(np.asarray([], dtype="S1"), ids)

    def _set(self, head: np.ndarray, tail: Sequence[str]) -> None:
        width = max([head.dtype.itemsize, *(len(i.encode()) for i in tail)])
        added = np.fromiter((i.encode() for i in tail), dtype=f"S{width}", count=len(tail))
        self._values = np.concatenate([head.astype(f"S{width}"), added]) if len(head) else added
        self._order = np.argsort(self._values, kind="stable")

    @classmethod
    def of_bytes(cls, values: np.ndarray) -> IdTable:
        """A table over ``values`` (as ``as_bytes`` gave them): no Python string per id is made."""
        table = cls()
        table._values = values
        table._order = np.argsort(values, kind="stable")
        return table

    def as_bytes(self) -> np.ndarray:
        """The ids in row order, as one array of bytes strings (to save with ``np.save``)."""
        return self._values

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, row: int) -> str:
        return self._values[row].decode()

    def __iter__(self) -> Iterable[str]:
        return (v.decode() for v in self._values)

    def __contains__(self, paper_id: object) -> bool:
        return isinstance(paper_id, str) and self.row(paper_id) is not None

    def row(self, paper_id: str) -> int | None:
        key = paper_id.encode()
        if not len(self._values) or len(key) > self._values.dtype.itemsize:
            return None
        pos = int(np.searchsorted(self._values, key, sorter=self._order))
        if pos < len(self._order) and self._values[self._order[pos]] == key:
            return int(self._order[pos])
        return None

    def extend(self, ids: Sequence[str]) -> None:
        """Append ``ids`` (new ones) as the next rows."""
        self._set(self._values, ids)

    def rename(self, pairs: Sequence[tuple[str, str]]) -> int:
        """Give the row of each old id the new id (when the old one is here and the new one is neither
        here nor given to another row); returns how many rows were renamed. One copy and one sort for
        all of them: at 3M ids a sort takes a good part of a second."""
        moves: dict[int, str] = {}
        given: set[str] = set()
        for old, new in pairs:
            row = self.row(old)
            if row is None or row in moves or new in self or new in given:
                continue
            moves[row] = new
            given.add(new)
        if not moves:
            return 0
        width = max(self._values.dtype.itemsize, *(len(new.encode()) for new in moves.values()))
        values = self._values.astype(f"S{width}")  # a copy: readers of the old table are unaffected
        for row, new in moves.items():
            values[row] = new.encode()
        self._values, self._order = values, np.argsort(values, kind="stable")
        return len(moves)
