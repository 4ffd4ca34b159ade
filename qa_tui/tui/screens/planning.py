"""Planning the programme: the plans (practice days, dip samples, thematic evaluations), newest
first, and the imported case list they draw on (the palette's "Planning the programme")."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from qa_tui.errors import QaError, ValidationError
from qa_tui.services.planning import PlanningService
from qa_tui.tui.dialogs.plan_form import Form, PlanFormDialog
from qa_tui.tui.messages import ImportProgress, Navigate
from qa_tui.tui.screens.plan_forms import IMPORT, NEW_PLAN
from qa_tui.tui.text import line
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from qa_tui.domain.case_import import CaseList
    from qa_tui.domain.plan_views import PlanRow
    from qa_tui.services.writer import Writer
    from qa_tui.workspace import Workspace

COLUMNS = (
    ("date", "Date"),
    ("kind", "Kind"),
    ("status", "Status"),
    ("done", "Done"),
    ("title", "Plan"),
)
SHORT_KIND = {"practice_day": "Practice day", "dip_sample": "Dip sample", "thematic": "Thematic"}
TELL_EVERY = 0.1  # seconds: an import's progress reaches the screen at most this often


class Teller:
    """Hands a worker's progress to the screen as :class:`ImportProgress` messages, at most
    one every :data:`TELL_EVERY` seconds (and always the last), so a 200,000-row import does
    not flood the message queue."""

    def __init__(self, screen: Screen[None], total: int) -> None:
        self.screen, self.total, self.last = screen, total, 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if done >= self.total or now - self.last >= TELL_EVERY:
            self.last = now
            self.screen.post_message(ImportProgress(done, self.total))


class PlanningHome(Screen[None]):
    """The plans; Enter opens one, n plans a new one, i imports a case list."""

    CSS_PATH = "planning.tcss"
    TITLE = "Planning"
    HELP = (
        "The programme of evaluations the framework plans: practice days (and fortnights) "
        "with their review group and allocations, dip samples drawn to test a hypothesis, "
        "and thematic evaluations with their terms of reference and findings. n plans a new "
        "one, Enter opens it. i imports a case list exported from the case-management "
        "system (CSV; case references only, never names): it is checked and previewed "
        "first, with every problem by line, and nothing is imported until it is clean or "
        "you choose to leave the bad lines out. e shows the monthly expectation: who has "
        "completed their collaborative evaluation this month. Plans sync like evaluations: "
        "allocations reach each manager's laptop at their next sync."
    )
    BINDINGS = [
        Binding("enter", "open", "Open", id="planning.open", show=False),
        Binding("n", "new_plan", "New plan", id="planning.new"),
        Binding("i", "import_cases", "Import cases", id="planning.import"),
        Binding("e", "expectation", "This month", id="planning.expectation"),
        Binding("r", "reload", "Reload", id="planning.reload", show=False),
    ]

    def __init__(self, workspace: Workspace, writer: Writer) -> None:
        super().__init__()
        self.workspace = workspace
        self.writer = writer
        self.service = PlanningService(workspace)
        self.rows: list[PlanRow] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Table(id="plans", cursor_type="row", zebra_stripes=True)
        yield Static("Reading the plans…", id="planning-status")
        yield ProgressBar(id="import-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.query_one(ProgressBar).display = False
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:  # back from another screen; the first showing follows the mount's read
            self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="planning-home")
    def load(self) -> None:
        try:
            rows, cases = self.service.plans(), self.service.case_count()
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._show, rows, cases)

    def _show(self, rows: list[PlanRow], cases: int) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            cells = (
                r.starts_on.isoformat() if r.starts_on else "",
                SHORT_KIND.get(r.kind, r.kind),
                r.status_label,
                f"{r.done} of {r.cases}",
                line(r.title, 80),
            )
            table.add_row(*(Text(c) for c in cells), key=r.id)
        self.loaded = True
        listed = f"case list: {cases:,} cases" if cases else "no case list imported (i)"
        self.query_one("#planning-status", Static).update(
            f"{len(rows)} plans · {listed} · n plans a new one"
            if rows
            else f"No plans yet: n plans one · {listed}"
        )

    def action_open(self) -> None:
        from qa_tui.tui.screens.plan import plan_screen

        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.rows):
            plan = self.rows[row]
            self.app.push_screen(plan_screen(self.workspace, self.writer, plan.id, plan.kind))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_expectation(self) -> None:
        self.post_message(Navigate("expectation"))

    # --- forms ----------------------------------------------------------------------------

    def ask(
        self,
        form: Form,
        then: Callable[[dict[str, str]], object],
        values: dict[str, str] | None = None,
        error: str = "",
    ) -> None:
        """Show ``form``; ``then(values)`` runs with what was typed (not on cancel)."""

        def done(result: dict[str, str] | None) -> None:
            if result is not None:
                then(result)

        self.app.push_screen(PlanFormDialog(form, values, error), done)

    def action_new_plan(self) -> None:
        self.ask(NEW_PLAN, self.create)

    @work(thread=True, group="planning-write")
    def create(self, values: dict[str, str]) -> None:
        from qa_tui.tui.screens.plan import plan_screen

        fields = {
            k: v for k, v in values.items() if k not in ("kind", "title", "starts_on", "ends_on")
        }
        try:
            plan_id = self.service.create(
                values["kind"],
                values["title"],
                values["starts_on"] or None,
                values["ends_on"] or None,
                **fields,
            )
        except QaError as err:
            self.app.call_from_thread(self.ask, NEW_PLAN, self.create, values, str(err))
            return
        screen = plan_screen(self.workspace, self.writer, plan_id, values["kind"])
        self.app.call_from_thread(self.app.push_screen, screen)

    def action_import_cases(self) -> None:
        self.ask(IMPORT, self.check_file)

    @work(thread=True, group="planning-write")
    def check_file(self, values: dict[str, str]) -> None:
        from pathlib import Path

        from qa_tui.domain.case_import import parse_mapping
        from qa_tui.services.planning import read_file

        self.post_message(ImportProgress(0, None))
        try:
            pairs = [p for p in values["map"].split(",") if p.strip()]
            checked = read_file(Path(values["path"].strip()).expanduser(), parse_mapping(pairs))
        except QaError as err:
            self.post_message(ImportProgress(0, 0))
            self.app.call_from_thread(self.ask, IMPORT, self.check_file, values, str(err))
            return
        self.post_message(ImportProgress(0, 0))
        self.app.call_from_thread(self._confirm_import, values, checked)

    def _confirm_import(self, values: dict[str, str], checked: CaseList) -> None:
        from qa_tui.tui.dialogs.confirm import ConfirmDialog

        preview = "\n".join(checked.preview(limit=8))
        skip = values["skip"] == "yes"
        if checked.fatal or (checked.problem_count and not skip):
            error = "Nothing imported: fix the file, or choose to leave the bad lines out."
            form = Form(IMPORT.title, IMPORT.fields, IMPORT.confirm, note=preview)
            self.ask(form, self.check_file, values, error)
            return
        question = f"{preview}\n\nImport {len(checked.rows):,} cases (replacing the case list)?"

        def answered(yes: bool | None) -> None:
            if yes:
                self.import_checked(checked, skip)

        self.app.push_screen(ConfirmDialog(question, yes="Import"), answered)

    @work(thread=True, group="planning-write")
    def import_checked(self, checked: CaseList, skip: bool) -> None:
        total = len(checked.rows)
        self.post_message(ImportProgress(0, total))
        try:
            written = self.service.import_cases(checked, skip, Teller(self, total))
        except ValidationError as err:
            self.post_message(ImportProgress(0, 0))
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.app.notify, f"Imported {written:,} cases.")
        self.app.call_from_thread(self.load)

    @on(ImportProgress)
    def _progress(self, event: ImportProgress) -> None:
        """The bar under the plans: pulsing while the file is checked, filling as the rows
        are written, gone a moment after (``total`` 0: stopped)."""
        event.stop()
        bar, status = self.query_one(ProgressBar), self.query_one("#planning-status", Static)
        if event.total == 0:  # checked (or refused): the usual status line again
            bar.display = False
            self.load()
            return
        bar.display = True
        bar.update(total=event.total, progress=event.done)
        if event.total is None:
            status.update("Checking the file…")
        elif event.done < event.total:
            status.update(f"Importing: {event.done:,} of {event.total:,} cases written…")
        else:
            self.set_timer(2, self._hide_bar)

    def _hide_bar(self) -> None:
        bar = self.query_one(ProgressBar)
        if bar.progress >= (bar.total or 0):
            bar.display = False
