"""The evaluations behind one bar of a dashboard chart, a page at a time from the database.

Pages of :data:`PAGE` rows (``]`` the next, ``[`` the one before; moving past the last row
loads the next page too): however many evaluations stand behind a bar, only one page is read.
Enter opens one (the editor for a draft, the summary for a completed one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from qa_tui.errors import QaError
from qa_tui.tui.messages import OpenEvaluation
from qa_tui.tui.text import Shown, line
from qa_tui.tui.widgets.table import Table
from qa_tui.vocab import STATUSES

if TYPE_CHECKING:
    from qa_tui.reports.dashboard import BehindRow
    from qa_tui.reports.model import ReportQuery
    from qa_tui.workspace import Workspace

PAGE = 100
COLUMNS = (  # what the bar counted comes first, so it shows at 80 columns
    ("case", "Case ref", 12),
    ("date", "Date", 10),
    ("detail", "Behind the bar", 22),
    ("overall", "Overall", 14),
    ("team", "Team", 22),
    ("auditor", "Auditor", 18),
    ("status", "Status", 9),
)


class BehindScreen(Screen[None]):
    """One page of the evaluations behind a bar; Enter opens one."""

    CSS_PATH = "dashboard.tcss"
    TITLE = "Evaluations behind a chart"
    HELP = (
        "The evaluations a bar of the dashboard counts, read from the database a page at a "
        "time: ] shows the next page, [ the one before. Enter opens the highlighted "
        "evaluation; Escape goes back to the dashboard."
    )
    BINDINGS = [
        Binding("enter", "open", "Open", id="behind.open", show=True),
        Binding("right_square_bracket", "page(1)", "Next page", id="behind.next"),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="behind.previous"),
        Binding("escape", "back", "Back", id="behind.back"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        query: ReportQuery,
        chart: str,
        key: str,
        title: str,
        counted: int | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.report_query = query
        self.chart = chart
        self.bar_key = key
        self.heading = title
        # The evaluations the bar itself counts (its n), when fewer may be listed: a
        # standard's bar leaves out those graded "not applicable", listed here last.
        self.counted = counted
        self.page_start = 0
        self.total: int | None = None
        self.rows: list[BehindRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Shown(self.heading, id="behind-title")
        yield Table(id="behind", cursor_type="row", zebra_stripes=True)
        yield Shown("Reading the database…", id="behind-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load(0)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_page(self, step: int) -> None:
        if self.total is None:
            return
        offset = self.page_start + step * PAGE
        if 0 <= offset < self.total:
            self.load(offset)

    @work(thread=True, exclusive=True, group="behind")
    def load(self, offset: int) -> None:
        from qa_tui.reports.dashboard import behind

        try:
            total, rows = self.workspace.read(
                behind, self.report_query, self.chart, self.bar_key, offset, PAGE
            )
        except QaError as err:
            self.app.call_from_thread(self._status, f"Not read: {err}")
            return
        self.app.call_from_thread(self._show, offset, total, rows)

    def _status(self, text: str) -> None:
        self.query_one("#behind-status", Shown).update(text)

    def _show(self, offset: int, total: int, rows: list[BehindRow]) -> None:
        self.page_start, self.total, self.rows = offset, total, rows
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            table.add_row(
                Text(line(row.case_reference, 12)),
                Text(row.evaluation_date),
                Text(line(row.detail, 22)),
                Text(line(row.overall, 14)),
                Text(line(row.team, 22)),
                Text(line(row.auditor, 18)),
                Text(STATUSES.get(row.status, row.status)),
                key=row.id,
            )
        if not total:
            self._status("No evaluation stands behind this bar.")
            return
        pages = (total + PAGE - 1) // PAGE
        page = offset // PAGE + 1
        outside = total - self.counted if self.counted is not None else 0
        left_out = f" ({outside:,} not applicable: listed last, not in the bar)" if outside else ""
        self._status(
            f"{offset + 1:,}–{offset + len(rows):,} of {total:,} evaluations{left_out} · "
            f"page {page} of {pages} (] next, [ previous) · Enter opens one"
        )

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.rows):
            row = self.rows[table.cursor_row]
            self.post_message(OpenEvaluation(row.id, row.status))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()
