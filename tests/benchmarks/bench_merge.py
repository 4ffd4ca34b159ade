"""Benchmark: merging a laptop's bundle into the central database, against a raw copy.

    PYTHONPATH=. python tests/benchmarks/bench_merge.py --evaluations 10000 [--small 50] [--pg]

Prints, for SQLite (and PostgreSQL with ``--pg``, on a throwaway cluster started like the test
suite's):

* the baseline: a raw ``executemany`` copy of the same rows into the same tables, with the
  target's indexes (and, for reference, without any secondary index on SQLite, and with one
  ``COPY`` a table on PostgreSQL);
* the first merge of the bundle into an empty central database and its ratio to the raw copy
  with indexes (target ≤ 2), the longest time one merge batch held the write lock (≤ 2 s);
* the exact re-merge (target ≤ 0.01 × merge) and the re-merge of the same content after the
  ledger forgot it (every change compared, nothing added);
* peak memory (VmHWM) of the export and merge processes, and the merge's with that of the
  process preparing its rows (a big bundle on SQLite), sampled together (target ≤ 200 MB);
* the common case: a bundle of ``--small`` evaluations from another laptop merged into the
  central database holding the big one, against the same bundle into an empty one (the cost
  should follow the bundle, not the database);
* bytes per evaluation of the central database, and on SQLite where they go (``dbstat``).

Each phase runs in its own process so its peak memory is its own.
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
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Every table a merge of the laptop's bundle writes rows to (what ``write_new`` inserts: the
# history, the derived state of every kind of record, and the writers the changes number),
# in an order their foreign keys accept: the raw copy copies the same rows. (Until
# 2026-12-02 it copied the first twelve alone: the tables added since, moderation, follow-up,
# planning and the board's (14 tables), and the writers, were left out of the baseline: about
# 80,000 of the 2.17 million rows.)
TABLES = (
    "writers",
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
    "action_updates",
    "concern_shares",
    "concern_events",
    "summary_shares",
    "lifecycle_events",
    "moderation_sessions",
    "session_moderators",
    "moderations",
    "moderation_judgements",
    "blind_grades",
    "plans",
    "plan_members",
    "allocations",
    "board_meetings",
    "board_actions",
    "board_action_updates",
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


def phase_make(work: Path, name: str, count: int, seed: int) -> dict[str, Any]:
    from qa_tui.config import load_settings
    from qa_tui.demo import generate
    from qa_tui.workspace import open_workspace

    settings = load_settings().with_changes(auditor_name="Bench Auditor")
    ws = open_workspace(settings, f"sqlite:///{work / f'{name}.db'}")
    started = time.perf_counter()
    made = generate(ws, count, seed)
    ws.close()
    return {"made": made, "seconds": time.perf_counter() - started, "device_id": settings.device_id}


def phase_export(work: Path, name: str) -> dict[str, Any]:
    from qa_tui.config import load_settings
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.handover import export_bundle
    from qa_tui.sync.keys import own_device_key

    settings = load_settings()
    store = open_store(f"sqlite:///{work / f'{name}.db'}")
    started = time.perf_counter()
    manifest = export_bundle(
        store,
        own_device_key(settings),
        settings.author,
        work / "qa.key.pub",
        work / f"{name}.qab",
        everything=True,
        include_demo=True,  # the demo data is the benchmark's workload
    ).manifest
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": _peak_mb(),
        "changes": manifest.changes,
        "bytes": (work / f"{name}.qab").stat().st_size,
    }


def phase_central(url: str, work: Path) -> dict[str, Any]:
    """Make ``url`` a central database with the bench's QA key and enrol this device."""
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.central import init_central

    store = open_store(url)
    init_central(store, None, existing_key=work / "qa.key")
    store.dispose()
    return phase_enrol(url)


def phase_enrol(url: str) -> dict[str, Any]:
    from qa_tui.config import load_settings
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.central import enrol_device
    from qa_tui.sync.keys import own_device_key

    store = open_store(url)
    key = own_device_key(load_settings())
    with store.session() as session:
        enrol_device(session, key.device_id, key.public_text, "bench laptop")
    store.dispose()
    return {}


