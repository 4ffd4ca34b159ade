"""A dated progress update on an action: its status from now on, and what happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Select, Static, TextArea

from qa_tui.tui.text import SafeInput, SafeTextArea, Shown
from qa_tui.vocab import ACTION_STATUSES


@dataclass(frozen=True)
class ActionProgress:
    status: str
    note: str
    on: str


class ActionUpdateDialog(ModalScreen[ActionProgress | None]):
    """Dismisses with the update, or None when cancelled."""

    CSS_PATH = ["dialogs.tcss", "followup.tcss"]
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="update.cancel"),
        Binding("ctrl+s", "done", "Record update", id="update.record"),
    ]

    def __init__(self, description: str, status: str, today: dt.date) -> None:
        super().__init__(classes="dialog followup-dialog")
        self._description = description
        self._status = status
        self._today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel"):
            yield Static("Progress on an action", classes="title")
            yield Shown(self._description, classes="hint")
            yield Static("Status from now on", classes="field-label")
            yield Select(
                [(label, key) for key, label in ACTION_STATUSES.items()],
                value=self._status if self._status in ACTION_STATUSES else "open",
                allow_blank=False,
                compact=True,
                id="status",
            )
            yield Static("What happened (the progress note)", classes="field-label")
            yield SafeTextArea("", id="note", classes="outcome")
            yield Static("On", classes="field-label")
            yield SafeInput(self._today.isoformat(), placeholder="YYYY-MM-DD", id="on")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Record update", id="done", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#status").focus()

    def action_done(self) -> None:
        status = str(self.query_one("#status", Select).value)
        note = self.query_one("#note", TextArea).text
        self.dismiss(ActionProgress(status, note, self.query_one("#on", Input).value.strip()))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "done":
            self.action_done()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)
