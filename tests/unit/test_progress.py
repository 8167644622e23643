"""Progress in a log: silent for a short step, a whole line every few seconds for a long one."""

import time

from paperboard import progress


def _run(steps: int, pause: float, **kwargs) -> None:
    with progress.bar(steps * 10, desc="index", unit="paper", **kwargs) as pbar:
        for _ in range(steps):
            time.sleep(pause)
            pbar.update(10)


def test_a_long_step_writes_whole_lines_to_a_log_and_a_short_one_nothing(capsys, monkeypatch):
    _run(3, 0.01)  # stderr is captured: not a terminal
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "LOG_EVERY", 0.05)
    _run(12, 0.02)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 3 and "\r" not in "".join(lines)
    assert all(line.startswith("index:") for line in lines) and "120/120" in lines[-1]
    assert len(set(lines)) == len(lines)  # the last count once, not again at the close


def test_asked_for_a_bar_or_for_none(capsys):
    _run(2, 0.0, enabled=True)
    assert "20/20" in capsys.readouterr().err
    _run(2, 0.0, enabled=False)
    assert capsys.readouterr().err == ""
