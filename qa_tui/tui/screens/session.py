"""One moderation session: who moderates, what is on the agenda, and how far the group got."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qa_tui.errors import QaError, ValidationError
from qa_tui.services.moderation import SessionService
from qa_tui.tui.text import line, literal
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from qa_tui.domain.session_views import CaseEvaluation, SessionDetail
    from qa_tui.services.moderation import Candidate
    from qa_tui.services.writer import Writer
    from qa_tui.tui.dialogs.sample import SampleRequest
    from qa_tui.workspace import Workspace

# Where each evaluation stands first, who and where last: at 80 columns the team and the
# auditor are what the screen's edge cuts.
COLUMNS = (
    ("case", "Case ref"),
    ("date", "Date"),
    ("stage", "Stage"),
    ("blind", "Blind"),
    ("agreed", "Agreed"),
    ("overall", "Overall (agreed)"),
    ("team", "Team"),
    ("auditor", "Auditor"),
)


class SessionScreen(Screen[None]):
    """The session's record and agenda; Enter opens an evaluation side by side."""

    CSS_PATH = "moderation.tcss"
    TITLE = "Moderation session"
    HELP = (
        "A moderation session: its date, the moderators present and the evaluations on its "
        "agenda. Add completed evaluations by hand (a) or draw a random sample with a seed "
        "(s) — the filter, seed and pool are kept so the sample can be explained later. Enter "
        "opens the highlighted evaluation side by side for the blind pass, the reveal and the "
        "agreed grades; v compares it with another evaluation of the same case. x takes an "
        "evaluation off the agenda; c closes the session once every evaluation has an overall "
        "moderated grade (and reopens a closed one)."
    )
    BINDINGS = [
        Binding("enter", "open", "Side by side", id="session.open"),
        Binding("a", "add", "Add", id="session.add"),
        Binding("s", "sample", "Sample", id="session.sample"),
        Binding("x", "remove", "Remove", id="session.remove"),
        Binding("v", "compare", "Compare", id="session.compare"),
        Binding("c", "close_session", "Close/reopen", id="session.close"),
        Binding("escape", "back", "Back", id="session.back"),
    ]

    def __init__(self, workspace: Workspace, writer: Writer, session_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.writer = writer
        self.service = SessionService(workspace)
        self.session_id = session_id
        self.detail: SessionDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the session…", id="session-info")
        yield Table(id="members", cursor_type="row", zebra_stripes=True)
        yield Static("", id="session-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.detail is not None:  # back from another screen; not the mount's own read again
            self.load()

    @work(thread=True, exclusive=True, group="session")
    def load(self) -> None:
        try:
            detail = self.service.detail(self.session_id)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: SessionDetail) -> None:
        from qa_tui.domain.sampling import samples_of

        self.detail = detail
        s = detail.session
        when = s.held_on.isoformat() if s.held_on else "no date"
        status = "closed" if s.status == "closed" else "open"
        blind = "blind first pass" if s.blind_first else "no blind pass"
        people = ", ".join(f"{m.name} ({m.role})" if m.role else m.name for m in detail.moderators)
        lines = [f"{s.title} · {when} · {status} · {blind}", f"Moderators: {people or 'none'}"]
        lines += [f"Sample: {d.describe()}" for d in samples_of(s)]
        self.sub_title = line(s.title, 50)
        self.query_one("#session-info", Static).update(literal("\n".join(lines)))
        self._fill(detail)
        self.refresh_bindings()

    def _fill(self, detail: SessionDetail) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for m in detail.members:
            stage = "agreed" if m.overall else "revealed" if m.revealed else "blind pass"
            date = m.evaluation_date.isoformat() if m.evaluation_date else ""
            overall = m.overall.replace("_", " ").capitalize() or "—"
            cells = (m.case_reference, date, stage, str(m.blind_grades), str(m.agreed), overall)
            table.add_row(
                *(Text(line(c, 30)) for c in (*cells, m.team, m.auditor)), key=m.evaluation_id
            )
        if detail.members:
            table.move_cursor(row=min(cursor, len(detail.members) - 1))
        count = len(detail.members)
        self.query_one("#session-status", Static).update(
            f"{count} evaluations on the agenda"
            if count
            else "No evaluations yet: a adds them by hand, s draws a sample."
        )

    # --- actions ------------------------------------------------------------------------

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if self.detail is None or not self.detail.members:
            return None
        row = table.cursor_row
        return (
            self.detail.members[row].evaluation_id if 0 <= row < len(self.detail.members) else None
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        open_ = self.detail is not None and self.detail.session.status == "open"
        if action in ("add", "sample", "remove"):
            return open_
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        from qa_tui.tui.screens.side_by_side import SideBySideScreen

        chosen = self._selected()
        if chosen is None or self.detail is None:
            return
        ids = [m.evaluation_id for m in self.detail.members]
        self.app.push_screen(
            SideBySideScreen(self.workspace, self.writer, self.session_id, ids, ids.index(chosen))
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def _write(self, run: Callable[[], object], success: str) -> None:
        self._run_write(run, success)

    @work(thread=True, group="session-write")
    def _run_write(self, run: Callable[[], object], success: str) -> None:
        try:
            run()
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), title="Not done", severity="error")
        else:
            self.app.call_from_thread(self.app.notify, success)
        self.app.call_from_thread(self.load)

    def action_add(self) -> None:
        self._pick()

    @work(thread=True, exclusive=True, group="session-pick")
    def _pick(self) -> None:
        candidates = self.service.candidates(self.session_id)
        self.app.call_from_thread(self._picked_from, candidates)

    def _picked_from(self, candidates: list[Candidate]) -> None:
        from qa_tui.tui.dialogs.pick_evaluations import PickEvaluationsDialog

        def chosen(ids: list[str] | None) -> None:
            if ids:
                sid = self.session_id
                self._write(lambda: self.service.add_evaluations(sid, ids), f"Added {len(ids)}.")

        self.app.push_screen(PickEvaluationsDialog(candidates), chosen)

    def action_sample(self, values: dict[str, str] | None = None, error: str = "") -> None:
        from qa_tui.tui.dialogs.sample import SampleDialog

        start = values or {"size": "5", "seed": str(random.SystemRandom().randrange(1000, 10000))}
        self.app.push_screen(SampleDialog(start, error), self._sample_chosen)

    def _sample_chosen(self, request: SampleRequest | None) -> None:
        if request is not None:
            self._draw(request)

    @work(thread=True, group="session-write")
    def _draw(self, request: SampleRequest) -> None:
        try:
            drawn = self.service.sample(self.session_id, request.filter, request.size, request.seed)
        except ValidationError as err:
            self.app.call_from_thread(self.action_sample, request.values, str(err))
            return
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.app.notify, f"Drew {drawn.describe()}.", title="Sampled")
        self.app.call_from_thread(self.load)

    def action_remove(self) -> None:
        chosen, sid = self._selected(), self.session_id
        if chosen is not None:
            self._write(
                lambda: self.service.remove_evaluation(sid, chosen), "Taken off the agenda."
            )

    def action_close_session(self) -> None:
        if self.detail is None:
            return
        sid = self.session_id
        if self.detail.session.status == "closed":
            self._write(lambda: self.service.reopen(sid), "The session is open again.")
        else:
            self._write(lambda: self.service.close(sid), "The session is closed.")

    def action_compare(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self._compare(chosen)

    @work(thread=True, exclusive=True, group="session-compare")
    def _compare(self, evaluation_id: str) -> None:
        detail = self.detail
        member = (
            next((m for m in detail.members if m.evaluation_id == evaluation_id), None)
            if detail
            else None
        )
        if member is None:
            return
        others = [
            e for e in self.service.case_evaluations(member.case_reference) if e.id != evaluation_id
        ]
        self.app.call_from_thread(self._compare_with, evaluation_id, others)

    def _compare_with(self, evaluation_id: str, others: list[CaseEvaluation]) -> None:
        from qa_tui.tui.screens.compare import CompareScreen, choose_other

        if not others:
            self.app.notify(
                "This is the only evaluation of this case here.", title="Nothing to compare"
            )
            return

        def chosen(other: str | None) -> None:
            if other:
                self.app.push_screen(CompareScreen(self.workspace, evaluation_id, other))

        choose_other(self.app, others, chosen)
