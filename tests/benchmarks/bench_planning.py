"""Benchmark: planning at the scale of a local authority's case list, each figure beside a
baseline measured in the same run.

Not collected by pytest. Run:

    PYTHONPATH=. python tests/benchmarks/bench_planning.py [--rows 200000] [--pg]

* import: a 200,000-row case-list CSV (Excel's BOM, semicolons, CRLF, a quoted line break
  every thousand rows, dates day first) read, checked and written by
  :class:`~qa_tui.services.planning.PlanningService` (``qa-tui cases import``) into a migrated
  SQLite database; baseline: the same file through ``csv.reader`` and one ``executemany``
  into a table of the same columns, without checks. Target ≤ 20 s.
* sample: a stratified sample of 500 from the 200,000 (by team), reading the frame from the
  database and drawing it. Baseline: reading the frame's columns alone. Target ≤ 1 s.
* allocate: 300 cases to 60 managers under every rule (balanced, outside own line, never a
  supervisee). Baseline: a round-robin of the 300 to the 60. Target ≤ 1 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TEAMS = [f"Team {n}" for n in range(1, 41)]
AREAS = ["Children in Need", "Child Protection", "Children in Care", "Early Help"]
CATEGORIES = ["CIN", "CP", "CLA", "EH"]


def make_csv(path: Path, rows: int) -> None:
    """A messy, realistic export: BOM, semicolons, CRLF, quoted line breaks."""
    rng = random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Case Reference",
            "Service Area",
            "Team",
            "Allocated Worker",
            "Category",
            "Open Date",
            "Close Date",
            "Notes",
        ]
    )
    for i in range(rows):
        note = "first line\r\nsecond line" if i % 1000 == 0 else ""
        closed = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026" if i % 5 == 0 else ""
        writer.writerow(
            [
                f"LCS-{i:07d}",
                AREAS[i % 4],
                TEAMS[rng.randrange(40)],
                f"Worker {rng.randrange(900)}",
                CATEGORIES[rng.randrange(4)],
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
                closed,
                note,
            ]
        )
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())


def baseline_import(path: Path, db: Path) -> float:
    start = time.perf_counter()
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    next(reader)
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE c (reference TEXT PRIMARY KEY, service_area TEXT, team TEXT, worker TEXT,"
        " category TEXT, opened_on TEXT, closed_on TEXT, extra TEXT)"
    )
    con.executemany("INSERT INTO c VALUES (?,?,?,?,?,?,?,?)", reader)
    con.commit()
    con.close()
    return time.perf_counter() - start


def _workspace(url: str) -> Workspace:
    from qa_tui.config import load_settings
    from qa_tui.workspace import open_workspace

    return open_workspace(load_settings(), url, create=True)


def bench_import(path: Path, url: str) -> tuple[float, int]:
    from qa_tui.services.planning import PlanningService, read_file

    ws = _workspace(url)
    try:
        start = time.perf_counter()
        checked = read_file(path)
        written = PlanningService(ws).import_cases(checked)
        return time.perf_counter() - start, written
    finally:
        ws.close()


def bench_sample(url: str) -> tuple[float, float, str]:
    from sqlalchemy import select

    from qa_tui.services.planning import PlanningService
    from qa_tui.store import models

    ws = _workspace(url)
    try:
        start = time.perf_counter()
        with ws.store.reader() as s:
            c = models.CaseRecord
            s.execute(select(c.reference, c.team)).all()
        base = time.perf_counter() - start
        start = time.perf_counter()
        drawn = PlanningService(ws).sample("cases", 500, 4711, "team")
        return time.perf_counter() - start, base, drawn.describe()
    finally:
        ws.close()


def bench_allocate() -> tuple[float, float]:
    from qa_tui.domain.allocation import CaseToAllocate, Manager, allocate, key

    rng = random.Random(3)
    managers = [
        Manager(
            f"Manager {i}", TEAMS[i % 40], frozenset({key(f"Worker {i}"), key(f"Worker {i + 60}")})
        )
        for i in range(60)
    ]
    cases = [
        CaseToAllocate(f"LCS-{i:07d}", TEAMS[rng.randrange(40)], f"Worker {rng.randrange(120)}")
        for i in range(300)
    ]
    start = time.perf_counter()
    {c.reference: managers[i % 60].name for i, c in enumerate(cases)}
    base = time.perf_counter() - start
    start = time.perf_counter()
    found = allocate(cases, managers)
    took = time.perf_counter() - start
    assert len(found) == 300
    return took, base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--pg", metavar="URL", default="", help="Also import into this database.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "cases.csv"
        make_csv(path, args.rows)
        size = path.stat().st_size / 1e6
        base = baseline_import(path, folder / "baseline.db")
        url = f"sqlite:///{folder / 'qa.db'}"
        took, written = bench_import(path, url)
        print(
            f"import {written:,} rows ({size:.1f} MB): {took:.2f} s (target ≤ 20 s); "
            f"baseline csv+executemany {base:.2f} s; ratio {took / base:.1f}x"
        )
        if args.pg:
            took_pg, _ = bench_import(path, args.pg)
            print(f"import into PostgreSQL: {took_pg:.2f} s")
        sample, frame, what = bench_sample(url)
        print(
            f"stratified sample ({what}): {sample:.3f} s (target ≤ 1 s); "
            f"baseline reading the frame {frame:.3f} s; ratio {sample / frame:.1f}x"
        )
    took, base = bench_allocate()
    print(
        f"allocate 300 cases to 60 managers: {took:.3f} s (target ≤ 1 s); "
        f"baseline round-robin {base * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
