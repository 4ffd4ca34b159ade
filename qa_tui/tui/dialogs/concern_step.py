"""A step in an immediate concern's lifecycle: who acknowledged it and when, or its closure
with the outcome. A typed form that validates what it can and dismisses with the step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Select, Static, TextArea

from qa_tui.tui.text import SafeInput, SafeTextArea, Shown, ShownLabel
from qa_tui.vocab import CONCERN_RECIPIENTS, MAX_SHORT_TEXT


@dataclass(frozen=True)
class ConcernStep:
    kind: str  # "acknowledged" or "closed"
    role: str
    name: str
    on: str
    note: str


class ConcernStepDialog(ModalScreen[ConcernStep | None]):
    """Acknowledged (by whom, when) or closed (when, the outcome)."""

    CSS_PATH = ["dialogs.tcss", "followup.tcss"]
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="step.cancel"),
        Binding("ctrl+s", "done", "Record", id="step.record"),
    ]

    def __init__(self, kind: str, today: dt.date) -> None:
        super().__init__(classes="dialog followup-dialog")
        self.kind = kind
        self._today = today

    def compose(self) -> ComposeResult:
        closing = self.kind == "closed"
        with Vertical(classes="panel"):
            title = "Close the concern" if closing else "The notice was acknowledged"
            yield Shown(title, classes="title")
            if not closing:
                yield Static("By", classes="field-label")
                yield Select(
                    [(label, key) for key, label in CONCERN_RECIPIENTS.items()],
                    prompt="Who acknowledged it",
                    compact=True,
                    id="role",
                )
                yield SafeInput(placeholder="their name", id="name", max_length=MAX_SHORT_TEXT)
            else:
                yield Static("Outcome: what was done about the concern", classes="field-label")
                yield SafeTextArea("", id="note", classes="outcome")
            yield Static("On", classes="field-label")
            yield SafeInput(self._today.isoformat(), placeholder="YYYY-MM-DD", id="on")
            yield ShownLabel("", id="step-error", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Record", id="done", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#note" if self.kind == "closed" else "#role").focus()

    def action_done(self) -> None:
        error = self.query_one("#step-error", ShownLabel)
        on_date = self.query_one("#on", Input).value.strip()
        if self.kind == "closed":
            note = self.query_one("#note", TextArea).text
            if not note.strip():
                error.update("Say what was done about the concern.")
                return
            self.dismiss(ConcernStep("closed", "", "", on_date, note))
            return
        role = self.query_one("#role", Select).value
        if role is Select.NULL:
            error.update("Choose who acknowledged the notice.")
            self.query_one("#role").focus()
            return
        name = self.query_one("#name", Input).value
        self.dismiss(ConcernStep("acknowledged", str(role), name, on_date, ""))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "done":
            self.action_done()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)
