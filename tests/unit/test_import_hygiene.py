"""The headless core never imports textual or rich (checked in a fresh interpreter).

As Harlequin does: each headless module is imported in a subprocess and ``sys.modules`` is
inspected; the import-linter contracts in ``pyproject.toml`` are run too when available.
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

ROOT = Path(__file__).resolve().parents[2]
HEADLESS_PACKAGES = (
    "qa_tui.domain",
    "qa_tui.framework",
    "qa_tui.store",
    "qa_tui.sync",
    "qa_tui.reports",
    "qa_tui.documents",
)
HEADLESS_MODULES = (
    "qa_tui.config",
    "qa_tui.workspace",
    "qa_tui.demo",
    "qa_tui.demo.text",
    "qa_tui.errors",
    "qa_tui.textsafe",
    "qa_tui.fsutil",
)
FORBIDDEN = ("textual", "rich")


def _exists(module: str) -> bool:
    """True for a real module or package (a folder without ``__init__.py`` is not one yet)."""
    spec = importlib.util.find_spec(module)
    return spec is not None and spec.origin is not None


def headless_modules() -> list[str]:
    """Every module of the headless packages that exist, plus the top-level core modules."""
    names = list(HEADLESS_MODULES)
    for package in HEADLESS_PACKAGES:
        if not _exists(package):
            continue
        names.append(package)
        path = [str(ROOT / Path(*package.split(".")))]
        for info in pkgutil.walk_packages(path, prefix=f"{package}."):
            if ".migrations" not in info.name:  # alembic scripts run only inside alembic
                names.append(info.name)
    return sorted(set(names))


CHECK = """
import importlib, json, sys
name = sys.argv[1]
importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r})))
"""


@pytest.mark.parametrize("module", headless_modules())
def test_module_imports_neither_textual_nor_rich(module: str) -> None:
    code = CHECK.format(forbidden=set(FORBIDDEN))
    result = subprocess.run(
        [sys.executable, "-c", code, module],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_list_of_modules_is_not_empty() -> None:
    found = headless_modules()
    assert "qa_tui.store.history" in found and "qa_tui.domain.evaluation" in found


def _contracts_for_existing_packages(target: Path) -> Path:
    """pyproject's import-linter contracts, leaving out packages not written yet."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = settings["tool"]["importlinter"]
    # Forbidding external packages (textual, rich) needs this; pyproject.toml lacks it so far.
    linter.setdefault("include_external_packages", True)
    for contract in linter["contracts"]:
        contract["source_modules"] = [m for m in contract["source_modules"] if _exists(m)]
    target.write_text(tomli_w.dumps({"tool": {"importlinter": linter}}), encoding="utf-8")
    return target


def test_import_linter_contracts_hold(tmp_path: Path) -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed")
    config = _contracts_for_existing_packages(tmp_path / "contracts.toml")
    result = subprocess.run(
        [exe, "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": f"{Path(exe).parent}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout
