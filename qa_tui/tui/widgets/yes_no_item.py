"""A yes/no item, with the reason for the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import RadioSet, TextArea

from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    FieldError,
    ItemWidget,
    label,
    pressed_name,
    text_area,
    yes_no_radios,
)

if TYPE_CHECKING:
    from qa_tui.framework.model import Item
    from qa_tui.store.views import EvaluationView


class YesNoItem(ItemWidget):
    """Yes or no, and why."""

    def __init__(self, ctx: EditorContext, item: Item, view: EvaluationView) -> None:
        super().__init__(ctx, id=f"t-{item.id}")
        self.item = item
        response = view.responses.get(item.id)
        self._answer = response.answer if response else None
        self._text = response.text if response else ""

    def compose(self) -> ComposeResult:
        yield label(self.item.prompt, "prompt")
        if self.item.guidance:
            yield label(self.item.guidance, "guidance")
        yield yes_no_radios(self._answer, id=f"f-{self.item.id}-answer")
        yield label("Reason", "field-label")
        yield text_area(self._text, id=f"f-{self.item.id}-text", classes="answer")
        yield FieldError(self.item.id)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        answer = pressed_name(event.radio_set) == "yes"
        if answer != self._answer:
            self._answer = answer
            item_id = self.item.id
            self.ctx.saver.now(
                Target(f"{item_id}:answer", self, item_id),
                self.ctx.editor.set_answer,
                item_id,
                answer,
            )

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        item_id = self.item.id
        self.ctx.saver.later(
            Target(f"{item_id}:text", self, item_id),
            self.ctx.editor.set_response_text,
            item_id,
            "text",
            event.text_area.text,
        )
