"""A text box that grows with what is typed: for feedback and actions, often a sentence or two.

In a one-line ``Input`` a long piece of feedback scrolls out of sight and cannot be read in
full; here the text wraps and the box grows (up to a limit, then it scrolls). Enter does what
it does in the row's other fields (adds the row, or moves on) instead of starting a new line,
and ctrl+delete removes the row, as in an ``Input`` of the row. What is typed or pasted is
kept exactly (see :class:`~qa_tui.tui.text.SafeTextArea`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from qa_tui.tui.text import SafeTextArea


class LongField(SafeTextArea):
    """A wrapping, growing text box whose Enter submits (like an ``Input``'s)."""

    DEFAULT_CSS = """
    LongField {
        height: auto;
        min-height: 3;
        max-height: 8;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+delete", "remove_row", "Remove row", id="long_field.remove", show=False),
    ]

    class Submitted(Message):
        """Enter was pressed in the box."""

        def __init__(self, field: LongField) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> LongField:
            return self.field

    class Remove(Message):
        """ctrl+delete: remove the row this box belongs to."""

        def __init__(self, field: LongField) -> None:
            super().__init__()
            self.field = field

    def __init__(self, text: str = "", *, placeholder: str = "", **kwargs: Any) -> None:
        super().__init__(
            text, soft_wrap=True, tab_behavior="focus", placeholder=placeholder, **kwargs
        )
        self.show_line_numbers = False

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            # Stops TextArea's own handler (Textual calls each class's _on_key in turn).
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self))

    def action_remove_row(self) -> None:
        self.post_message(self.Remove(self))
