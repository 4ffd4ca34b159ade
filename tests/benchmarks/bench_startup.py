"""Start-up: process start to the home screen drawn with the evaluations, vs a bare app.

Runs ``python -m qa_tui`` and ``python bare_app.py`` (Header, DataTable, Footer over the same
rows read with sqlite3) in a pseudo-terminal, alternately, and times each from spawn until the
first evaluation's case reference is on the screen. Prints medians and the ratio (target ≤ 1.5).

    python tests/benchmarks/bench_startup.py [--evaluations 2000] [--runs 7] [--db PATH|URL]

``--db`` reuses a database (e.g. the QA desk's 100,000 evaluations) instead of making a demo
one: a SQLite file (or ``sqlite:///`` URL) or a ``postgresql+psycopg://`` URL, at this
checkout's head revision. It is never written: the app runs through ``readonly_db.py`` (every
engine read-only), the baselines read it read-only too; the all-rows baseline is skipped
beyond 20,000 rows.

POSIX only (it uses a pty); a benchmark, not part of the product.
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import math
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


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system, every thread) process ``pid`` has used so far; NaN where
    there is no /proc (Linux only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_until_visible(
    argv: list[str], env: dict[str, str], needle: str, timeout: float = 60
) -> tuple[float, float]:
    """Seconds from spawning ``argv`` in a 120×40 pty until ``needle`` is drawn, and the CPU
    seconds the process had used by then (its own work, whatever the machine's load)."""
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
                return time.perf_counter() - start, cpu_seconds(child)
        raise RuntimeError(f"{argv[1:3]}: {needle!r} not drawn within {timeout}s")
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(fd)


def first_case(db: str) -> str:
    """The case reference both apps show first (newest first, as bare_app orders)."""
    sys.path.insert(0, str(HERE))
    from bare_app import QUERY, read

    return str(read(db, QUERY + " LIMIT 1")[0][1])


def evaluations(db: str) -> int:
    sys.path.insert(0, str(HERE))
    from bare_app import read

    return int(str(read(db, "SELECT COUNT(*) FROM evaluations")[0][0]))


def db_url(db: str) -> str:
    """A SQLite path as a URL; a URL as it is."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).resolve()}"


def environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(workdir / "config"),
        XDG_DATA_HOME=str(workdir / "data"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    return env


def identity(workdir: Path, env: dict[str, str]) -> None:
    """A user who has been through the first run (no identity dialog over the list)."""
    config = workdir / "config" / "qa-tui" / "config.toml"
    settings = tomllib.loads(config.read_text(encoding="utf-8")) if config.exists() else {}
    settings.update(auditor_name="Bench Auditor", auditor_role="Team manager")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(tomli_w.dumps(settings), encoding="utf-8")


def prepare(workdir: Path, evaluations: int) -> tuple[dict[str, str], str, str]:
    env = environment(workdir)
    db = workdir / "bench.db"
    url = f"sqlite:///{db}"
    run = [sys.executable, "-m", "qa_tui"]
    subprocess.run(
        [*run, "demo", "--db", url, "--evaluations", str(evaluations), "--seed", "3"],
        env=env,
        check=True,
        capture_output=True,
    )
    identity(workdir, env)
    return env, first_case(url), url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", help="reuse this database, read-only (SQLite path or URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db is not None:
            url = db_url(args.db)
            from readonly_db import check_head  # beside this script

            check_head(url)
            env, needle = environment(Path(tmp)), first_case(url)
            identity(Path(tmp), env)
        else:
            env, needle, url = prepare(Path(tmp), args.evaluations)
        count = evaluations(url)
        byte_compile()
        # Through readonly_db.py: the same as ``python -m qa_tui``, every engine read-only.
        app_argv = [sys.executable, str(HERE / "readonly_db.py"), "--db", url]
        bare_argv = [sys.executable, str(HERE / "bare_app.py"), url]
        lean_argv = [*bare_argv, "60"]
        runs = [("lean", lean_argv), ("app", app_argv)]
        if count <= 20_000:  # every row in a DataTable: seconds beyond
            runs.insert(0, ("bare", bare_argv))
        for _, argv in runs:  # warm the OS file cache
            time_until_visible(argv, env, needle)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in runs}
        for _ in range(args.runs):
            for name, argv in runs:
                times[name].append(time_until_visible(argv, env, needle))
    report(times, url, count, args.runs)


def byte_compile() -> None:
    """Compile qa-tui's modules to .pyc as installing it does (Textual's are compiled in
    site-packages): a shell with PYTHONDONTWRITEBYTECODE set would otherwise have every run
    compile the app from source, the bare app not."""
    import qa_tui

    compileall.compile_dir(Path(qa_tui.__file__).parent, quiet=1)


def report(times: dict[str, list[tuple[float, float]]], url: str, count: int, runs: int) -> None:
    wall = {name: statistics.median(w for w, _ in values) for name, values in times.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in times.items()}
    where = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"start-up on {where} with {count:,} evaluations, median of {runs} runs")
    print(f"  load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("  to the first evaluation drawn:                      wall ms   process CPU ms")
    labels = {
        "bare": "bare Textual app (Header, DataTable, Footer), all rows",
        "lean": "the same bare app with only the first 60 rows",
        "app": "qa-tui home screen with the evaluations",
    }
    for name in times:
        print(f"  {labels[name] + ':':<52} {wall[name] * 1000:7.0f}   {cpu[name] * 1000:7.0f}")
    if "bare" in wall:
        print(f"  ratio qa-tui / bare app:         {wall['app'] / wall['bare']:.2f}")
    print(
        f"  ratio qa-tui / bare app, 60 rows: {wall['app'] / wall['lean']:.2f} wall"
        f"  (target <= 1.50), {cpu['app'] / cpu['lean']:.2f} CPU"
    )
    for name, values in times.items():
        print(
            f"  {name} runs (wall/CPU ms): "
            + " ".join(f"{w * 1000:.0f}/{c * 1000:.0f}" for w, c in values)
        )


if __name__ == "__main__":
    main()
