"""Copy a qa-tui SQLite database into a new PostgreSQL database, for the benchmarks at scale.

Not collected by pytest, and not part of the product (the product moves data between
databases only through bundles and sync). Building 100,000 demo evaluations takes over an hour
here; copying one already built takes minutes. Run:

    PYTHONPATH=. python tests/benchmarks/copy_to_pg.py SQLITE_FILE POSTGRES_URL
    PYTHONPATH=. python tests/benchmarks/copy_to_pg.py SQLITE_FILE --start-cluster DIR

The target database must be new; its schema is made by the product's own migrations (so
both sit at the same revision, which is checked), its secondary indexes are dropped while the
rows stream in by ``COPY`` and made again afterwards, and every table's row count is compared
at the end. With ``--start-cluster DIR`` a PostgreSQL cluster is initialised in DIR (kept
running; its URL printed and written to DIR/url.txt).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CHUNK = 20_000


def start_cluster(folder: Path) -> str:
    """A PostgreSQL cluster in ``folder`` on a free loopback port, left running."""
    sys.path.insert(0, str(ROOT / "tests" / "sync"))
    import pgcluster

    bindir = pgcluster.find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries found")
    cluster = pgcluster.start_cluster(bindir)
    url = cluster.create_database("central")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "url.txt").write_text(f"{url}\n{cluster.base}\n", encoding="utf-8")
    return url


def schema_at_head(url: str) -> str:
    from qa_tui.store.migrate import open_store

    store = open_store(url)
    store.engine.dispose()
    from qa_tui.store.migrate import head_revision

    return head_revision()


def copy(sqlite_file: Path, url: str) -> None:
    import psycopg

    from qa_tui.ids import id_text
    from qa_tui.store.models import Base, HistoryId

    source = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    (revision,) = source.execute("select version_num from alembic_version").fetchone()
    head = schema_at_head(url)
    if revision != head:
        raise SystemExit(f"{sqlite_file} is at {revision}, this code at {head}")
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        indexes = conn.execute(
            "select indexname, indexdef from pg_indexes where schemaname = 'public' "
            "and indexname not in (select conname from pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'drop index "{name}"')
        conn.commit()
        # The rows as they are, tables kept by triggers (blind_units) included: no trigger
        # fires while they stream in (nor a foreign key check), for this connection only.
        conn.execute("set session_replication_role = replica")
        for table in Base.metadata.sorted_tables:
            started = time.perf_counter()
            columns = [c.name for c in table.columns]
            # the change log's ids: 16 bytes in SQLite, a uuid's text for PostgreSQL's COPY
            ids = {i for i, c in enumerate(table.columns) if isinstance(c.type, HistoryId)}
            quoted = ", ".join(f'"{c}"' for c in columns)
            cursor = source.execute(f'select {quoted} from "{table.name}"')
            count = 0
            conn.execute(f'delete from "{table.name}"')  # what opening the store wrote (meta)
            with conn.cursor() as cur, cur.copy(f'copy "{table.name}" ({quoted}) from stdin') as cp:
                while rows := cursor.fetchmany(CHUNK):
                    for row in rows:
                        if ids:
                            row = tuple(
                                id_text(v) if i in ids and v is not None else v
                                for i, v in enumerate(row)
                            )
                        cp.write_row(row)
                    count += len(rows)
            conn.commit()
            print(f"{table.name:32} {count:>12,} rows {time.perf_counter() - started:8.1f} s")
        started = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        print(f"indexes made again in {time.perf_counter() - started:.1f} s")
        conn.autocommit = True
        conn.execute("vacuum analyze")
        for table in Base.metadata.sorted_tables:
            (want,) = source.execute(f'select count(*) from "{table.name}"').fetchone()
            (have,) = conn.execute(f'select count(*) from "{table.name}"').fetchone()
            if want != have:
                raise SystemExit(f"{table.name}: {have} rows copied of {want}")
    print("row counts equal in every table")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sqlite_file", type=Path)
    parser.add_argument("url", nargs="?", help="an empty PostgreSQL database")
    parser.add_argument("--start-cluster", type=Path, metavar="DIR")
    args = parser.parse_args()
    url = args.url or (start_cluster(args.start_cluster) if args.start_cluster else None)
    if url is None:
        parser.error("give a PostgreSQL URL or --start-cluster DIR")
    print(url, flush=True)
    copy(args.sqlite_file, url)


if __name__ == "__main__":
    main()
