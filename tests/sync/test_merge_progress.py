"""``qa-tui merge`` on a terminal: a progress bar per bundle on stderr, then one summary line
per bundle on stdout; piped, no bar at all (a real process, its stderr a pseudo-terminal)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.helpers import Laptop, make_central

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX"),
]


def _bundles(sqlite_db, tmp_path: Path) -> tuple[str, list[Path]]:
    laptops = [Laptop(sqlite_db(), tmp_path, name) for name in ("Alex Auditor", "Sam Senior")]
    for n, laptop in enumerate(laptops):
        for k in range(3):
            laptop.new_evaluation(f"ABC-{10000 + 10 * n + k}")
    central = make_central(sqlite_db(), tmp_path / "qa.key", *laptops)
    url = central.url
    central.dispose()
    public = tmp_path / "qa.key.pub"
    paths = [lap.export(public, tmp_path / f"laptop{n}.qab") for n, lap in enumerate(laptops)]
    for laptop in laptops:
        laptop.store.dispose()
    return url, paths


def _merge(url: str, key: Path, paths: list[Path], stderr: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "qa_tui", "merge", "--into", url, "--key", str(key)]
    return subprocess.Popen(
        [*command, *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=stderr,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_bar_per_bundle_on_a_terminal_and_a_line_each(sqlite_db, tmp_path: Path) -> None:
    import pty

    url, paths = _bundles(sqlite_db, tmp_path)
    master, slave = pty.openpty()
    child = _merge(url, tmp_path / "qa.key", paths, slave)
    os.close(slave)
    shown = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        shown += data
    out, _ = child.communicate(timeout=120)
    os.close(master)
    assert child.returncode == 0
    bar = shown.decode(errors="replace")
    for path in paths:
        assert path.name in bar, bar  # each bundle's bar is labelled with its file
    assert "100%" in bar, bar
    lines = out.decode().splitlines()
    assert [line.split(": ")[0] for line in lines] == [str(p) for p in paths], lines
    assert all(re.search(r"merged 3 evaluations: .* in \d+\.\d s$", line) for line in lines), lines


def test_no_bar_when_piped(sqlite_db, tmp_path: Path) -> None:
    url, paths = _bundles(sqlite_db, tmp_path)
    child = _merge(url, tmp_path / "qa.key", paths, subprocess.PIPE)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and err == b"", err
    assert len(out.decode().splitlines()) == len(paths)
