"""How long a newcomer waits: ``./scripts/start`` on a clone of this repository's last commit (the
``.venv`` made from nothing, then the 74,728-paper corpus stored into an empty data folder), timed from
the command to the first page, to the first search answer, and to a complete semantic index; then a
second start over the same folder, to its first page.

    .venv/bin/python bench/first_start.py [--keep-venv] [--markdown]

``--keep-venv`` reuses the checkout's ``.venv`` (copied) instead of installing, to time Paperboard
alone. Traffic goes to loopback only; the clone and the data folder are removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUERY = "graph neural networks for molecules"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=10)
    except httpx.TransportError:
        return None


def _run(clone: Path, data: Path, deadline: float) -> dict[str, float | None]:
    """Start ``scripts/start`` in ``clone``; seconds to each milestone (None: not reached in time)."""
    port = _port()
    env = {**os.environ, "PAPERBOARD_DATA_DIR": str(data), "PAPERBOARD_PORT": str(port),
           "PAPERBOARD_HARVEST_SCHEDULE": "off", "PAPERBOARD_ARXIV_OAI_URL": "http://127.0.0.1:9/offline"}
    env.pop("VIRTUAL_ENV", None)
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    log = open(data.parent / f"start-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(["./scripts/start"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    seen: dict[str, float | None] = dict.fromkeys(("first page", "search answers", "semantic index complete"))
    try:
        while time.monotonic() - started < deadline and None in seen.values():
            elapsed = time.monotonic() - started
            if seen["first page"] is None:
                page = _get(base + "/")
                if page is not None and page.status_code == 200 and "/papers/" in page.text:
                    seen["first page"] = elapsed
            else:
                found = _get(base + "/api/papers/search?q=" + QUERY.replace(" ", "+"))
                if seen["search answers"] is None and found is not None and found.status_code == 200 \
                        and found.json():
                    seen["search answers"] = elapsed
                health = _get(base + "/healthz")
                if health is not None and (health.json().get("semantic_index") or 0) >= 0.99:
                    seen["semantic index complete"] = elapsed
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
    return {k: round(v, 1) if v is not None else None for k, v in seen.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-venv", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds to wait for each start")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pb-first-start-"))
    try:
        clone = work / "paperboard"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        # scripts/start reads the corpus beside the checkout, as a clone next to shared/ would have it
        shared = Path(os.environ.get("PAPERBOARD_SHARED", ROOT.parent / "shared"))
        (work / "shared").symlink_to(shared.resolve())
        if args.keep_venv:
            shutil.copytree(ROOT / ".venv", clone / ".venv", symlinks=True)
            subprocess.run([str(clone / ".venv/bin/python"), "-m", "pip", "install", "-q", "--no-deps", "-e",
                            str(clone)], check=True)
        data = work / "data"
        first = _run(clone, data, args.deadline)
        second = _run(clone, data, args.deadline)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [("first start", first), ("second start", second)]
    if args.markdown:
        print("| start | first page | search answers | semantic index complete |")
        print("| --- | ---: | ---: | ---: |")
        for name, seen in rows:
            cells = [f"{v} s" if v is not None else "-" for v in seen.values()]
            print(f"| {name} | " + " | ".join(cells) + " |")
    else:
        for name, seen in rows:
            print(name, seen)


if __name__ == "__main__":
    main()
