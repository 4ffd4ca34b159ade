"""The optional evidence for one prompt (an example to look for): one line, Enter keeps it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from qa_tui.tui.text import SafeInput, Shown


class PromptEvidenceDialog(ModalScreen[str | None]):
    """Shows the example in full; dismisses with the evidence typed, or None to cancel."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#prompt-evidence"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="prompt_evidence.cancel"),
        Binding("ctrl+s", "keep", "Keep", id="prompt_evidence.keep"),
    ]

    def __init__(self, prompt: str, evidence: str) -> None:
        super().__init__(classes="dialog")
        self._prompt = prompt
        self._evidence = evidence

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel"):
            yield Static("Evidence for this example", classes="title")
            with VerticalScroll(classes="form"):
                yield Shown(self._prompt, classes="prompt-text")
            yield Label("Where you saw it, or why not (optional)", classes="field-label")
            yield SafeInput(self._evidence, id="prompt-evidence")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Keep", id="keep", variant="primary")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_keep()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "keep":
            self.action_keep()
        else:
            self.action_cancel()

    def action_keep(self) -> None:
        self.dismiss(self.query_one("#prompt-evidence", Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)
