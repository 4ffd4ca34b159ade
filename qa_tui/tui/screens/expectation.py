"""The monthly expectation: who has completed their collaborative evaluation this month and
who has not, by service and team, and a reminder email draft for those not done."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qa_tui.domain.expectation import Month, month_of
from qa_tui.errors import QaError
from qa_tui.services.planning import PlanningService
from qa_tui.tui.text import line
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from qa_tui.domain.expectation import Expected
    from qa_tui.workspace import Workspace

COLUMNS = (
    ("service", "Service area"),
    ("team", "Team"),
    ("name", "Manager"),
    ("done", "Completed"),
    ("state", "This month"),
)


class ExpectationScreen(Screen[None]):
    """Each manager's month; [ and ] move a month, m writes the reminder draft."""

    CSS_PATH = "planning.tcss"
    TITLE = "Monthly expectation"
    HELP = (
        "Every manager completes one collaborative evaluation a month, inside or outside "
        "their own line. This lists the managers named in plans' review groups, by service "
        "and team, with how many collaborative (or practice-day) evaluations each completed "
        "in the month, as this database holds them — on the QA desk, as laptops sync. "
        "[ and ] move a month back and forward. m writes a reminder email draft (.eml) to "
        "your documents folder for those not done yet: open it in your mail client, address "
        "it and send it (qa-tui never sends it)."
    )
    BINDINGS = [
        Binding("left_square_bracket", "month(-1)", "Month before", id="expectation.before"),
        Binding("right_square_bracket", "month(1)", "Month after", id="expectation.after"),
        Binding("m", "reminder", "Reminder draft", id="expectation.reminder"),
        Binding("escape", "back", "Back", id="expectation.back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = PlanningService(workspace)
        self.month = month_of(workspace.clock().astimezone().date())
        self.rows: list[Expected] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Table(id="expected", cursor_type="row", zebra_stripes=True)
        yield Static("Reading…", id="expectation-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.load(self.month)

    def on_screen_resume(self) -> None:
        if self.loaded:  # back from another screen; the first showing follows the mount's read
            self.load(self.month)

    @work(thread=True, exclusive=True, group="expectation")
    def load(self, month: Month) -> None:
        try:
            found, rows = self.service.expectation(month)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._show, found, rows)

    def _show(self, month: Month, rows: list[Expected]) -> None:
        self.month, self.rows = month, rows
        self.sub_title = month.label
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            cells = (
                line(r.service_area, 30),
                line(r.team, 30),
                line(r.name, 30),
                str(r.completed),
                "done" if r.met else "not yet",
            )
            style = "" if r.met else "bold"
            table.add_row(*(Text(c, style=style) for c in cells))
        self.loaded = True
        done = sum(1 for r in rows if r.met)
        self.query_one("#expectation-status", Static).update(
            f"{month.label}: {done} of {len(rows)} managers have completed theirs · "
            "m writes a reminder draft"
            if rows
            else f"{month.label}: no managers named yet (name them in a plan's review group)"
        )

    def action_month(self, step: int) -> None:
        day = self.month.first if step < 0 else self.month.last
        self.load(month_of(day + dt.timedelta(days=step)))

    def action_reminder(self) -> None:
        if self.loaded:
            self.write_reminder(self.month, list(self.rows))

    @work(thread=True, group="expectation-write")
    def write_reminder(self, month: Month, rows: list[Expected]) -> None:
        from qa_tui.documents.files import write_document
        from qa_tui.documents.reminder import reminder_eml

        folder = self.workspace.settings.documents_path
        path = folder / f"reminder-{month.first:%Y-%m}.eml"
        try:
            write_document(path, reminder_eml(month, rows))
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(
            self.app.notify, f"Reminder draft saved: {path} (open it in your mail client)"
        )

    def action_back(self) -> None:
        self.app.pop_screen()