def typed_history(work: Path, length: int = 3_000, step: int = 50) -> dict[str, int]:
    """Bytes of history of one evidence text typed to ``length`` characters with an autosave
    every ``step`` characters, against the same text saved once."""
    import uuid

    from sqlalchemy import func, select

    from qa_tui.domain import evaluation as ev
    from qa_tui.framework.loader import builtin_templates
    from qa_tui.store import models
    from qa_tui.store.history import Actor
    from qa_tui.store.migrate import open_store

    template = builtin_templates()[0]
    item = "standards_met"
    text = ("Child A was seen at home with the social worker; the plan was reviewed. " * 50)[
        :length
    ]
    out = {}
    for name, cuts in (("typed", range(step, length + 1, step)), ("once", [length])):
        store = open_store(f"sqlite:///{work / f'typed-{name}.db'}")
        actor = Actor("Bench Auditor", str(uuid.uuid4()))
        with store.session() as s:
            details = ev.CaseDetails(case_reference="LCS-123456", team="Locality North")
            evaluation_id = ev.create_evaluation(s, actor, template, details, ".*")
        for cut in cuts:
            with store.session() as s:
                ev.set_response(s, actor, template, evaluation_id, item, evidence=text[:cut])
        with store.reader() as s:
            c = models.Change
            out[f"{name}_changes"], out[f"{name}_bytes"] = s.execute(
                select(
                    func.count(),
                    func.sum(func.length(c.value) + func.coalesce(func.length(c.old_value), 0)),
                ).where(c.field == "evidence")
            ).fetchone()
        store.dispose()
    return out


def phase_sync(url: str, work: Path, count: int) -> dict[str, Any]:
    """A laptop with ``count`` new evaluations (real ones: sync leaves demo data behind)
    syncs directly with the central database at ``url``; how long that took."""
    from qa_tui.config import load_settings
    from qa_tui.domain import evaluation as ev
    from qa_tui.framework.loader import builtin_templates
    from qa_tui.store.history import Actor
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.direct import sync_now

    settings = load_settings().with_changes(auditor_name="Sync Auditor")
    store = open_store(f"sqlite:///{work / 'syncing.db'}")
    template = builtin_templates()[0]
    actor = Actor(settings.author, settings.device_id)
    for n in range(count):
        with store.session() as s:
            details = ev.CaseDetails(case_reference=f"LCS-{700000 + n}", team="Locality North")
            evaluation_id = ev.create_evaluation(s, actor, template, details, ".*")
            ev.set_response(
                s, actor, template, evaluation_id, "standards_met", grade="good", evidence="Seen."
            )
    started = time.perf_counter()
    report = sync_now(store, settings, url)
    seconds = time.perf_counter() - started
    assert report.pushed_evaluations == count, report.summary()
    store.dispose()
    return {"seconds": seconds}


def _forget_ledger(store: Any) -> None:
    """Make the central database forget it merged its bundles (the content stays)."""
    from sqlalchemy import delete

    from qa_tui.store.sync_models import MergedBundle

    with store.session() as session:
        session.execute(delete(MergedBundle))


def _resident_mb(pid: int | str) -> float:
    """A process's resident memory now (VmRSS; 0 if it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class _Together(threading.Thread):
    """The most resident memory this process and its children (a big merge prepares its
    rows in a process of its own: qa_tui.sync.preparer) held together, sampled every 10 ms
    (Linux; 0 elsewhere): their peaks, each measured alone, need not fall at one moment."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.done = 0.0, threading.Event()

    def run(self) -> None:
        tasks = Path("/proc/self/task")
        while tasks.exists() and not self.done.wait(0.01):
            children = set()
            for task in tasks.iterdir():
                try:
                    children.update((task / "children").read_text().split())
                except OSError:
                    continue
            total = _resident_mb("self") + sum(map(_resident_mb, children))
            self.peak = max(self.peak, total)


