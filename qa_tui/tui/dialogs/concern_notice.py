"""The written notice of an immediate concern: read it, record who it was shared with, save it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from qa_tui.errors import QaError
from qa_tui.tui.text import SafeInput, SafeTextArea, ShownLabel
from qa_tui.vocab import CONCERN_RECIPIENTS, MAX_SHORT_TEXT, SHARE_METHODS
from qa_tui.workspace import Workspace

SHARE_FIELDS = ("recipient_role", "recipient_name", "shared_on", "share_method")


@dataclass(frozen=True)
class Notice:
    text: str
    file_name: str


def read_notice(ws: Workspace, evaluation_id: str) -> Notice:
    """The notice as it stands now (runs in a worker thread)."""
    from qa_tui.domain.notice import concern_notice, notice_file_name
    from qa_tui.store.views import load_view

    with ws.store.reader() as session:
        view = load_view(session, evaluation_id)
        template = ws.template_for(view.evaluation)
        return Notice(concern_notice(view, template), notice_file_name(view))


def notices_dir(data_dir: Path) -> Path:
    """Where saved notices go: the user's documents folder, else ``data_dir`` (the settings')."""
    import platformdirs

    documents = platformdirs.user_documents_path()
    base = documents if documents.is_dir() else data_dir
    return base / "qa-tui notices"


class ConcernNoticeDialog(ModalScreen[bool]):
    """Dismisses with True when a share was recorded (the caller refreshes)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="notice.close"),
        Binding("ctrl+s", "save_file", "Save to a file", id="notice.save"),
    ]

    def __init__(self, workspace: Workspace, evaluation_id: str, today: dt.date) -> None:
        super().__init__(classes="dialog")
        self.workspace = workspace
        self.evaluation_id = evaluation_id
        self._today = today
        self._notice: Notice | None = None
        self._recorded = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Static("Immediate concern: written notice", classes="title")
            yield SafeTextArea(
                "Preparing the notice…", read_only=True, id="notice", classes="notice-text"
            )
            with VerticalScroll(classes="form"):
                yield Static("Record that the notice was shared", classes="field-label")
                with Horizontal(classes="share-row"):
                    yield Select(
                        [(v, k) for k, v in CONCERN_RECIPIENTS.items()],
                        prompt="With whom",
                        compact=True,
                        id="recipient_role",
                    )
                    yield SafeInput(
                        placeholder="Their name", id="recipient_name", max_length=MAX_SHORT_TEXT
                    )
                with Horizontal(classes="share-row"):
                    yield SafeInput(self._today.isoformat(), placeholder="Date", id="shared_on")
                    yield Select(
                        [(v, k) for k, v in SHARE_METHODS.items()],
                        prompt="How",
                        compact=True,
                        id="share_method",
                    )
                for field in SHARE_FIELDS:
                    yield ShownLabel("", id=f"{field}-error", classes="field-error")
            yield ShownLabel("", id="status", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close")
                yield Button("Save to a file", id="save")
                yield Button("Record shared", id="record", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="notice")
    def load(self) -> None:
        try:
            notice = read_notice(self.workspace, self.evaluation_id)
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
        else:
            self.app.call_from_thread(self._show_notice, notice)

    def _show_notice(self, notice: Notice) -> None:
        self._notice = notice
        self.query_one("#notice", TextArea).text = notice.text

    def show_status(self, text: str, problem: bool = False) -> None:
        status = self.query_one("#status", Label)
        status.update(text)
        status.set_class(problem, "problem")

    def show_error(self, field: str, text: str) -> None:
        target = field if field in SHARE_FIELDS else "recipient_role"
        label = self.query_one(f"#{target}-error", Label)
        label.update(text)
        label.add_class("-shown")
        self.query_one(f"#{target}").focus()

    def _clear_errors(self) -> None:
        for label in self.query(".field-error").results(Label):
            label.update("")
            label.remove_class("-shown")

    def action_record(self) -> None:
        self._clear_errors()
        role = self.query_one("#recipient_role", Select).value
        method = self.query_one("#share_method", Select).value
        if role is Select.NULL:
            self.show_error("recipient_role", "Choose who the notice was shared with.")
            return
        if method is Select.NULL:
            self.show_error("share_method", "Choose how the notice was shared.")
            return
        name = self.query_one("#recipient_name", Input).value.strip()
        date = self.query_one("#shared_on", Input).value.strip()
        self.record(str(role), name, date, str(method))

    @work(thread=True, exclusive=True, group="notice-write")
    def record(self, role: str, name: str, date: str, method: str) -> None:
        from qa_tui.domain.outcomes import record_concern_share

        try:
            self.workspace.write(record_concern_share, self.evaluation_id, role, name, date, method)
        except QaError as err:
            self.app.call_from_thread(self.show_error, err.field or "recipient_role", str(err))
            return
        self.app.call_from_thread(self._was_recorded, role)

    def _was_recorded(self, role: str) -> None:
        self._recorded = True
        label = CONCERN_RECIPIENTS.get(role, role).lower()
        self.show_status(f"Recorded: shared with the {label}.")
        self.load()

    def action_save_file(self) -> None:
        if self._notice is not None:
            self.save_file(self._notice)

    @work(thread=True, exclusive=True, group="notice-write")
    def save_file(self, notice: Notice) -> None:
        from qa_tui.fsutil import atomic_write_bytes, make_private_dir

        folder = notices_dir(self.workspace.settings.data_dir)
        try:
            make_private_dir(folder)
            atomic_write_bytes(folder / notice.file_name, notice.text.encode("utf-8"))
        except OSError as err:
            self.app.call_from_thread(
                self.show_status, f"{folder}: cannot save the notice ({err.strerror or err})", True
            )
            return
        self.app.call_from_thread(self.show_status, f"Saved to {folder / notice.file_name}")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"record": self.action_record, "save": self.action_save_file}
        actions.get(event.button.id or "", self.action_close)()

    def action_close(self) -> None:
        self.dismiss(self._recorded)
