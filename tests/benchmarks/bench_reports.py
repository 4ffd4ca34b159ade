"""Benchmark: the QA desk at scale — demo generation, the monthly report, the dashboard.

Not collected by pytest. Run (100,000 evaluations take a while and about 12 GB of disk):

    PYTHONPATH=. python tests/benchmarks/bench_reports.py --evaluations 100000 [--pg]
    PYTHONPATH=. python tests/benchmarks/bench_reports.py --reuse DIR ...   # keep/reuse data
    PYTHONPATH=. python tests/benchmarks/bench_reports.py --db URL   # an existing database
    PYTHONPATH=. python tests/benchmarks/bench_reports.py --evaluations N --demo-only

``--db URL`` (a ``sqlite:///`` or ``postgresql+psycopg://`` URL at this checkout's head
revision, e.g. the QA desk's shared 100,000 evaluations) skips the demo phase and measures the
report and the dashboard there. The measured phases open every database read-only
(``readonly_db.py``), whichever it is: a shared database is never written.

Each phase runs in its own process, so its time and peak memory are its own; every figure is
printed beside a baseline measured in the same run on the same data:

* **demo** — ``qa-tui demo --evaluations N`` (a process, piped: no bar) against a raw
  ``sqlite3`` ``executemany`` of the same rows into an empty database with the same indexes
  and the same page cache. Target: ≤ 3 × raw.
* **monthly report** — the board report for October 2026 built and rendered (HTML and XLSX),
  the process's own CPU time and peak memory, against the least a monthly report must do: one
  raw ``GROUP BY`` of the month's ratings by standard and grade (sqlite3 or psycopg). Targets:
  ≤ 2 s CPU (aim 0.5 s), ≤ 300 MB.
* **dashboard** — the real app headless: a filter change (a team, then every team, then a
  period) to the chart on show updated (its paint, at most a frame, not included), then to
  every chart drawn, against a bare Textual app whose Select change only echoes.
  Target: ≤ 300 ms.

With ``--pg`` the same data is copied into a throwaway PostgreSQL cluster (as the test suite
starts one) and the report and dashboard phases run there too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026-10"
TODAY = "2026-11-20"
CACHE = -262144  # what qa-tui demo gives SQLite: the same for the raw baseline


def _peak_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"phase {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- demo against raw executemany ------------------------------------------------------------


def phase_demo(work: Path, count: int) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa_tui",
            "demo",
            "--db",
            f"sqlite:///{work / 'demo.db'}",
            "--evaluations",
            str(count),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return {"seconds": time.perf_counter() - started}


def _tables(connection: sqlite3.Connection) -> list[str]:
    """The tables to copy: not the search index's (migration 0014), which the target's
    triggers fill from the rows copied, as the demo's were."""
    from qa_tui.store.followup_search import is_search_object

    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return [
        r[0]
        for r in rows
        if r[0] != "alembic_version" and not r[0].startswith("sqlite_")
        if not is_search_object(r[0])
    ]


def phase_raw(work: Path) -> dict[str, Any]:
    """The same rows, streamed from the demo database, into an empty migrated one with every
    index in place: only the executemany calls are timed."""
    from qa_tui.store.migrate import open_store

    target = work / "raw.db"
    target.unlink(missing_ok=True)
    open_store(f"sqlite:///{target}").dispose()
    source = sqlite3.connect(work / "demo.db")
    out = sqlite3.connect(target, isolation_level=None)
    out.execute("PRAGMA journal_mode=WAL")
    out.execute("PRAGMA synchronous=FULL")
    out.execute(f"PRAGMA cache_size={CACHE}")
    out.execute("DELETE FROM meta")
    spent, rows = 0.0, 0
    out.execute("BEGIN")
    for table in _tables(source):
        cursor = source.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cursor.description]
        sql = f"INSERT INTO {table} ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})"
        while batch := cursor.fetchmany(50_000):
            started = time.perf_counter()
            out.executemany(sql, batch)
            spent += time.perf_counter() - started
            rows += len(batch)
    started = time.perf_counter()
    out.execute("COMMIT")
    spent += time.perf_counter() - started
    out.close()
    target.unlink()
    return {"seconds": spent, "rows": rows}


# --- the monthly report -------------------------------------------------------------------------


def phase_report(url: str, out: Path) -> dict[str, Any]:
    import datetime as dt

    from qa_tui.reports.kinds import build
    from qa_tui.reports.model import ReportQuery
    from qa_tui.reports.period import parse_period
    from qa_tui.reports.render import render
    from qa_tui.store.migrate import open_store

    store = open_store(url, create=False)
    cpu, wall = _cpu(), time.perf_counter()
    query = ReportQuery(parse_period(PERIOD), today=dt.date.fromisoformat(TODAY))
    made = build(store, "monthly", query)
    built_cpu, built_wall = _cpu() - cpu, time.perf_counter() - wall
    for fmt in ("html", "xlsx"):
        (out / f"monthly.{fmt}").write_bytes(render(made, fmt))
    store.dispose()
    return {
        "build_cpu": built_cpu,
        "build_wall": built_wall,
        "cpu": _cpu() - cpu,
        "wall": time.perf_counter() - wall,
        "peak_mb": _peak_mb(),
        "completed": made.figures()[0].value,
    }