def phase_merge(url: str, work: Path, name: str, again: bool) -> dict[str, Any]:
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.central import merge_bundle_file

    store = open_store(url)
    bundle = work / f"{name}.qab"
    together = _Together()
    together.start()
    started, cpu = time.perf_counter(), time.process_time()
    report = merge_bundle_file(store, bundle, work / "qa.key", include_demo=True)
    first = time.perf_counter() - started
    together.done.set()
    together.join()
    out = {
        "seconds": first,
        "cpu": time.process_time() - cpu,  # this process's CPU time (the machine is shared)
        "peak_mb": _peak_mb(),
        "together_mb": together.peak,
        "longest_hold": getattr(report, "longest_hold", None),
        "batches": getattr(report, "batches", None),
        "transactions": getattr(report, "transactions", None),
    }
    assert report.new_changes
    if again:
        started = time.perf_counter()
        replay = merge_bundle_file(store, bundle, work / "qa.key", include_demo=True)
        out["remerge_seconds"] = time.perf_counter() - started
        assert replay.already_merged
        _forget_ledger(store)
        started = time.perf_counter()
        compared = merge_bundle_file(store, bundle, work / "qa.key", include_demo=True)
        out["compare_seconds"] = time.perf_counter() - started
        assert compared.new_changes == 0
    store.dispose()
    return out


