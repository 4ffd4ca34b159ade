"""The written notice of an immediate concern: read it as formatted text, record in one step
with whom it was shared, save it as HTML, Word and Markdown, make an email draft, and record
its acknowledgement and closure.

Every control shows focus in every theme (``followup.tcss``); the notice is a scroll region
with a visible focus border, so there is no invisible Tab stop.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Select, Static

from qa_tui.errors import QaError
from qa_tui.tui.dialogs.concern_step import ConcernStep, ConcernStepDialog
from qa_tui.tui.text import SafeInput, ShownLabel, literal
from qa_tui.tui.widgets.tickbox import TickBox
from qa_tui.vocab import CONCERN_RECIPIENTS, MAX_SHORT_TEXT, SHARE_METHODS

if TYPE_CHECKING:
    from qa_tui.documents.model import NoticeDoc
    from qa_tui.workspace import Workspace

SHORT = {
    "practitioner": "Practitioner",
    "team_manager": "Team manager",
    "service_manager": "Service manager",
    "director_social_care": "Director (DSC)",
}


def notice_blocks(doc: NoticeDoc, stage: str) -> list[tuple[str, str]]:
    """The notice as (css class, text) blocks: headings, pairs, the concern, lists."""
    out = [("h1", doc.title), ("stage", stage), ("text", doc.intro), ("h2", "The evaluation")]
    out += [("pair", f"{label}: {value}") for label, value in doc.details]
    out += [("h2", "The concern"), ("concern", doc.concern or "(no description recorded)")]
    out += [("h2", "Shared with")]
    out += [("bullet", f"• {line}") for line in doc.shared] or [("hint", "Not yet recorded.")]
    if doc.lifecycle:
        out += [("h2", "Since"), *(("bullet", f"• {line}") for line in doc.lifecycle)]
    return out


class RecipientRow(Horizontal):
    """One recipient: include them, their name, their email address (for the draft)."""

    DEFAULT_CLASSES = "recipient-row"

    def __init__(self, role: str, name: str, checked: bool) -> None:
        super().__init__(id=f"r-{role}")
        self.role = role
        self._name, self._checked = name, checked

    def compose(self) -> ComposeResult:
        yield TickBox(SHORT[self.role], self._checked, classes="pick")
        yield SafeInput(self._name, placeholder="name", classes="name", max_length=MAX_SHORT_TEXT)
        yield SafeInput(placeholder="email address (for the draft)", classes="address")

    @property
    def picked(self) -> bool:
        return self.query_one(Checkbox).value

    @property
    def person(self) -> str:
        return self.query_one(".name", Input).value.strip()

    @property
    def address(self) -> str:
        return self.query_one(".address", Input).value.strip()


class ConcernNoticeDialog(ModalScreen[bool]):
    """Dismisses with True when anything was recorded (the caller refreshes at once)."""

    CSS_PATH = ["dialogs.tcss", "followup.tcss"]
    BINDINGS = [
        Binding("escape", "close", "Close", id="notice.close"),
        Binding("ctrl+s", "record", "Record shared", id="notice.record"),
        Binding("ctrl+f", "save_files", "Save HTML/Word/MD", id="notice.save"),
        Binding("ctrl+l", "email", "Email draft", id="notice.email"),
    ]

    def __init__(self, workspace: Workspace, evaluation_id: str, today: dt.date) -> None:
        super().__init__(classes="dialog followup-dialog")
        self.workspace = workspace
        self.evaluation_id = evaluation_id
        self._today = today
        self._notice: NoticeDoc | None = None
        self._recorded = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Static("Immediate concern: written notice", classes="title")
            with VerticalScroll(id="notice", classes="document"):
                yield Static("Preparing the notice…", id="notice-loading")
            yield Static("Shared with (tick each, then Record shared):", classes="field-label")
            with Vertical(id="recipients"):
                for role in CONCERN_RECIPIENTS:
                    yield RecipientRow(role, "", True)
            with Horizontal(classes="when-row"):
                yield Static("On", classes="inline-label")
                yield SafeInput(self._today.isoformat(), placeholder="YYYY-MM-DD", id="shared_on")
                yield Static("How", classes="inline-label")
                yield Select(
                    [(label, key) for key, label in SHARE_METHODS.items()],
                    value="email",
                    allow_blank=False,
                    compact=True,
                    id="share_method",
                )
            yield ShownLabel("", id="status", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Record shared", id="record", variant="primary", compact=True)
                yield Button("Files", id="save", compact=True)
                yield Button("Email", id="email", compact=True)
                yield Button("Acknowledged…", id="acknowledge", compact=True)
                yield Button("Concern closed…", id="close-concern", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # --- reading -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="notice")
    def load(self) -> None:
        from qa_tui.documents.produce import read_notice
        from qa_tui.domain.followup import concern_state, stage_words
        from qa_tui.store.views import load_view

        try:
            doc = read_notice(self.workspace, self.evaluation_id, self._today)
            with self.workspace.store.reader() as session:
                view = load_view(session, self.evaluation_id)
                state = concern_state(view.evaluation, view.shares, view.concern_events)
                shared = len(CONCERN_RECIPIENTS) - len(state.unshared_roles)
                stage = f"Where it stands: {stage_words(state.stage, shared)}"
                unshared = state.unshared_roles
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
            return
        self.app.call_from_thread(self._show_notice, doc, stage, unshared)

    def _show_notice(self, doc: NoticeDoc, stage: str, unshared: list[str]) -> None:
        self.call_later(self._draw, doc, stage, unshared)

    async def _draw(self, doc: NoticeDoc, stage: str, unshared: list[str]) -> None:
        first = self._notice is None
        self._notice = doc
        page = self.query_one("#notice", VerticalScroll)
        await page.remove_children()
        blocks = [Static(literal(t), classes=f"block {c}") for c, t in notice_blocks(doc, stage)]
        await page.mount_all(blocks)
        names = dict(doc.recipients)
        for row in self.query(RecipientRow):
            if first:  # the practitioner's name as recorded; those already shared: unticked
                row.query_one(".name", Input).value = names.get(CONCERN_RECIPIENTS[row.role], "")
            row.query_one(Checkbox).value = row.role in unshared
        if first:
            self.query_one(RecipientRow).query_one(Checkbox).focus()

    def show_status(self, text: str, problem: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(problem, "problem")

    # --- recording who it was shared with --------------------------------------------------

    def _picked(self) -> list[RecipientRow]:
        return [row for row in self.query(RecipientRow) if row.picked]

    def action_record(self) -> None:
        rows = self._picked()
        if not rows:
            self.show_status("Tick at least one recipient first.", True)
            return
        method = self.query_one("#share_method", Select).value
        date = self.query_one("#shared_on", Input).value.strip()
        recipients = [(row.role, row.person) for row in rows]
        self.record(recipients, date, str(method))

    @work(thread=True, exclusive=True, group="notice-write")
    def record(self, recipients: list[tuple[str, str]], date: str, method: str) -> None:
        from qa_tui.domain.followup import record_concern_shares

        try:
            self.workspace.write(
                record_concern_shares, self.evaluation_id, recipients, date, method
            )
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
            return
        labels = ", ".join(CONCERN_RECIPIENTS[role].lower() for role, _n in recipients)
        self.app.call_from_thread(self._was_recorded, f"Recorded: shared with the {labels}.")

    def _was_recorded(self, text: str) -> None:
        self._recorded = True
        self.show_status(text)
        self.load()

    # --- files ---------------------------------------------------------------------------

    def action_save_files(self) -> None:
        if self._notice is not None:
            self.save_files(self._notice, self.workspace.settings.documents_path)

    @work(thread=True, exclusive=True, group="notice-files")
    def save_files(self, doc: NoticeDoc, folder: object) -> None:
        from pathlib import Path

        from qa_tui.documents.produce import FORMATS, save

        try:
            saved = save(doc, Path(str(folder)), FORMATS)
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
            return
        self.app.call_from_thread(self.show_status, saved.describe())

    def action_email(self) -> None:
        if self._notice is None:
            return
        pairs = [(row.person, row.address) for row in self.query(RecipientRow) if row.address]
        if not pairs:
            self.show_status("Type the email address of each recipient first.", True)
            return
        self.save_email(self._notice, self.workspace.settings.documents_path, pairs)

    @work(thread=True, exclusive=True, group="notice-files")
    def save_email(self, doc: NoticeDoc, folder: object, pairs: list[tuple[str, str]]) -> None:
        from pathlib import Path

        from qa_tui.documents.produce import save_email

        try:
            saved = save_email(doc, Path(str(folder)), pairs)
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
            return
        self.app.call_from_thread(
            self.show_status,
            f"Email draft saved: {saved.paths[0]} — open it in your mail client to send; "
            "then Record shared.",
        )

    # --- acknowledgement and closure ------------------------------------------------------------

    def _step(self, kind: str) -> None:
        def done(step: ConcernStep | None) -> None:
            if step is not None:
                self.write_step(step)

        self.app.push_screen(ConcernStepDialog(kind, self._today), done)

    @work(thread=True, exclusive=True, group="notice-write")
    def write_step(self, step: ConcernStep) -> None:
        from qa_tui.domain.followup import acknowledge_concern, close_concern

        try:
            if step.kind == "acknowledged":
                self.workspace.write(
                    acknowledge_concern, self.evaluation_id, step.role, step.name, step.on
                )
            else:
                self.workspace.write(close_concern, self.evaluation_id, step.note, step.on)
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
            return
        words = "acknowledgement" if step.kind == "acknowledged" else "closure"
        self.app.call_from_thread(self._was_recorded, f"Recorded: the concern's {words}.")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {
            "record": self.action_record,
            "save": self.action_save_files,
            "email": self.action_email,
            "acknowledge": lambda: self._step("acknowledged"),
            "close-concern": lambda: self._step("closed"),
        }
        actions.get(event.button.id or "", self.action_close)()

    def action_close(self) -> None:
        self.dismiss(self._recorded)
