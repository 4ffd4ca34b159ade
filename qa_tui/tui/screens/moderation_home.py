"""The moderation group's place: its sessions, newest first (the app's moderation mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qa_tui.errors import QaError, ValidationError
from qa_tui.services.moderation import SessionService
from qa_tui.tui.messages import Navigate
from qa_tui.tui.text import line
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qa_tui.domain.session_views import SessionRow
    from qa_tui.services.writer import Writer
    from qa_tui.tui.dialogs.new_session import NewSessionRequest
    from qa_tui.workspace import Workspace

# The session's title last: at 80 columns it is cut at the screen's edge, not the figures.
COLUMNS = (
    ("date", "Date"),
    ("status", "Status"),
    ("moderators", "Moderators"),
    ("evaluations", "Evaluations"),
    ("blind", "Blind pass"),
    ("title", "Session"),
)


class Changed(Message, bubble=False):
    """The database changed since the sessions were read (a worker looked)."""


class ModerationHome(Screen[None]):
    """Moderation sessions; Enter opens one, n prepares a new one, g shows agreement."""

    CSS_PATH = "moderation.tcss"
    TITLE = "Moderation"
    HELP = (
        "The moderation group's sessions, newest first. A session has a date, the moderators "
        "present and the evaluations chosen (by hand or sampled at random with a seed). "
        "n prepares a new session — on the QA desk, then carried to the meeting room on a "
        "laptop: it syncs like an evaluation. Enter opens one. g shows how consistently "
        "'good' is judged: agreement, kappa and alpha by session, team, item and month. "
        "F2 goes back to the evaluations, F3 comes here."
    )
    BINDINGS = [
        Binding("enter", "open", "Open", id="moderation.open", show=False),
        Binding("n", "new_session", "New session", id="moderation.new"),
        Binding("g", "agreement", "Agreement", id="moderation.agreement"),
        Binding("r", "reload", "Reload", id="moderation.reload", show=False),
    ]

    def __init__(self, workspace: Workspace, writer: Writer) -> None:
        super().__init__()
        self.workspace = workspace
        self.writer = writer
        self.service = SessionService(workspace)
        self.rows: list[SessionRow] = []
        self.loaded = False
        self.reads = 0  # how many times the sessions were read (tests wait on it)
        self._clock: int | None = None  # the database's clock when they were read

    def compose(self) -> ComposeResult:
        yield Header()
        yield Table(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("Reading the sessions…", id="moderation-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        # Back from a session, the side by side or a dialog: the sessions are read again
        # only if something was written meanwhile (every write ticks the database's clock:
        # a grade here, a sync, another desk). Redrawing a QA desk's thousand sessions on
        # every return slowed the next screen opened.
        if self.loaded:
            self._look_for_changes(self._clock)

    @work(thread=True, exclusive=True, group="moderation-home-changes")
    def _look_for_changes(self, clock: int | None) -> None:
        if self.workspace.written_since(clock):
            self.post_message(Changed())

    def on_changed(self, _message: Changed) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="moderation-home")
    def load(self) -> None:
        try:
            clock, rows = self.workspace.read(_clocked_sessions)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self._clock = clock
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[SessionRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            cells = (
                r.held_on.isoformat() if r.held_on else "",
                "closed" if r.status == "closed" else "open",
                str(r.moderators),
                str(r.evaluations),
                "yes" if r.blind_first else "no",
                line(r.title, 60),
            )
            table.add_row(*(Text(c) for c in cells), key=r.id)
        self.loaded = True
        self.reads += 1
        count = len(rows)
        self.query_one("#moderation-status", Static).update(
            f"{count} moderation sessions · n prepares a new one · g shows agreement"
            if count
            else "No moderation sessions yet: n prepares one."
        )

    def action_open(self) -> None:
        from qa_tui.tui.screens.session import SessionScreen

        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.rows):
            self.app.push_screen(SessionScreen(self.workspace, self.writer, self.rows[row].id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_agreement(self) -> None:
        self.post_message(Navigate("agreement"))

    def action_new_session(self, initial: NewSessionRequest | None = None, error: str = "") -> None:
        from qa_tui.tui.dialogs.new_session import NewSessionDialog

        s = self.workspace.settings
        me = (s.auditor_name.strip(), s.auditor_role.strip())  # none yet: no line
        today = self.workspace.clock().date()
        self.app.push_screen(NewSessionDialog(today, me, initial, error), self._create)

    def _create(self, request: NewSessionRequest | None) -> None:
        if request is not None:
            self.create(request)

    @work(thread=True, group="moderation-create")
    def create(self, request: NewSessionRequest) -> None:
        from qa_tui.tui.screens.session import SessionScreen

        try:
            session_id = self.service.create(
                request.held_on, request.title, request.moderators, request.blind_first
            )
        except ValidationError as err:
            self.app.call_from_thread(self.action_new_session, request, str(err))
            return
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        screen = SessionScreen(self.workspace, self.writer, session_id)
        self.app.call_from_thread(self.app.push_screen, screen)


def _clocked_sessions(session: Session) -> tuple[int, list[SessionRow]]:
    """The database's clock and its sessions, in one read."""
    from qa_tui.domain.session_views import list_sessions
    from qa_tui.store.history import read_clock

    return read_clock(session), list_sessions(session)
