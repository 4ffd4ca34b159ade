"""A new moderation session: when, what it is called, who moderates, blind pass or not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static, TextArea

from qa_tui.tui.text import SafeInput, SafeTextArea, Shown, ShownLabel


@dataclass(frozen=True)
class NewSessionRequest:
    held_on: str
    title: str
    moderators: list[tuple[str, str]]
    blind_first: bool


def parse_moderators(text: str) -> list[tuple[str, str]]:
    """One moderator a line, "Name, Role" (the role optional)."""
    out = []
    for raw in text.splitlines():
        name, _comma, role = raw.partition(",")
        if name.strip():
            out.append((name.strip(), role.strip()))
    return out


class NewSessionDialog(ModalScreen[NewSessionRequest | None]):
    """The session's details; dismisses with a request the caller creates (or None)."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#held_on"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new_session.cancel"),
        Binding("ctrl+s", "save", "Create", id="new_session.save"),
    ]

    def __init__(
        self,
        today: dt.date,
        me: tuple[str, str],
        initial: NewSessionRequest | None = None,
        error: str = "",
    ) -> None:
        super().__init__(classes="dialog")
        present = [me] if me[0] else []  # who is preparing it, once the first run knows
        self._initial = initial or NewSessionRequest(today.isoformat(), "", present, True)
        self._error = error

    def compose(self) -> ComposeResult:
        start = self._initial
        people = "\n".join(f"{n}, {r}" if r else n for n, r in start.moderators)
        with Vertical(classes="panel"):
            yield Static("New moderation session", classes="title")
            yield Label("Date (YYYY-MM-DD)", classes="field-label")
            yield SafeInput(start.held_on, id="held_on")
            yield Label("Title (optional)", classes="field-label")
            yield SafeInput(start.title, placeholder="e.g. Moderation group, October", id="title")
            yield Label("Moderators present: one a line, Name, Role", classes="field-label")
            yield SafeTextArea(people, id="moderators", classes="outcome")
            yield Checkbox(
                "Blind first pass (grades before the auditor's are shown)",
                start.blind_first,
                id="blind",
                classes="compact",
            )
            yield ShownLabel(self._error, id="session-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create", id="save", variant="primary")
            yield Shown(
                "ctrl+s creates the session; then add evaluations (a) or sample them (s).",
                classes="hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#session-error").set_class(bool(self._error), "-shown")

    def action_save(self) -> None:
        request = NewSessionRequest(
            self.query_one("#held_on", Input).value.strip(),
            self.query_one("#title", Input).value.strip(),
            parse_moderators(self.query_one("#moderators", TextArea).text),
            self.query_one("#blind", Checkbox).value,
        )
        if not request.moderators:
            error = self.query_one("#session-error", Label)
            error.update("Name at least one moderator.")
            error.add_class("-shown")
            return
        self.dismiss(request)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
