"""A grade item: the scale's words (plus "not applicable" with a reason) and the evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Input, RadioSet, TextArea

from qa_tui.framework.model import NOT_APPLICABLE
from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    Field,
    FieldError,
    ItemWidget,
    grade_radios,
    label,
    pressed_name,
    text_area,
    user_edit,
)

if TYPE_CHECKING:
    from qa_tui.framework.model import Item
    from qa_tui.store.views import EvaluationView


class GradeItem(ItemWidget):
    """Judgement on the template's grading scale, and the evidence for it."""

    def __init__(self, ctx: EditorContext, item: Item, view: EvaluationView) -> None:
        super().__init__(ctx, id=f"t-{item.id}")
        self.item = item
        response = view.responses.get(item.id)
        self._grade = response.grade if response else ""
        self._na_reason = response.na_reason if response else ""
        self._evidence = response.evidence if response else ""

    def compose(self) -> ComposeResult:
        item = self.item
        yield label(item.prompt, "prompt")
        if item.guidance:
            yield label(item.guidance, "guidance")
        yield grade_radios(self.ctx.template, self._grade, id=f"f-{item.id}-grade")
        na = Field(self._na_reason, placeholder="Why is it not applicable?", id=f"f-{item.id}-na")
        na.display = self._grade == NOT_APPLICABLE
        yield na
        required = " (required)" if item.evidence_required else ""
        yield label(f"Evidence{required}", "field-label")
        yield text_area(self._evidence, id=f"f-{item.id}-evidence", classes="evidence")
        yield FieldError(item.id)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        grade = pressed_name(event.radio_set)
        self.query_one(f"#f-{self.item.id}-na", Input).display = grade == NOT_APPLICABLE
        if grade != self._grade:
            self._grade = grade
            item_id = self.item.id
            self.ctx.saver.now(
                Target(f"{item_id}:grade", self, item_id), self.ctx.editor.set_grade, item_id, grade
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not user_edit(event):
            return
        item_id = self.item.id
        self.ctx.saver.later(
            Target(f"{item_id}:na", self, item_id),
            self.ctx.editor.set_response_text,
            item_id,
            "na_reason",
            event.input.value,
        )

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        item_id = self.item.id
        self.ctx.saver.later(
            Target(f"{item_id}:evidence", self, item_id),
            self.ctx.editor.set_response_text,
            item_id,
            "evidence",
            event.text_area.text,
        )
