"""Benchmark: export and merge of N demo evaluations, against a raw executemany baseline.

    PYTHONPATH=. python tests/benchmarks/bench_merge.py --evaluations 10000 [--pg]

Prints, for SQLite (and PostgreSQL with ``--pg``, on a throwaway cluster started like the test
suite's): the raw ``executemany`` copy of the same rows into the same tables, the first merge
of the bundle into an empty central database, the re-merge, their ratios, and the peak memory
(max RSS) of the export and merge processes. Targets: merge ≤ 3 × raw, re-merge ≤ 0.2 × merge,
peak memory ≤ 300 MB. Each phase runs in its own process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "changes",
    "change_links",
    "field_states",
    "evaluations",
    "participants",
    "responses",
    "entries",
    "scales",
    "feedback",
    "actions",
    "concern_shares",
    "lifecycle_events",
)


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"phase {args[0]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited at exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_make(work: Path, count: int) -> dict[str, Any]:
    from qa_tui.config import load_settings
    from qa_tui.demo import generate
    from qa_tui.workspace import open_workspace

    settings = load_settings().with_changes(auditor_name="Bench Auditor")
    ws = open_workspace(settings, f"sqlite:///{work / 'laptop.db'}")
    started = time.perf_counter()
    made = generate(ws, count, 1)
    ws.close()
    return {"made": made, "seconds": time.perf_counter() - started, "device_id": settings.device_id}


def phase_export(work: Path) -> dict[str, Any]:
    from qa_tui.config import load_settings
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.handover import export_bundle
    from qa_tui.sync.keys import own_device_key

    settings = load_settings()
    store = open_store(f"sqlite:///{work / 'laptop.db'}")
    started = time.perf_counter()
    manifest = export_bundle(
        store,
        own_device_key(settings),
        settings.author,
        work / "qa.key.pub",
        work / "bundle.qab",
        everything=True,
        include_demo=True,  # the demo data is the benchmark's workload
    )
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": _peak_mb(),
        "changes": manifest.changes,
        "bytes": (work / "bundle.qab").stat().st_size,
    }


def phase_central(url: str, work: Path, first: bool) -> dict[str, Any]:
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.central import enrol_device, init_central
    from qa_tui.sync.keys import own_device_key

    store = open_store(url)
    if first:
        init_central(store, work / "qa.key")
    else:
        init_central(store, work / "unused", existing_key=work / "qa.key")
    from qa_tui.config import load_settings

    key = own_device_key(load_settings())
    with store.session() as session:
        enrol_device(session, key.device_id, key.public_text, "bench laptop")
    store.dispose()
    return {}


def phase_merge(url: str, work: Path) -> dict[str, Any]:
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.central import merge_bundle_file

    store = open_store(url)
    started = time.perf_counter()
    report = merge_bundle_file(store, work / "bundle.qab", work / "qa.key", include_demo=True)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = merge_bundle_file(store, work / "bundle.qab", work / "qa.key", include_demo=True)
    second = time.perf_counter() - started
    assert report.new_changes and again.already_merged
    return {"seconds": first, "remerge_seconds": second, "peak_mb": _peak_mb()}


def _rows(work: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    import sqlite3

    source = sqlite3.connect(work / "laptop.db")
    out = {}
    for table in TABLES:
        cursor = source.execute(f"SELECT * FROM {table}")
        out[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    source.close()
    return out


def raw_sqlite(work: Path, target: Path) -> float:
    """The baseline: the same rows into the same (empty, migrated) tables with executemany."""
    import sqlite3

    rows = _rows(work)
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    started = time.perf_counter()
    connection.execute("BEGIN")
    for table, (columns, data) in rows.items():
        marks = ",".join("?" * len(columns))
        connection.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", data)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def raw_postgres(work: Path, url: str) -> float:
    import psycopg
    from sqlalchemy import Boolean

    from qa_tui.store.models import Base

    rows = _rows(work)
    for table, (columns, data) in rows.items():
        flags = [isinstance(Base.metadata.tables[table].c[c].type, Boolean) for c in columns]
        rows[table] = (
            columns,
            [
                tuple(
                    bool(v) if flag and v is not None else v
                    for flag, v in zip(flags, row, strict=True)
                )
                for row in data
            ],
        )
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table, (columns, data) in rows.items():
                marks = ",".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})",
                    data,
                )
        connection.commit()
        return time.perf_counter() - started


def _migrated_empty(url: str) -> None:
    from qa_tui.store.migrate import open_store

    open_store(url).dispose()


def _report(name: str, raw: float, merge: dict[str, Any], export: dict[str, Any]) -> None:
    print(f"\n{name}")
    print(f"  raw executemany copy     {raw:8.2f} s")
    print(
        f"  first merge              {merge['seconds']:8.2f} s   "
        f"ratio {merge['seconds'] / raw:5.2f} × raw (target ≤ 3)"
    )
    print(
        f"  re-merge                 {merge['remerge_seconds']:8.3f} s   "
        f"ratio {merge['remerge_seconds'] / merge['seconds']:5.3f} × merge (target ≤ 0.2)"
    )
    print(
        f"  peak memory: export {export['peak_mb']:.0f} MB, merge {merge['peak_mb']:.0f} MB "
        "(target ≤ 300)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        work = Path(args.work)
        result = {
            "make": lambda: phase_make(work, args.evaluations),
            "export": lambda: phase_export(work),
            "central": lambda: phase_central(args.url, work, not (work / "qa.key").exists()),
            "merge": lambda: phase_merge(args.url, work),
        }[args.phase]()
        print(json.dumps(result))
        return
    run(args.evaluations, args.pg)


def run(count: int, pg: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="qa-tui-bench-"))
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_DATA_HOME": str(work / "data"),
        "PYTHONPATH": str(ROOT),
    }
    try:
        made = _child(["make", "--work", str(work), "--evaluations", str(count)], env)
        print(f"{made['made']} demo evaluations made in {made['seconds']:.1f} s")
        central = f"sqlite:///{work / 'central.db'}"
        _child(["central", "--work", str(work), "--url", central], env)
        export = _child(["export", "--work", str(work)], env)
        print(
            f"export: {export['changes']} changes, {export['bytes'] / 1e6:.1f} MB bundle, "
            f"{export['seconds']:.2f} s, peak {export['peak_mb']:.0f} MB"
        )
        raw_target = work / "raw.db"
        _migrated_empty(f"sqlite:///{raw_target}")
        raw = raw_sqlite(work, raw_target)
        merge = _child(["merge", "--work", str(work), "--url", central], env)
        _report("SQLite", raw, merge, export)
        if pg:
            _run_pg(work, env, export)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_pg(work: Path, env: dict[str, str], export: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.sync.pgcluster import find_bindir, start_cluster

    bindir = find_bindir()
    if bindir is None:
        print("\nPostgreSQL: skipped (no initdb/pg_ctl found)")
        return
    cluster = start_cluster(bindir)
    try:
        raw_url = cluster.create_database("bench_raw")
        _migrated_empty(raw_url)
        raw = raw_postgres(work, raw_url)
        central = cluster.create_database("bench_central")
        _child(["central", "--work", str(work), "--url", central], env)
        merge = _child(["merge", "--work", str(work), "--url", central], env)
        _report("PostgreSQL (throwaway cluster, fsync off)", raw, merge, export)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
