"""Start-up: process start to the home screen drawn with the evaluations, vs a bare app.

Runs ``python -m qa_tui`` and ``python bare_app.py`` (Header, DataTable, Footer over the same
rows read with sqlite3) in a pseudo-terminal, alternately, and times each from spawn until the
first evaluation's case reference is on the screen. Prints medians and the ratio (target ≤ 1.5).

    python tests/benchmarks/bench_startup.py [--evaluations 2000] [--runs 7]

POSIX only (it uses a pty); a benchmark, not part of the product.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tomllib
from pathlib import Path

import tomli_w

HERE = Path(__file__).resolve().parent
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[@-_]|\x1b\][^\x07]*\x07")


def time_until_visible(
    argv: list[str], env: dict[str, str], needle: str, timeout: float = 60
) -> float:
    """Seconds from spawning ``argv`` in a 120×40 pty until ``needle`` is drawn."""
    start = time.perf_counter()
    child, fd = pty.fork()
    if child == 0:  # the child process
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    target = needle.encode()
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if target in ANSI.sub(b"", seen[-200_000:]):
                return time.perf_counter() - start
        raise RuntimeError(f"{argv[1:3]}: {needle!r} not drawn within {timeout}s")
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(fd)


def prepare(workdir: Path, evaluations: int) -> tuple[dict[str, str], str, Path]:
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(workdir / "config"),
        XDG_DATA_HOME=str(workdir / "data"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    db = workdir / "bench.db"
    url = f"sqlite:///{db}"
    run = [sys.executable, "-m", "qa_tui"]
    subprocess.run(
        [*run, "demo", "--db", url, "--evaluations", str(evaluations), "--seed", "3"],
        env=env,
        check=True,
        capture_output=True,
    )
    config = workdir / "config" / "qa-tui" / "config.toml"
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    settings.update(auditor_name="Bench Auditor", auditor_role="Team manager")
    config.write_text(tomli_w.dumps(settings), encoding="utf-8")
    listing = subprocess.run(
        [*run, "list", "--db", url, "--format", "json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    first = json.loads(listing.stdout)[0]["case_reference"]
    return env, first, db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env, needle, db = prepare(Path(tmp), args.evaluations)
        app_argv = [sys.executable, "-m", "qa_tui", "--db", f"sqlite:///{db}"]
        bare_argv = [sys.executable, str(HERE / "bare_app.py"), str(db)]
        lean_argv = [*bare_argv, "60"]
        for argv in (app_argv, bare_argv, lean_argv):  # warm the OS file cache and .pyc files
            time_until_visible(argv, env, needle)
        app_times, bare_times, lean_times = [], [], []
        for _ in range(args.runs):
            bare_times.append(time_until_visible(bare_argv, env, needle))
            lean_times.append(time_until_visible(lean_argv, env, needle))
            app_times.append(time_until_visible(app_argv, env, needle))
    app, bare = statistics.median(app_times), statistics.median(bare_times)
    lean = statistics.median(lean_times)
    print(f"start-up with {args.evaluations} evaluations, median of {args.runs} runs")
    print(f"  bare Textual app (Header, DataTable, Footer), all rows: {bare * 1000:7.0f} ms")
    print(f"  the same bare app with only the first 60 rows:          {lean * 1000:7.0f} ms")
    print(f"  qa-tui home screen with the evaluations:                {app * 1000:7.0f} ms")
    print(f"  ratio qa-tui / bare app:         {app / bare:.2f}  (target <= 1.50)")
    print(f"  ratio qa-tui / bare app, 60 rows: {app / lean:.2f}")


if __name__ == "__main__":
    main()
