"""The contracts in pyproject.toml ([tool.importlinter]): front ends over the library face over
the parts over the store (a lower layer never imports an upper one), front ends that reach the store,
the community and the digests only through the face, and no import circle among the modules of any
package."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_no_module_imports_a_layer_above_its_own() -> None:
    done = _lint(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


def test_the_contract_sees_the_imports_it_forbids(tmp_path: Path) -> None:
    """The same layers upside down must break: proof that the linter reads the real import graph."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in settings["contracts"] if c["type"] == "layers")
    layers = [f'"{layer}"' for layer in reversed(contract["layers"])]
    config = tmp_path / "upside-down.toml"
    config.write_text(
        f'[tool.importlinter]\nroot_package = "paperboard"\n\n[[tool.importlinter.contracts]]\n'
        f'name = "upside down"\ntype = "layers"\nlayers = [{", ".join(layers)}]\n'
    )
    done = _lint(config)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "paperboard.web is not allowed to import paperboard.board" in done.stdout


def test_the_front_ends_contract_has_no_exceptions_and_sees_what_it_forbids(tmp_path: Path) -> None:
    """The front ends reach no store, community or digest module but through the face, with no import
    let off; the same contract with the face itself forbidden must break (every front end imports it):
    proof that it reads the real import graph."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in settings["contracts"] if c["type"] == "forbidden")
    assert "ignore_imports" not in contract
    forbidden = [*contract["forbidden_modules"], "paperboard.board"]
    config = tmp_path / "face-forbidden.toml"
    config.write_text(
        f'[tool.importlinter]\nroot_package = "paperboard"\n\n[[tool.importlinter.contracts]]\n'
        f'name = "face forbidden"\ntype = "forbidden"\nsource_modules = {contract["source_modules"]!r}\n'
        f'forbidden_modules = {forbidden!r}\nallow_indirect_imports = true\n'.replace("'", '"')
    )
    done = _lint(config)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "paperboard.web.app -> paperboard.board" in done.stdout
    assert "paperboard.mcp_server -> paperboard.board" in done.stdout