BASELINE_SQL = (
    "SELECT r.item_id, r.grade, count(*) FROM responses r "
    "JOIN evaluations e ON e.id = r.evaluation_id "
    "WHERE e.evaluation_date BETWEEN '2026-10-01' AND '2026-10-31' AND e.status = 'completed' "
    "AND r.grade <> '' GROUP BY r.item_id, r.grade"
)


def phase_baseline(url: str) -> dict[str, Any]:
    cpu, wall = _cpu(), time.perf_counter()
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rows = connection.execute(BASELINE_SQL).fetchall()
        connection.close()
    else:
        import psycopg

        with psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"),
            options="-c default_transaction_read_only=on",
        ) as connection:
            rows = connection.execute(BASELINE_SQL).fetchall()
    return {"cpu": _cpu() - cpu, "wall": time.perf_counter() - wall, "rows": len(rows)}


# --- the dashboard --------------------------------------------------------------------------


async def _dashboard(url: str) -> dict[str, Any]:
    import datetime as dt

    from textual.widgets import Input, Select

    from qa_tui.config import load_settings
    from qa_tui.tui.app import make_app
    from qa_tui.workspace import open_workspace
    from tests.tui.screens_setup import dashboard_drawn, home_loaded, wait_for

    now = dt.datetime.fromisoformat(f"{TODAY}T10:00:00+00:00")
    settings = load_settings().with_changes(auditor_name="Bench Auditor")
    app = make_app(
        settings, lambda: open_workspace(settings, url, clock=lambda: now), clock=lambda: now
    )
    times: dict[str, float] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await home_loaded(pilot)
        started = time.perf_counter()
        screen = await dashboard_drawn(pilot)
        times["first draw"] = time.perf_counter() - started
        team = screen.query_one("#team", Select)
        await wait_for(pilot, lambda: len(team._options) > 1, "the teams")

        async def until(ready: Any) -> None:
            # Polled with plain sleeps: a pilot pause waits for the screen to be idle, i.e.
            # for every chart still coming, and would time the first as the last.
            deadline = time.perf_counter() + 60
            while not ready() and time.perf_counter() < deadline:
                await asyncio.sleep(0.002)

        async def change(name: str, act: Any) -> None:
            loads, complete = screen.loads, screen.complete
            started = time.perf_counter()
            await act()
            await until(lambda: screen.loads > loads)
            times[f"{name}: the chart on show"] = time.perf_counter() - started
            await until(lambda: screen.complete > complete)
            await pilot.pause()
            times[f"{name}: every chart"] = time.perf_counter() - started

        async def choose(value: Any) -> None:
            team.value = value

        async def month() -> None:
            # Enter submitted as the key does, but not through pilot.press: that waits for the
            # app to be idle, i.e. for every chart, and would time them all as the first.
            period = screen.query_one("#period", Input)
            period.focus()
            period.value = PERIOD
            await period.action_submit()

        await change("one team", lambda: choose("CIN Team"))
        await change("every team", lambda: choose(Select.NULL))
        await change("a month", month)
    return times


async def _bare() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Select, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Select([("CIN Team", "CIN Team")], id="team")
            yield Static("", id="echo")

        def on_select_changed(self, event: Select.Changed) -> None:
            self.query_one("#echo", Static).update(str(event.value))
            self.changes = getattr(self, "changes", 0) + 1

    app = Bare()
    async with app.run_test(size=(160, 48)) as pilot:
        started = time.perf_counter()
        app.query_one(Select).value = "CIN Team"
        while getattr(app, "changes", 0) < 1:
            await pilot.pause(0.001)
        await pilot.pause()
        return {"echo": time.perf_counter() - started}


def phase_dashboard(url: str) -> dict[str, Any]:
    return asyncio.run(_dashboard(url))


def phase_bare() -> dict[str, Any]:
    return asyncio.run(_bare())


# --- PostgreSQL ------------------------------------------------------------------------------


def load_postgres(work: Path, url: str) -> float:
    """Copy the demo database into a migrated PostgreSQL one (setup, not a measured phase)."""
    import psycopg
    from sqlalchemy import Boolean

    from qa_tui.store.migrate import open_store
    from qa_tui.store.models import Base

    open_store(url).dispose()
    source = sqlite3.connect(work / "demo.db")
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute("DELETE FROM meta")
        for table in _tables(source):
            cursor = source.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            flags = [isinstance(Base.metadata.tables[table].c[c].type, Boolean) for c in columns]
            with connection.cursor().copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
                while batch := cursor.fetchmany(50_000):
                    for row in batch:
                        copy.write_row(
                            [
                                bool(v) if f and v is not None else v
                                for f, v in zip(flags, row, strict=True)
                            ]
                        )
        connection.execute("ANALYZE")
    return time.perf_counter() - started