def _rows(work: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    import sqlite3

    source = sqlite3.connect(work / "laptop.db")
    out = {}
    for table in TABLES:
        cursor = source.execute(f"SELECT * FROM {table}")
        out[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    source.close()
    return out


def _drop_secondary_indexes(target: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(target)
    names = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    for (index,) in names:
        connection.execute(f"DROP INDEX {index}")
    connection.commit()
    connection.close()


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


def raw_postgres(work: Path, url: str, copy: bool = False) -> float:
    """The baseline on PostgreSQL: the same rows with psycopg's ``executemany`` (or, with
    ``copy``, one ``COPY … FROM STDIN`` a table, as the merge writes new rows)."""
    import psycopg
    from sqlalchemy import Boolean

    from qa_tui.ids import id_text
    from qa_tui.store.models import Base, HistoryId

    def convert(kind: Any) -> Any:  # SQLite's values as PostgreSQL's columns take them
        if isinstance(kind, Boolean):
            return bool
        if isinstance(kind, HistoryId):
            return id_text  # 16 bytes in SQLite, a uuid's text for PostgreSQL
        return None

    rows = _rows(work)
    for table, (columns, data) in rows.items():
        kinds = [convert(Base.metadata.tables[table].c[c].type) for c in columns]
        rows[table] = (
            columns,
            [
                tuple(
                    to(v) if to is not None and v is not None else v
                    for to, v in zip(kinds, row, strict=True)
                )
                for row in data
            ],
        )
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table, (columns, data) in rows.items():
                if copy:
                    with cursor.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as out:
                        for row in data:
                            out.write_row(row)
                    continue
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


def _spread(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{sorted(values)[len(values) // 2]:8.2f} s (runs {low:.2f}–{high:.2f})"


def _report(
    name: str,
    raw: list[float],
    bare: list[float] | None,
    merge: list[dict[str, Any]],
    export: dict[str, Any],
) -> None:
    mid = sorted(raw)[len(raw) // 2]
    firsts = [m["seconds"] for m in merge]
    print(f"\n{name}")
    print(f"  raw copy with indexes     {_spread(raw)}")
    if bare:
        print(f"  raw copy, no indexes      {_spread(bare)}   (reference)")
    ratios = ", ".join(f"{s / mid:.2f}" for s in firsts)
    cpu = ", ".join(f"{m['cpu']:.2f}" for m in merge if m.get("cpu") is not None)
    print(
        f"  first merge               {_spread(firsts)}   ratio {ratios} × raw (target ≤ 2)"
        f"   CPU {cpu} s"
    )
    holds = [m["longest_hold"] for m in merge if m.get("longest_hold") is not None]
    if holds:
        batches, transactions = merge[0].get("batches"), merge[0].get("transactions")
        print(
            f"  longest write-lock hold   {max(holds):8.2f} s ({batches} batches in "
            f"{transactions} transactions; target ≤ 2)"
        )
    remerge = merge[0]["remerge_seconds"]
    print(
        f"  exact re-merge            {remerge:8.3f} s   "
        f"ratio {remerge / min(firsts):6.4f} × merge (target ≤ 0.01)"
    )
    compare = merge[0]["compare_seconds"]
    print(
        f"  same content, ledger cleared {compare:5.2f} s   ratio {compare / min(firsts):5.2f} "
        "× merge (every change compared, none added)"
    )
    peaks = ", ".join(f"{m['peak_mb']:.0f}" for m in merge)
    together = ", ".join(f"{m.get('together_mb', 0):.0f}" for m in merge)
    print(
        f"  peak memory: export {export['peak_mb']:.0f} MB, merge {peaks} MB; the merge and "
        f"the process preparing its rows together {together} MB (sampled; target ≤ 200)"
    )


def _report_small(
    count: int, large: int, into_empty: list[dict[str, Any]], into_large: list[dict[str, Any]]
) -> None:
    empty, full = [m["seconds"] for m in into_empty], [m["seconds"] for m in into_large]
    ratio = sorted(full)[len(full) // 2] / sorted(empty)[len(empty) // 2]
    cpu = ", ".join(f"{m['cpu']:.2f}" for m in into_empty)
    print(f"  {count} evaluations into an empty central database {_spread(empty)}   CPU {cpu} s")
    cpu = ", ".join(f"{m['cpu']:.2f}" for m in into_large)
    print(
        f"  {count} evaluations into one holding {large:,}     {_spread(full)}   "
        f"ratio {ratio:.2f} (target: ≈ 1, ≤ 2 s)   CPU {cpu} s"
    )


def _sizes(path: Path, count: int) -> None:
    import sqlite3

    size = path.stat().st_size
    print(f"  size: {size / 1e6:.1f} MB, {size / count / 1e3:.1f} KB an evaluation (target ≤ 40)")
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 10"
        ).fetchall()
        unused, pages = connection.execute("SELECT SUM(unused), SUM(pgsize) FROM dbstat").fetchone()
    except sqlite3.OperationalError:
        return  # a SQLite built without dbstat
    finally:
        connection.close()
    for table, used in rows:
        print(f"    {table:40s} {used / count / 1e3:6.1f} KB an evaluation")
    print(f"    pages' unused bytes: {unused / pages:.0%} of the file's pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=50, help="the common case's bundle")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing")
    parser.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument(
        "--keep", type=Path, help="copy the central SQLite database into this (new) folder"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--name", default="laptop", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--again", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        work = Path(args.work)
        result = {
            "make": lambda: phase_make(work, args.name, args.evaluations, args.seed),
            "export": lambda: phase_export(work, args.name),
            "central": lambda: phase_central(args.url, work),
            "enrol": lambda: phase_enrol(args.url),
            "merge": lambda: phase_merge(args.url, work, args.name, args.again),
            "sync": lambda: phase_sync(args.url, work, args.evaluations),
        }[args.phase]()
        print(json.dumps(result))
        return
    run(args.evaluations, args.small, max(1, args.repeat), args.pg, args.keep)


class Bench:
    """The work folder and the two laptops' environments (each its own device)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.big = self._env("big")
        self.small = self._env("small")
        self.syncing = self._env("syncing")

    def _env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "XDG_CONFIG_HOME": str(self.work / name / "config"),
            "XDG_DATA_HOME": str(self.work / name / "data"),
            "PYTHONPATH": str(ROOT),
        }

    def child(self, env: dict[str, str], *args: str) -> dict[str, Any]:
        return _child([args[0], "--work", str(self.work), *args[1:]], env)

    def central(self, url: str, *, small_only: bool = False) -> None:
        """A central database at ``url`` that trusts the big laptop and the small one."""
        self.child(self.small if small_only else self.big, "central", "--url", url)
        if not small_only:
            self.child(self.small, "enrol", "--url", url)


def run(count: int, small: int, repeat: int, pg: bool, keep: Path | None = None) -> None:
    work = Path(tempfile.mkdtemp(prefix="qa-tui-bench-"))
    bench = Bench(work)
    try:
        from qa_tui.sync.keys import create_qa_key

        create_qa_key(work / "qa.key")
        made = bench.child(bench.big, "make", "--evaluations", str(count))
        print(f"{made['made']} demo evaluations made in {made['seconds']:.1f} s")
        bench.child(
            bench.small, "make", "--evaluations", str(small), "--name", "small", "--seed", "2"
        )
        export = bench.child(bench.big, "export")
        bench.child(bench.small, "export", "--name", "small")
        print(
            f"export: {export['changes']} changes, {export['bytes'] / 1e6:.1f} MB bundle, "
            f"{export['seconds']:.2f} s, peak {export['peak_mb']:.0f} MB"
        )
        raw, bare, merges, large, empty = [], [], [], [], []
        for run_no in range(repeat):
            for indexed, times in ((True, raw), (False, bare)):
                target = work / f"raw{run_no}{indexed}.db"
                _migrated_empty(f"sqlite:///{target}")
                if not indexed:
                    _drop_secondary_indexes(target)
                times.append(raw_sqlite(work, target))
                target.unlink()
            central = work / f"central{run_no}.db"
            url = f"sqlite:///{central}"
            bench.central(url)
            merge_args = ["merge", "--url", url] + (["--again"] if run_no == 0 else [])
            merges.append(bench.child(bench.big, *merge_args))
            large.append(bench.child(bench.small, "merge", "--url", url, "--name", "small"))
            alone = f"sqlite:///{work / f'alone{run_no}.db'}"
            bench.central(alone, small_only=True)
            empty.append(bench.child(bench.small, "merge", "--url", alone, "--name", "small"))
            if run_no == 0:
                bench.child(bench.syncing, "enrol", "--url", url)
                synced = bench.child(bench.syncing, "sync", "--url", url, "--evaluations", "20")
            if run_no:
                central.unlink()
        _report(f"SQLite, {count:,} evaluations, {repeat} runs", raw, bare, merges, export)
        _report_small(small, count, empty, large)
        print(
            f"  direct sync of 20 new evaluations into it  {synced['seconds']:8.2f} s "
            "(one run; target ≤ 1 s)"
        )
        _sizes(work / "central0.db", count + small + 20)
        if keep is not None:
            keep.mkdir(parents=True)
            shutil.copy2(work / "central0.db", keep / "central.db")
        typed = typed_history(work)
        print(
            f"  typed: a 3,000-character evidence text autosaved every 50 characters leaves "
            f"{typed['typed_changes']} changes, {typed['typed_bytes'] / 1e3:.0f} KB of history "
            f"(saved once: {typed['once_changes']} change, {typed['once_bytes'] / 1e3:.1f} KB)"
        )
        if pg:
            _run_pg(bench, count, small, repeat, export)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_pg(bench: Bench, count: int, small: int, repeat: int, export: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.sync.pgcluster import find_bindir, start_cluster

    bindir = find_bindir()
    if bindir is None:
        print("\nPostgreSQL: skipped (no initdb/pg_ctl found)")
        return
    cluster = start_cluster(bindir)
    try:
        raw, copied, merges, large, empty = [], [], [], [], []
        for run_no in range(repeat):
            raw_url = cluster.create_database(f"bench_raw{run_no}")
            _migrated_empty(raw_url)
            raw.append(raw_postgres(bench.work, raw_url))
            copy_url = cluster.create_database(f"bench_copy{run_no}")
            _migrated_empty(copy_url)
            copied.append(raw_postgres(bench.work, copy_url, copy=True))
            url = cluster.create_database(f"bench_central{run_no}")
            bench.central(url)
            merge_args = ["merge", "--url", url] + (["--again"] if run_no == 0 else [])
            merges.append(bench.child(bench.big, *merge_args))
            large.append(bench.child(bench.small, "merge", "--url", url, "--name", "small"))
            alone = cluster.create_database(f"bench_alone{run_no}")
            bench.central(alone, small_only=True)
            empty.append(bench.child(bench.small, "merge", "--url", alone, "--name", "small"))
        _report(
            f"PostgreSQL (throwaway cluster, fsync off), {repeat} runs", raw, None, merges, export
        )
        mid = sorted(copied)[len(copied) // 2]
        ratios = ", ".join(f"{m['seconds'] / mid:.2f}" for m in merges)
        print(f"  raw COPY with indexes     {_spread(copied)}   (merge: {ratios} × this)")
        _report_small(small, count, empty, large)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
