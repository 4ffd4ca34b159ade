"""Reopening a completed evaluation: deliberate, and with a reason that is recorded."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from qa_tui.tui.text import SafeInput, Shown, ShownLabel, line


class ReopenDialog(ModalScreen[str | None]):
    """Ask why a completed evaluation is reopened; dismisses with the reason or None."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#reason"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reopen.cancel")]

    def __init__(self, case_reference: str) -> None:
        super().__init__(classes="dialog")
        self._case_reference = case_reference

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel"):
            yield Shown(f"Reopen evaluation {line(self._case_reference, 40)}?", classes="title")
            yield Static(
                "A completed evaluation is read-only. Reopening it is recorded with your name, "
                "the time and the reason.",
                classes="hint",
            )
            yield Label("Reason for reopening", classes="field-label")
            yield SafeInput(placeholder="e.g. new information from the team manager", id="reason")
            yield ShownLabel("", id="reason-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Reopen", id="reopen", variant="warning", compact=True)
        yield Footer()

    def _submit(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.show_error("Give a reason for reopening: it is kept with the evaluation.")
            return
        self.dismiss(reason)

    def show_error(self, text: str) -> None:
        error = self.query_one("#reason-error", Label)
        error.update(text)
        error.set_class(bool(text), "-shown")
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "reopen":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
