"""The contracts in pyproject.toml ([tool.importlinter]): front ends over the library face over
the parts over the store (a lower layer never imports an upper one), front ends that reach the store,
the community and the digests only through the face (but for the imports listed as still to move), and
no import circle among the modules of any package."""

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


def test_a_front_end_importing_the_store_breaks_the_contract_unless_listed(tmp_path: Path) -> None:
    """The forbidden contract without its list of imports still to move must break on exactly those:
    proof that it sees them, and that the list holds nothing that is gone (it only shrinks)."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in settings["contracts"] if c["type"] == "forbidden")
    listed = contract["ignore_imports"]
    config = tmp_path / "unlisted.toml"
    config.write_text(
        f'[tool.importlinter]\nroot_package = "paperboard"\n\n[[tool.importlinter.contracts]]\n'
        f'name = "unlisted"\ntype = "forbidden"\nsource_modules = {contract["source_modules"]!r}\n'
        f'forbidden_modules = {contract["forbidden_modules"]!r}\nallow_indirect_imports = true\n'.replace("'", '"')
    )
    done = _lint(config)
    assert done.returncode == (1 if listed else 0), done.stdout + done.stderr
    assert "paperboard.mcp_server ->" not in done.stdout and "paperboard.cli.store ->" not in done.stdout
    for entry in listed:  # each listed pair is still imported (a moved one leaves the list)
        source, target = (part.strip().removesuffix(".*") for part in entry.split("->"))
        assert f"{source} -> {target}" in done.stdout, entry
