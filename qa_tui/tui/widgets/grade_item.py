"""A grade item: the scale's words (plus "not applicable" with a reason) and the evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widget import Widget
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


NA_LABEL = "Why is it not applicable? (required; no evidence is needed)"
NA_PLACEHOLDER = "The reason this does not apply to this case"


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
        # The evidence and the "not applicable" reason share one place, right under the
        # grade: whichever the grade asks for is shown there, so the Tab after choosing a
        # grade always reaches the box that grade needs, and nothing moves under the user.
        required = " (required)" if item.evidence_required else ""
        yield label(f"Evidence{required}", "field-label evidence-label")
        yield text_area(self._evidence, id=f"f-{item.id}-evidence", classes="evidence")
        yield label(NA_LABEL, "field-label na-label")
        yield Field(self._na_reason, placeholder=NA_PLACEHOLDER, id=f"f-{item.id}-na")
        yield FieldError(item.id)

    def on_mount(self) -> None:  # ItemWidget's on_mount runs too (Textual calls each class's)
        self._show_for(self._grade)

    def _show_for(self, grade: str) -> None:
        """Show the box the grade asks for: the reason for "not applicable", else evidence."""
        na = grade == NOT_APPLICABLE
        for widget in self.query(".evidence-label, .evidence"):
            widget.display = not na
        for widget in self.query(f".na-label, #f-{self.item.id}-na"):
            widget.display = na

    def first_missing(self) -> Widget | None:
        """The first of this item's fields still to fill in (the grade before the evidence)."""
        item_id = self.item.id
        if not self._grade:
            return self.query_one(f"#f-{item_id}-grade")
        if self._grade == NOT_APPLICABLE:
            reason = self.query_one(f"#f-{item_id}-na", Input)
            return reason if not reason.value.strip() else None
        evidence = self.query_one(f"#f-{item_id}-evidence", TextArea)
        return evidence if self.item.evidence_required and not evidence.text.strip() else None

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        grade = pressed_name(event.radio_set)
        self._show_for(grade)
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
