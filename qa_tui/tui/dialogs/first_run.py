"""First run: who is the auditor? Name, role and team, saved to the config by the caller."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from qa_tui.tui.text import SafeInput, ShownLabel
from qa_tui.vocab import MAX_SHORT_TEXT


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    team: str


class FirstRunDialog(ModalScreen[Identity | None]):
    """Ask the auditor's name (required), role and team; escape skips for now."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#name"
    BINDINGS = [Binding("escape", "skip", "Later", id="first_run.skip")]

    def __init__(self, name: str = "", role: str = "", team: str = "") -> None:
        super().__init__(classes="dialog")
        self._initial = Identity(name, role, team)

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel"):
            yield Static("Welcome to qa-tui", classes="title")
            yield Static(
                "Your name, role and team go on every evaluation you make on this laptop. "
                "You can change them later in the settings file.",
                classes="hint",
            )
            yield Label("Your name", classes="field-label")
            yield SafeInput(self._initial.name, id="name", max_length=MAX_SHORT_TEXT)
            yield ShownLabel("", id="name-error", classes="field-error")
            yield Label("Your role (e.g. team manager, service manager)", classes="field-label")
            yield SafeInput(self._initial.role, id="role", max_length=MAX_SHORT_TEXT)
            yield Label("Your team", classes="field-label")
            yield SafeInput(self._initial.team, id="team", max_length=MAX_SHORT_TEXT)
            with Horizontal(classes="buttons"):
                yield Button("Later", id="skip")
                yield Button("Save", id="save", variant="primary")
        yield Footer()

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def _save(self) -> None:
        if not self._value("name"):
            error = self.query_one("#name-error", Label)
            error.update("Your name is needed: it is recorded as the auditor.")
            error.add_class("-shown")
            self.query_one("#name", Input).focus()
            return
        self.dismiss(Identity(self._value("name"), self._value("role"), self._value("team")))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "team":
            self._save()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save()
        else:
            self.dismiss(None)

    def action_skip(self) -> None:
        self.dismiss(None)
