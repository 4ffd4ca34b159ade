"""Case details: what is evaluated, by whom, with whom (checked against the authority's rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Input, RadioSet, Select

from qa_tui.services.editor import DetailField
from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    Field,
    FieldError,
    ItemWidget,
    choice_select,
    label,
    pressed_name,
    select_value,
    user_edit,
    yes_no_radios,
)
from qa_tui.vocab import EVALUATION_TYPES

if TYPE_CHECKING:
    from qa_tui.store.views import EvaluationView

TEXT_FIELDS: dict[DetailField, str] = {
    "case_reference": "Case reference (the ID from the case-management system, never a name)",
    "service_area": "Service area",
    "team": "Team",
    "practitioner": "Practitioner",
    "evaluation_date": "Date of the evaluation (YYYY-MM-DD or DD/MM/YYYY)",
    "practice_day": "Practice day (if any)",
    "theme": "Theme (for a thematic evaluation)",
    "auditor": "Auditor",
    "auditor_role": "Auditor's role",
}


class DetailsPanel(ItemWidget):
    """Step 1 of the journey; each field is saved and checked on its own."""

    def __init__(self, ctx: EditorContext, view: EvaluationView) -> None:
        super().__init__(ctx, id="t-details")
        self.ev = view.evaluation
        self._type = self.ev.evaluation_type
        self._present = self.ev.practitioner_present

    def compose(self) -> ComposeResult:
        template = self.ctx.template
        yield label(f"Template: {template.name} (version {template.version})", "guidance")
        for field, title in TEXT_FIELDS.items():
            value = getattr(self.ev, field)
            yield label(title, "field-label")
            yield Field("" if value is None else str(value), id=f"f-{field}", classes="detail")
            yield FieldError(field)
        yield label("Evaluation type", "field-label")
        options = [(title, key) for key, title in EVALUATION_TYPES.items()]
        yield choice_select(options, self.ev.evaluation_type, id="f-evaluation_type")
        yield FieldError("evaluation_type")
        yield label("Was the practitioner present?", "field-label")
        yield yes_no_radios(self.ev.practitioner_present, id="f-practitioner_present")
        yield FieldError("practitioner_present")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not user_edit(event):
            return
        field = next(f for f in TEXT_FIELDS if event.input.id == f"f-{f}")
        self.ctx.saver.later(
            Target(f"details:{field}", self, field),
            self.ctx.editor.set_detail,
            field,
            event.input.value,
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = select_value(event.select)
        if value and value != self._type:
            self._type = value
            self.ctx.saver.now(
                Target("details:evaluation_type", self, "evaluation_type"),
                self.ctx.editor.set_detail,
                "evaluation_type",
                value,
            )

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        present = pressed_name(event.radio_set) == "yes"
        if present != self._present:
            self._present = present
            self.ctx.saver.now(
                Target("details:practitioner_present", self, "practitioner_present"),
                self.ctx.editor.set_practitioner_present,
                present,
            )
