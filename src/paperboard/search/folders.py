"""Where the search index lives on disk. The index is derived data, so it is never repaired in place:
a rebuild writes a new *generation* beside the one being served and switches to it when it is complete
(one atomic rename of the pointer file ``current``); serving processes notice the switch with one
``stat`` and reopen. Writers in every process take turns through a lock file.

    index/current        "g18c2f0a1b2c3d4e5": the generation being served
    index/g18c2f0a1b2c3d4e5/lexical/            the BM25 index (tantivy)
    index/g18c2f0a1b2c3d4e5/vectors-<model>/    one dense index per embedder, with its watermark
    index/writer.lock

A folder written before generations existed has ``lexical/`` and ``vectors-*/`` directly under
``index/`` and no pointer; it is served as it is until the first rebuild replaces it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Unavailable

POINTER = "current"
LOCK = "writer.lock"
_LEGACY = ("lexical", "state.json")  # and vectors-*/: the layout before generations


class IndexBusy(Unavailable):
    """Another process is writing the search index and did not finish within the wait."""


class IndexFolders:
    def __init__(self, root: Path):
        self.root = root

    def live(self) -> Path:
        """The folder of the generation being served (the root itself for the older layout)."""
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return self.root
        return self.root / name if name.startswith("g") and name.isalnum() else self.root

    def stamp(self) -> tuple[int, int] | None:
        """Changes whenever a new generation is published."""
        try:
            st = (self.root / POINTER).stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def new_generation(self) -> Path:
        folder = self.root / f"g{time.time_ns():x}"
        folder.mkdir(parents=True)
        return folder

    def publish(self, folder: Path) -> None:
        """Serve ``folder`` from now on, and remove every other generation (a process still reading one
        keeps its open files until it notices the switch and reopens)."""
        tmp = self.root / f"{POINTER}.tmp"
        tmp.write_text(folder.name)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        tmp.replace(self.root / POINTER)
        for old in self.root.iterdir():
            legacy = old.name in _LEGACY or old.name.startswith("vectors-")
            if old != folder and (legacy or (old.is_dir() and old.name.startswith("g"))):
                discard(old)

    @contextmanager
    def writing(self, wait: float | None = None) -> Iterator[None]:
        """Hold the writer lock: wait for it as long as it takes (``wait=None``), or up to ``wait``
        seconds, then IndexBusy."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as fh:
            if wait is None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + wait
                while True:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise IndexBusy("another process is writing the search index") from None
                        time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def discard(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
