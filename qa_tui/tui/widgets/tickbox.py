"""A checkbox whose state is drawn, not only coloured: ``[✓]`` ticked, ``[ ]`` not.

Textual's Checkbox always draws an ``X`` and shows its state by colour alone, which a
high-contrast theme or a colour-blind user can miss.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):
    """A :class:`Checkbox` drawn as ``[✓] label`` or ``[ ] label``."""

    @property
    def _button(self) -> Content:
        return Content("[✓]" if self.value else "[ ]")
