"""The outcome of moderating one evaluation: learning points and feedback to the auditor."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static, TextArea

from qa_tui.tui.text import SafeTextArea, Shown, line, literal


@dataclass(frozen=True)
class Outcome:
    learning_points: str
    feedback_strengths: str
    feedback_gaps: str


FIELDS = (
    ("feedback_strengths", "What was evidenced well (feedback to the auditor)"),
    ("feedback_gaps", "What was not evidenced well (feedback to the auditor)"),
    ("learning_points", "The group's learning points"),
)


class OutcomeDialog(ModalScreen[Outcome | None]):
    """Three texts; the auditor sees the feedback on their summary after their next sync."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#feedback_strengths"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="outcome.cancel"),
        Binding("ctrl+s", "save", "Save", id="outcome.save"),
    ]

    def __init__(self, case_reference: str, current: Outcome) -> None:
        super().__init__(classes="dialog")
        self._case_reference = case_reference
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Shown(f"Outcome: {line(self._case_reference, 40)}", classes="title")
            with VerticalScroll(classes="form"):
                for name, label in FIELDS:
                    yield Label(literal(label), classes="field-label")
                    yield SafeTextArea(
                        getattr(self._current, name), id=name, soft_wrap=True, classes="outcome"
                    )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")
            yield Static("ctrl+s saves; tab moves to the next text.", classes="hint")
        yield Footer()

    def action_save(self) -> None:
        texts = {name: self.query_one(f"#{name}", TextArea).text for name, _label in FIELDS}
        self.dismiss(Outcome(**texts))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