# --- the run ---------------------------------------------------------------------------------


def _backend(name: str, url: str, work: Path, env: dict[str, str]) -> None:
    base = _child(env, "baseline", "--url", url)
    made = _child(env, "report", "--url", url, "--work", str(work))
    print(f"\n{name}: monthly report, {PERIOD} ({made['completed']:,} completed evaluations)")
    print(
        f"  baseline: one raw GROUP BY of the month's ratings   {base['cpu']:6.2f} s CPU, "
        f"{base['wall']:6.2f} s"
    )
    print(
        f"  report built                     {made['build_cpu']:6.2f} s CPU, "
        f"{made['build_wall']:6.2f} s"
        f"   ratio {made['build_wall'] / max(base['wall'], 1e-6):5.1f} × baseline"
    )
    print(
        f"  built + HTML + XLSX              {made['cpu']:6.2f} s CPU, {made['wall']:6.2f} s "
        f"(target ≤ 2 s CPU, aim 0.5 s)"
    )
    print(f"  peak memory                      {made['peak_mb']:6.0f} MB (target ≤ 300 MB)")
    bare = _child(env, "bare")
    dash = _child(env, "dashboard", "--url", url)
    print(f"{name}: dashboard (160×48), redraw after a filter change")
    print(f"  baseline: bare app echoing a Select   {bare['echo'] * 1000:7.0f} ms")
    for step, seconds in dash.items():
        print(f"  {step:<36} {seconds * 1000:7.0f} ms")
    print("  (target: the dashboard redrawn ≤ 300 ms after a filter change)")


def run(count: int, pg: bool, reuse: Path | None, demo_only: bool = False) -> None:
    work = reuse or Path(tempfile.mkdtemp(prefix="qa-tui-bench-reports-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_DATA_HOME": str(work / "data"),
        "PYTHONPATH": str(ROOT),
    }
    try:
        if not (work / "demo.db").exists():
            demo = _child(env, "demo", "--work", str(work), "--evaluations", str(count))
            raw = _child(env, "raw", "--work", str(work))
            print(f"demo: {count:,} evaluations, {raw['rows']:,} rows")
            print(f"  raw sqlite3 executemany, same rows and indexes   {raw['seconds']:8.1f} s")
            print(
                f"  qa-tui demo --evaluations {count}            {demo['seconds']:8.1f} s   "
                f"ratio {demo['seconds'] / raw['seconds']:4.2f} × raw (target ≤ 3)"
            )
        if demo_only:
            return
        _backend("SQLite", f"sqlite:///{work / 'demo.db'}", work, env)
        if pg:
            _run_pg(work, env)
    finally:
        if reuse is None:
            shutil.rmtree(work, ignore_errors=True)


def existing(url: str) -> None:
    """The report and dashboard phases on an existing database, read-only."""
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks.readonly_db import check_head

    check_head(url)
    with tempfile.TemporaryDirectory(prefix="qa-tui-bench-reports-") as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_DATA_HOME": str(work / "data"),
            "PYTHONPATH": str(ROOT),
        }
        name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        _backend(f"{name} ({url.split('@')[-1]})", url, work, env)


def _run_pg(work: Path, env: dict[str, str]) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.sync.pgcluster import find_bindir, start_cluster

    bindir = find_bindir()
    if bindir is None:
        print("\nPostgreSQL: skipped (no initdb/pg_ctl found)")
        return
    cluster = start_cluster(bindir)
    try:
        url = cluster.create_database("bench_reports")
        seconds = load_postgres(work, url)
        print(f"\nPostgreSQL (throwaway cluster): the demo rows copied in {seconds:.0f} s")
        _backend("PostgreSQL", url, work, env)
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument("--reuse", type=Path, help="a folder to keep (and reuse) the data in")
    parser.add_argument("--db", help="measure on this database (a URL), read-only: no demo")
    parser.add_argument(
        "--demo-only", action="store_true", help="only the demo and raw phases (no reports)"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        sys.path.insert(0, str(ROOT))
        if args.phase in ("report", "dashboard"):
            from tests.benchmarks.readonly_db import install

            install()  # measured read-only, whichever database
        work = Path(args.work) if args.work else Path(".")
        result = {
            "demo": lambda: phase_demo(work, args.evaluations),
            "raw": lambda: phase_raw(work),
            "report": lambda: phase_report(args.url, work),
            "baseline": lambda: phase_baseline(args.url),
            "dashboard": lambda: phase_dashboard(args.url),
            "bare": phase_bare,
        }[args.phase]()
        print(json.dumps(result))
        return
    if args.db:
        existing(args.db)
        return
    run(args.evaluations, args.pg, args.reuse, args.demo_only)


if __name__ == "__main__":
    main()
