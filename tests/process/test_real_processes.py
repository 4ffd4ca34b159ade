"""Real processes: ``python -m qa_tui`` end to end, and a program that ends while the writer
still holds its last write. Slower than the unit tier (each starts an interpreter), so they
live here and carry the ``slow`` mark; the README's ``python -m pytest`` runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.data.test_cli import _corrupt, url

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_python_dash_m_in_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    db = url(tmp_path / "real.db")
    made = subprocess.run(
        [sys.executable, "-m", "qa_tui", "demo", "--db", db, "--evaluations", "8", "--seed", "5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "qa_tui", "list", "--db", db, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 8
    broken = subprocess.run(
        [sys.executable, "-m", "qa_tui", "list", "--db", _corrupt(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert broken.returncode == 1
    assert len(broken.stderr.strip().splitlines()) == 1
    assert "Traceback" not in broken.stderr


def test_a_command_imports_its_own_module_only() -> None:
    """``qa-tui report`` loads qa_tui.cli.report and none of the other commands' modules."""
    program = (
        "import sys\n"
        "from qa_tui.cli import main\n"
        "main(['report', '--help'], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith('qa_tui.cli.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "['qa_tui.cli.common', 'qa_tui.cli.report']"


def test_the_process_waits_for_the_last_write(tmp_path: Path) -> None:
    """A program that hands a write over and ends at once (nobody closed the writer) still
    finds it on disk: the exit hook waits for the writer."""
    target = tmp_path / "last-write.txt"
    program = (
        "import time\n"
        "from qa_tui.services.writer import Writer\n"
        "w = Writer()\n"
        f"w.submit(lambda: (time.sleep(0.3), open({str(target)!r}, 'w').write('kept')), None)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", program], check=True, timeout=30, env=env)
    assert target.read_text() == "kept"
