"""Helper processes end with the process that started them: a killed ingest (SIGKILL) left its two
gist processes running."""

import os
import signal
import subprocess
import sys
import time

PARENT = """
import time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
from paperboard.ingest.children import exit_with_parent

if __name__ == "__main__":
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"), initializer=exit_with_parent) as pool:
        futures = [pool.submit(time.sleep, 60) for _ in range(2)]
        time.sleep(1.5)
        print(" ".join(str(p.pid) for p in pool._processes.values()), flush=True)
        time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is gone in all but name
        return fh.read().split(")")[-1].split()[0] != "Z"


def test_gist_processes_end_when_their_ingest_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    children = [int(p) for p in parent.stdout.readline().split()]
    assert len(children) == 2 and all(_alive(p) for p in children)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in children)
