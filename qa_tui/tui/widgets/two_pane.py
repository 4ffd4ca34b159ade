"""Two panes aligned item by item, scrolling together, one item highlighted.

Each row holds the same item on both sides (the auditor's record and the group's moderation,
or two evaluations of one case), so the panes can never drift apart: they are one scrolling
list of rows of two cells. In a narrow terminal (``-stacked``) each row shows one cell, the
left or the right (``-flipped``), and a key flips between them (the rules for those classes
are in ``tui/screens/side_by_side.tcss``: a widget's own CSS is scoped to the widget).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

STACK_BELOW = 110  # terminal columns: below this one pane at a time

Cells = tuple[Content, Content]


class PaneRow(Horizontal):
    """One item: its left and right cells."""

    DEFAULT_CSS = """
    PaneRow {
        layout: grid; grid-size: 2; grid-columns: 1fr 1fr; grid-rows: auto;
        height: auto; padding: 0 1; border-bottom: hkey $panel-lighten-1;
    }
    PaneRow > Static { height: 100%; padding: 0 1; }
    PaneRow > .left { border-right: vkey $panel-lighten-2; }
    PaneRow.-current { background: $primary 15%; }
    """

    def __init__(self, cells: Cells, index: int) -> None:
        left, right = Static(classes="left"), Static(classes="right")
        left.update(cells[0])  # Content made by literal(): shown as written, never markup
        right.update(cells[1])
        super().__init__(left, right, id=f"row-{index}")
        self.cells = cells

    def show(self, cells: Cells) -> None:
        if cells[0] != self.cells[0]:
            self.query_one(".left", Static).update(cells[0])
        if cells[1] != self.cells[1]:
            self.query_one(".right", Static).update(cells[1])
        self.cells = cells


class TwoPane(VerticalScroll, can_focus=True):
    """The rows; ``cursor`` is the highlighted one (moved item by item, not line by line)."""

    BINDINGS = [
        Binding("down,j", "move(1)", "Next item", id="pane.down", show=False),
        Binding("up,k", "move(-1)", "Previous item", id="pane.up", show=False),
        Binding("home", "move(-100000)", "First item", id="pane.first", show=False),
        Binding("end", "move(100000)", "Last item", id="pane.last", show=False),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    class Moved(Message):
        """The highlighted item changed."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[PaneRow] = []

    @property
    def count(self) -> int:
        return len(self._rows)

    async def set_rows(self, rows: list[Cells], cursor: int = 0) -> None:
        """Show ``rows``: the same number as shown updates them in place (no new widgets)."""
        if len(rows) == len(self._rows):
            for row, cells in zip(self._rows, rows, strict=True):
                row.show(cells)
        else:
            await self.remove_children()
            self._rows = [PaneRow(cells, i) for i, cells in enumerate(rows)]
            await self.mount_all(self._rows)
        self.set_reactive(TwoPane.cursor, min(max(cursor, 0), max(len(rows) - 1, 0)))
        self._highlight(None, self.cursor)

    def update_row(self, index: int, cells: Cells) -> None:
        if 0 <= index < len(self._rows):
            self._rows[index].show(cells)

    def move(self, delta: int) -> None:
        if self._rows:
            self.cursor = min(max(self.cursor + delta, 0), len(self._rows) - 1)

    def action_move(self, delta: int) -> None:
        self.move(delta)

    def watch_cursor(self, old: int, new: int) -> None:
        self._highlight(old, new)
        self.post_message(self.Moved(new))

    def _highlight(self, old: int | None, new: int) -> None:
        if old is not None and 0 <= old < len(self._rows):
            self._rows[old].remove_class("-current")
        if 0 <= new < len(self._rows):
            row = self._rows[new]
            row.add_class("-current")
            # Scroll only when the row is not wholly in view: a highlight alone repaints two
            # rows; a scroll repaints the pane.
            view = self.scrollable_content_region
            if not (view.y <= row.region.y and row.region.bottom <= view.bottom):
                self.scroll_to_widget(row, animate=False, immediate=True)

    def set_stacked(self, stacked: bool) -> None:
        self.set_class(stacked, "-stacked")

    def flip(self) -> bool:
        """Show the other pane (stacked only); True when the right one is now shown."""
        self.toggle_class("-flipped")
        return self.has_class("-flipped")
