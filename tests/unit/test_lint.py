"""The code stays as the team agreed: ruff-clean, ruff-formatted, and mypy-clean in the core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_check_is_clean() -> None:
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_ruff_format_is_applied() -> None:
    done = _run("ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_mypy_is_clean_on_the_core() -> None:
    done = _run("mypy")  # packages and options: [tool.mypy] in pyproject.toml
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
