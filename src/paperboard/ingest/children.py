"""Helper processes (parsers, gist writers) that end with the process that started them: a killed
ingest (SIGKILL leaves it no time to clean up) left them running."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time


def exit_with_parent() -> None:
    """Called first in a child process (a process target, an executor's initializer): a thread that
    ends the process once its parent is gone (it would otherwise block on a full pipe, or compute for
    nobody)."""
    parent = mp.parent_process()

    def watch() -> None:
        while parent is None or parent.is_alive():
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
