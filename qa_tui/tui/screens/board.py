"""The board's programme for the year: its meetings with their reporting deadlines, the
thematic evaluations, and the systemic actions it commissioned, tracked to completion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qa_tui.errors import QaError
from qa_tui.services.board import BoardService, Programme
from qa_tui.tui.dialogs.plan_form import Field, Form, PlanFormDialog
from qa_tui.tui.text import line
from qa_tui.tui.widgets.table import Table
from qa_tui.vocab import ACTION_STATUSES

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace

MEETING = Form(
    "Schedule a board meeting",
    (
        Field("held_on", "Date", hint="YYYY-MM-DD"),
        Field("title", "Title (empty: the board and the date)"),
        Field("deadline", "Reports due (empty: two weeks before)", hint="YYYY-MM-DD"),
    ),
    "Schedule",
)
ACTION = Form(
    "A systemic action the board commissioned",
    (
        Field("description", "What is to change", "text"),
        Field("owner", "Owner"),
        Field("due", "Due", hint="YYYY-MM-DD"),
    ),
    "Record",
)
UPDATE = Form(
    "Progress on the action",
    (
        Field("status", "Status", "choice", choices=tuple(ACTION_STATUSES.items())),
        Field("note", "What has happened", "text"),
        Field("evidence", "Evidence that the change made a difference (empty: none yet)", "text"),
    ),
    "Record",
)
TABLES = {
    "meetings": (("date", "Date"), ("due", "Reports due"), ("title", "Meeting")),
    "thematic": (("date", "Date"), ("status", "Status"), ("title", "Thematic evaluation")),
    "actions": (
        ("due", "Due"),
        ("status", "Status"),
        ("owner", "Owner"),
        ("action", "Systemic action"),
        ("last", "Latest"),
    ),
}


class BoardScreen(Screen[None]):
    """Meetings, thematic programme, systemic actions; keys add and update them."""

    CSS_PATH = "planning.tcss"
    TITLE = "The board's programme"
    HELP = (
        "The Quality, Performance and Impact Board's year: its meetings, scheduled in "
        "advance, each with the deadline for reports to it; the thematic evaluations it "
        "commissioned (planned under Planning, with their terms of reference); and the "
        "systemic actions it commissioned — owner, due date, status, progress updates and "
        "the evidence that the change made a difference — tracked and reported back to it, "
        "apart from the actions of single evaluations. m schedules a meeting, a records an "
        "action, u records progress on the highlighted action. [ and ] change the year; Tab "
        "moves between the lists."
    )
    BINDINGS = [
        Binding("m", "meeting", "Meeting", id="board.meeting"),
        Binding("a", "action", "Action", id="board.action"),
        Binding("u", "update", "Progress", id="board.update"),
        Binding("left_square_bracket", "year(-1)", "Year before", id="board.before"),
        Binding("right_square_bracket", "year(1)", "Year after", id="board.after"),
        Binding("escape", "back", "Back", id="board.back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = BoardService(workspace)
        self.year = self.service.today().year
        self.programme: Programme | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Meetings and reporting deadlines", classes="board-heading")
        yield Table(id="board-meetings", cursor_type="row", zebra_stripes=True)
        yield Static("Thematic evaluations", classes="board-heading")
        yield Table(id="board-thematic", cursor_type="row", zebra_stripes=True)
        yield Static("Systemic actions", classes="board-heading")
        yield Table(id="board-actions", cursor_type="row", zebra_stripes=True)
        yield Static("Reading…", id="board-status")
        yield Footer()

    def on_mount(self) -> None:
        for name, columns in TABLES.items():
            table = self.query_one(f"#board-{name}", DataTable)
            for key, label in columns:
                table.add_column(label, key=key)
        self.query_one("#board-actions", DataTable).focus()
        self.load(self.year)

    def on_screen_resume(self) -> None:
        # Back from a form: read again. Not on the first showing, which follows the mount's
        # own read: a second read redrew the tables under the first (a snapshot taken between
        # the two, on a busy machine, caught them half redrawn).
        if self.programme is not None:
            self.load(self.year)

    @work(thread=True, exclusive=True, group="board-load")
    def load(self, year: int) -> None:
        try:
            found = self.service.programme(year)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._show, found)

    def _fill(self, name: str, rows: list[tuple[str, ...]], keys: list[str]) -> None:
        table = self.query_one(f"#board-{name}", DataTable)
        table.clear()
        for cells, key in zip(rows, keys, strict=True):
            table.add_row(*(Text(c) for c in cells), key=key)

    def _show(self, found: Programme) -> None:
        self.programme, self.year = found, found.year
        self.sub_title = str(found.year)
        day = _day
        self._fill(
            "meetings",
            [(day(m.held_on), day(m.report_deadline), line(m.title, 80)) for m in found.meetings],
            [m.id for m in found.meetings],
        )
        self._fill(
            "thematic",
            [(day(p.starts_on), p.status_label, line(p.title, 80)) for p in found.thematic],
            [p.id for p in found.thematic],
        )
        self._fill(
            "actions",
            [
                (
                    day(a.due_on) + (" overdue" if a.overdue else ""),
                    ACTION_STATUSES.get(a.status, a.status),
                    line(a.owner, 30),
                    line(a.description, 60),
                    line(a.last_update, 40),
                )
                for a in found.actions
            ],
            [a.id for a in found.actions],
        )
        late = sum(1 for a in found.actions if a.overdue)
        self.query_one("#board-status", Static).update(
            f"{found.year}: {len(found.meetings)} meetings · {len(found.thematic)} thematic "
            f"evaluations · {len(found.actions)} systemic actions ({late} overdue)"
        )

    def action_year(self, step: int) -> None:
        self.load(self.year + step)

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- forms --------------------------------------------------------------------------

    def ask(
        self, form: Form, then: Callable[[dict[str, str]], object], values: dict[str, str] | None
    ) -> None:
        def done(result: dict[str, str] | None) -> None:
            if result is not None:
                then(result)

        self.app.push_screen(PlanFormDialog(form, values), done)

    def action_meeting(self) -> None:
        self.ask(MEETING, self.save_meeting, None)

    @work(thread=True, group="board-write")
    def save_meeting(self, values: dict[str, str]) -> None:
        def job() -> object:
            return self.service.add_meeting(
                values["held_on"], values["title"], values["deadline"] or None
            )

        self._run(job, "Meeting scheduled.", MEETING, self.save_meeting, values)

    def action_action(self) -> None:
        self.ask(ACTION, self.save_action, None)

    @work(thread=True, group="board-write")
    def save_action(self, values: dict[str, str]) -> None:
        def job() -> object:
            return self.service.add_action(
                values["description"], values["owner"], values["due"] or None
            )

        self._run(job, "Systemic action recorded.", ACTION, self.save_action, values)

    def action_update(self) -> None:
        table = self.query_one("#board-actions", DataTable)
        if self.programme is None or not 0 <= table.cursor_row < len(self.programme.actions):
            return
        chosen = self.programme.actions[table.cursor_row]
        values = {"status": chosen.status, "evidence": chosen.evidence}

        def then(result: dict[str, str]) -> None:
            self.save_update(chosen.id, result)

        self.ask(UPDATE, then, values)

    @work(thread=True, group="board-write")
    def save_update(self, action_id: str, values: dict[str, str]) -> None:
        def job() -> object:
            return self.service.update_action(
                action_id, values["status"], values["note"], values["evidence"]
            )

        self._run(job, "Progress recorded.", None, None, values)

    def _run(
        self,
        job: Callable[[], object],
        done: str,
        form: Form | None,
        again: Callable[[dict[str, str]], object] | None,
        values: dict[str, str],
    ) -> None:
        """In the worker: the write; on a refusal the form again with the error, kept."""
        try:
            job()
        except QaError as err:
            if form is not None and again is not None:
                dialog = PlanFormDialog(form, values, str(err))
                self.app.call_from_thread(self.app.push_screen, dialog, _then(again))
            else:
                self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.app.notify, done)
        self.app.call_from_thread(self.load, self.year)


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _then(
    again: Callable[[dict[str, str]], object],
) -> Callable[[dict[str, str] | None], None]:
    def done(result: dict[str, str] | None) -> None:
        if result is not None:
            again(result)

    return done
