"""A yes/no item, with the reason for the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import RadioSet, TextArea

from qa_tui.domain.evaluation import set_response
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
    from qa_tui.domain.views import EvaluationView
    from qa_tui.framework.model import Item


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

    def _save(self, **values: Any) -> Any:
        ctx, item_id = self.ctx, self.item.id
        return lambda ws: ws.write(set_response, ctx.template, ctx.evaluation_id, item_id, **values)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        answer = pressed_name(event.radio_set) == "yes"
        if answer != self._answer:
            self._answer = answer
            self.save_now(f"{self.item.id}:answer", self.item.id, self._save(answer=answer))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        area = event.text_area
        self.save_later(f"{self.item.id}:text", self.item.id, lambda: self._save(text=area.text))
