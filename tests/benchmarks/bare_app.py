"""The baseline for bench_startup: a bare Textual app (Header, DataTable, Footer).

It reads the same evaluations read-only, with the standard library's sqlite3 (psycopg for a
PostgreSQL URL), and shows them, started the same way as qa-tui (``python FILE DB [LIMIT]``,
DB a SQLite file or URL, or a PostgreSQL URL; LIMIT reads only the first rows, in SQL, as a
stricter baseline: qa-tui itself reads a large list a page at a time). Newest first, in the
order qa-tui shows by default.
"""

from __future__ import annotations

import sqlite3
import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

QUERY = (
    "SELECT status, case_reference, service_area, team, practitioner, evaluation_date, "
    "overall_grade FROM evaluations WHERE NOT deleted "
    "ORDER BY evaluation_date DESC, id DESC"
)


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, db_path: str, limit: int | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.limit = limit

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Status", "Case", "Service area", "Team", "Practitioner", "Date", "Grade")
        limit = "" if self.limit is None else f" LIMIT {int(self.limit)}"
        rows = read(self.db_path, QUERY + limit)
        table.add_rows([tuple(str(v or "") for v in row) for row in rows])


def read(db: str, query: str) -> list[tuple[object, ...]]:
    """The rows of ``query`` from a SQLite file (opened read-only) or a PostgreSQL URL (with
    psycopg, as the standard library's sqlite3 reads the file: no SQLAlchemy)."""
    if db.startswith("postgresql"):
        import psycopg

        url = db.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, options="-c default_transaction_read_only=on") as connection:
            return list(connection.execute(query))
    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute(query).fetchall()


if __name__ == "__main__":
    BareApp(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None).run()
