"""A completed evaluation's feedback summary: save it as HTML, Word and Markdown, and record
with whom it was shared (the child's electronic record, the practitioner, their team manager,
the service manager — seed 000 §4.8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Select, Static

from qa_tui.errors import QaError
from qa_tui.tui.text import SafeInput, ShownLabel
from qa_tui.tui.widgets.tickbox import TickBox
from qa_tui.vocab import MAX_SHORT_TEXT, SHARE_METHODS, SUMMARY_RECIPIENTS

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace

FORMAT_LABELS = {"html": "HTML (prints on A4)", "docx": "Word (.docx)", "md": "Markdown"}


class SummaryDocumentsDialog(ModalScreen[bool]):
    """Dismisses with True when a share was recorded."""

    CSS_PATH = ["dialogs.tcss", "followup.tcss"]
    BINDINGS = [
        Binding("escape", "close", "Close", id="findings.close"),
        Binding("ctrl+f", "save_files", "Save files", id="findings.save"),
        Binding("ctrl+s", "record", "Record shared", id="findings.record"),
    ]

    def __init__(self, workspace: Workspace, evaluation_id: str, today: dt.date) -> None:
        super().__init__(classes="dialog followup-dialog")
        self.workspace = workspace
        self.evaluation_id = evaluation_id
        self._today = today
        self._recorded = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel"):
            yield Static("Share the findings", classes="title")
            yield Static(
                "The feedback summary for the child's electronic record and for the "
                "practitioner, team manager and service manager: strengths, areas for "
                "development, grades, scaling, actions and any moderation outcome.",
                classes="hint",
            )
            yield Static("Save as", classes="field-label")
            with Horizontal(classes="choice-row"):
                for fmt, label in FORMAT_LABELS.items():
                    yield TickBox(label, True, id=f"fmt-{fmt}")
            yield Static(
                "Into your documents folder (the documents_dir setting); the path is shown "
                "after saving.",
                classes="hint",
            )
            yield Static("Shared with", classes="field-label")
            with Vertical(id="recipients"):
                for role, label in SUMMARY_RECIPIENTS.items():
                    with Horizontal(classes="recipient-row", id=f"r-{role}"):
                        short = "Child's record" if role == "child_record" else label
                        yield TickBox(short, role != "child_record", classes="pick")
                        yield SafeInput(
                            placeholder="name", classes="name", max_length=MAX_SHORT_TEXT
                        )
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
                yield Button("Save files", id="save", compact=True)
                yield Button("Record shared", id="record", variant="primary", compact=True)
                yield Button("Close", id="close", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#fmt-html", Checkbox).focus()

    def show_status(self, text: str, problem: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(problem, "problem")

    def action_save_files(self) -> None:
        formats = [f for f in FORMAT_LABELS if self.query_one(f"#fmt-{f}", Checkbox).value]
        if not formats:
            self.show_status("Tick at least one format.", True)
            return
        self.save_files(formats, self.workspace.settings.documents_path)

    @work(thread=True, exclusive=True, group="findings-files")
    def save_files(self, formats: list[str], folder: Path) -> None:
        from qa_tui.documents.produce import read_summary_doc, save

        try:
            doc = read_summary_doc(self.workspace, self.evaluation_id, self._today)
            saved = save(doc, folder, formats)
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
            return
        self.app.call_from_thread(self.show_status, saved.describe())

    def action_record(self) -> None:
        recipients = []
        for role in SUMMARY_RECIPIENTS:
            row = self.query_one(f"#r-{role}")
            if row.query_one(Checkbox).value:
                recipients.append((role, row.query_one(".name", Input).value))
        if not recipients:
            self.show_status("Tick at least one recipient.", True)
            return
        date = self.query_one("#shared_on", Input).value.strip()
        method = str(self.query_one("#share_method", Select).value)
        self.record(recipients, date, method)

    @work(thread=True, exclusive=True, group="findings-write")
    def record(self, recipients: list[tuple[str, str]], date: str, method: str) -> None:
        from qa_tui.domain.followup import record_summary_shares

        try:
            self.workspace.write(
                record_summary_shares, self.evaluation_id, recipients, date, method
            )
        except QaError as err:
            self.app.call_from_thread(self.show_status, str(err), True)
            return
        names = ", ".join(SUMMARY_RECIPIENTS[r].lower() for r, _n in recipients)
        self.app.call_from_thread(self._recorded_now, f"Recorded: shared with the {names}.")

    def _recorded_now(self, text: str) -> None:
        self._recorded = True
        self.show_status(text)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {"save": self.action_save_files, "record": self.action_record}
        actions.get(event.button.id or "", self.action_close)()

    def action_close(self) -> None:
        self.dismiss(self._recorded)
