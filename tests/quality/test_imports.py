"""The layers hold: the import contracts in ``pyproject.toml``, and the headless core never
imports textual or rich (checked in a fresh interpreter).

As Harlequin does, the headless modules are imported in a subprocess and ``sys.modules`` is
inspected, all of them in one interpreter: after each import the forbidden packages are looked
for, so the first module that brings one in is named. Every module outside the terminal skin
is found on disk, so a new package is checked without being listed here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "qa_tui"
# The terminal skin and the entry point: the only places textual and rich may be imported.
SKIN = ("qa_tui.tui", "qa_tui.cli", "qa_tui.__main__")
FORBIDDEN = ("textual", "rich")


def headless_modules() -> list[str]:
    """Every module of qa_tui outside the skin, found on disk (Alembic's scripts run only
    inside Alembic)."""
    names = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        skin = any(name == s or name.startswith(f"{s}.") for s in SKIN)
        if not skin and ".migrations" not in name:
            names.append(name)
    return sorted(names)


CHECK = """
import importlib, json, sys
forbidden = set(sys.argv[1].split(","))
for name in sys.argv[2:]:
    importlib.import_module(name)
    if name == "qa_tui.framework.loader":  # built-in templates load lazily: load them too
        sys.modules[name].builtin_templates()
    found = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
    if found:
        print(json.dumps({"module": name, "imported": found[:5]}))
        break
else:
    print(json.dumps({"checked": len(sys.argv) - 2}))
"""


def test_no_headless_module_imports_textual_or_rich() -> None:
    modules = headless_modules()
    assert {"qa_tui.store.history", "qa_tui.domain.evaluation", "qa_tui.sync.merge"} <= set(modules)
    result = subprocess.run(
        [sys.executable, "-c", CHECK, ",".join(FORBIDDEN), *modules],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"checked": len(modules)}


def _contracts() -> dict[str, dict[str, Any]]:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in settings["tool"]["importlinter"]["contracts"]}


def _exists(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def test_the_headless_contract_covers_every_layer_below_the_skin() -> None:
    """Adding a core package is one line in the layers; this test asks for the other."""
    contracts = _contracts()
    layers: list[str] = contracts["layers"]["layers"]
    below_skin = layers[layers.index("tui") + 1 :]
    names = {part.strip().strip("()") for layer in below_skin for part in layer.split("|")}
    expected = {f"qa_tui.{name}" for name in names if _exists(name)}
    assert set(contracts["headless"]["source_modules"]) == expected


def test_the_contracts_have_no_exceptions() -> None:
    for contract in _contracts().values():
        assert "ignore_imports" not in contract, contract["name"]
        assert contract.get("allow_indirect_imports") in (None, False), contract["name"]


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.fail("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [exe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": f"{Path(exe).parent}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout
