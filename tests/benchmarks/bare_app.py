"""The baseline for bench_startup: a bare Textual app (Header, DataTable, Footer).

It reads the same evaluations with the standard library's sqlite3 and shows them, started the
same way as qa-tui (``python FILE DB [LIMIT]``; LIMIT reads only the first rows, in SQL, as a
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
        with sqlite3.connect(self.db_path) as connection:
            rows = connection.execute(QUERY + limit).fetchall()
        table.add_rows([tuple(str(v or "") for v in row) for row in rows])


if __name__ == "__main__":
    BareApp(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None).run()
