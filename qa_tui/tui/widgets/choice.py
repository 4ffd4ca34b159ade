"""A radio button that shows its state by shape, not colour alone."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import RadioButton


class Choice(RadioButton):
    """A radio button whose state shows in its shape (● chosen, ○ not), not by colour alone.

    Textual's own draws ● for both and tells them apart by colour only.
    """

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else "○"
        return super()._button
