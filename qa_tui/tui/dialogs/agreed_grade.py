"""The group's agreed grade of one item, with the rationale a disagreement needs."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from qa_tui.framework.model import NOT_APPLICABLE, GradingScale
from qa_tui.tui.text import SafeInput, Shown, ShownLabel, line, rich_text


@dataclass(frozen=True)
class AgreedGrade:
    grade: str
    rationale: str


class AgreedGradeDialog(ModalScreen[AgreedGrade | None]):
    """Choose the agreed grade (preselected) and say why it differs from the auditor's."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#rationale"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="agreed.cancel"),
        Binding("ctrl+s", "save", "Save", id="agreed.save"),
    ]

    def __init__(
        self, prompt: str, scale: GradingScale, auditor: str, grade: str, rationale: str = ""
    ) -> None:
        super().__init__(classes="dialog")
        self._prompt = prompt
        self._scale = scale
        self._auditor = auditor
        self._grade = grade
        self._rationale = rationale
        ranked = sorted(scale.grades, key=lambda g: -g.rank)
        self._ids = [g.id for g in ranked] + (
            [NOT_APPLICABLE] if scale.allow_not_applicable else []
        )

    def compose(self) -> ComposeResult:
        auditor = self._scale.label(self._auditor) or "no grade"
        with Vertical(classes="panel"):
            yield Shown(f"Agreed grade: {line(self._prompt, 60)}", classes="title")
            yield Shown(f"The auditor's grade: {auditor}", classes="hint")
            yield Label("The group's grade", classes="field-label")
            yield OptionList(
                *(Option(rich_text(self._scale.label(g) or g), id=g) for g in self._ids),
                id="grades",
            )
            yield Label("Why (needed when the group disagrees)", classes="field-label")
            yield SafeInput(self._rationale, id="rationale", select_on_focus=False)
            yield ShownLabel("", id="rationale-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")
            yield Static(
                "Enter or ctrl+s saves; tab moves between the grade and why.", classes="hint"
            )
        yield Footer()

    def on_mount(self) -> None:
        grades = self.query_one("#grades", OptionList)
        if self._grade in self._ids:
            grades.highlighted = self._ids.index(self._grade)

    def _chosen(self) -> str:
        index = self.query_one("#grades", OptionList).highlighted
        return self._ids[index] if index is not None else ""

    def action_save(self) -> None:
        grade, why = self._chosen(), self.query_one("#rationale", Input).value
        if grade and grade != self._auditor and not why.strip():
            error = self.query_one("#rationale-error", Label)
            error.update("Say why the group's grade differs from the auditor's.")
            error.add_class("-shown")
            self.query_one("#rationale", Input).focus()
            return
        self.dismiss(AgreedGrade(grade, why))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#rationale", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
