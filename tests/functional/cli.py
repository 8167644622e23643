"""Run the real ``paperboard`` command in a subprocess, as a user's shell would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def paperboard(*args: str, data_dir: Path, env: dict[str, str] | None = None,
               input: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOARD_")}
    full_env.update({"PAPERBOARD_DATA_DIR": str(data_dir), "PAPERBOARD_ARXIV_DELAY": "0"})
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "paperboard", *args], env=full_env, capture_output=True,
        text=input is None, input=input, timeout=timeout,
    )
