"""A free-text item: one answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import TextArea

from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import EditorContext, FieldError, ItemWidget, label, text_area

if TYPE_CHECKING:
    from qa_tui.framework.model import Item
    from qa_tui.store.views import EvaluationView


class TextItem(ItemWidget):
    """A question answered in words."""

    def __init__(self, ctx: EditorContext, item: Item, view: EvaluationView) -> None:
        super().__init__(ctx, id=f"t-{item.id}")
        self.item = item
        response = view.responses.get(item.id)
        self._text = response.text if response else ""

    def compose(self) -> ComposeResult:
        yield label(self.item.prompt, "prompt")
        if self.item.guidance:
            yield label(self.item.guidance, "guidance")
        yield text_area(self._text, id=f"f-{self.item.id}-text", classes="answer")
        yield FieldError(self.item.id)

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
