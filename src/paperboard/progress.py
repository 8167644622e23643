"""Progress bars on standard error: shown on a terminal, silent in pipes and CI."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def bar(total: int | None, *, desc: str, unit: str = "B", enabled: bool | None = None) -> Any:
    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(
        total=total, desc=desc, unit=unit, unit_scale=unit == "B", unit_divisor=1024,
        disable=not show, file=sys.stderr, dynamic_ncols=True, leave=True,
    )
