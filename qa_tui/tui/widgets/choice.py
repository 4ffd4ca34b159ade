"""A radio button that shows its state by shape, not colour alone."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import RadioButton, RadioSet


class Choice(RadioButton):
    """A radio button whose state shows in its shape (● chosen, ○ not), not by colour alone.

    Textual's own draws ● for both and tells them apart by colour only.
    """

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else "○"
        return super()._button


class ChoiceSet(RadioSet):
    """A radio set whose cursor starts on the chosen button (Textual's starts on the first),
    so Enter or Space on a grade already given keeps it rather than choosing another."""

    def on_mount(self) -> None:
        # After RadioSet's own mount handler, which puts the cursor on the first button.
        self.call_later(self._start_at_pressed)

    def _start_at_pressed(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index
