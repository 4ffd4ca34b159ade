"""Two panes aligned item by item, scrolling together, one item highlighted.

Each row holds the same item on both sides (the auditor's record and the group's moderation,
or two evaluations of one case), so the panes can never drift apart: they are one scrolling
list of rows of two cells. In a narrow terminal (``-stacked``) each row shows one cell, the
left or the right (``-flipped``), and a key flips between them.

The rows are drawn line by line (Textual's line API), not as a widget per cell: an audit of
60 items would otherwise be 180 widgets to mount, style and lay out, and moving the highlight
restyled and re-laid out the pane. Here the cells are wrapped once per width, each row's
lines are kept, and a move repaints the lines of two rows (and scrolls when the new row is
out of view) — the benchmark tests/benchmarks/bench_moderation.py times it.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.binding import Binding
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual

STACK_BELOW = 110  # terminal columns: below this one pane at a time

Cells = tuple[Content, Content]


class TwoPane(ScrollView, can_focus=True):
    """The rows; ``cursor`` is the highlighted one (moved item by item, not line by line)."""

    COMPONENT_CLASSES = {"two-pane--current", "two-pane--rule", "two-pane--divider"}
    DEFAULT_CSS = """
    TwoPane > .two-pane--current { background: $primary 15%; }
    TwoPane > .two-pane--rule { color: $panel-lighten-1; }
    TwoPane > .two-pane--divider { color: $panel-lighten-2; }
    """
    BINDINGS = [
        Binding("down,j", "move(1)", "Next item", id="pane.down", show=False),
        Binding("up,k", "move(-1)", "Previous item", id="pane.up", show=False),
        Binding("home", "move(-100000)", "First item", id="pane.first", show=False),
        Binding("end", "move(100000)", "Last item", id="pane.last", show=False),
    ]

    # No repaint of its own: a move repaints the two rows it changes (watch_cursor).
    cursor: reactive[int] = reactive(0, init=False, repaint=False)

    class Moved(Message):
        """The highlighted item changed."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[Cells] = []
        self._tops: list[int] = [0]  # first line of each row, and the total at the end
        self._layout_key: tuple[int, bool, bool] | None = None
        self._lines: dict[tuple[int, bool], list[Strip]] = {}  # (row, highlighted) -> lines
        self._styles_key: tuple[RichStyle, ...] | None = None  # the styles the lines were drawn in
        self._styles_changed = True
        self._drawing_ahead = False

    @property
    def count(self) -> int:
        return len(self._rows)

    async def set_rows(self, rows: list[Cells], cursor: int = 0) -> None:
        """Show ``rows``, the highlight on ``cursor``."""
        self._rows = list(rows)
        self._layout_key = None
        self.set_reactive(TwoPane.cursor, min(max(cursor, 0), max(len(rows) - 1, 0)))
        self._measure()
        self.refresh()
        self._scroll_to_cursor()

    def update_row(self, index: int, cells: Cells) -> None:
        if 0 <= index < len(self._rows):
            self._rows[index] = cells
            self._layout_key = None
            self._measure()
            self.refresh()

    def move(self, delta: int) -> None:
        if self._rows:
            self.cursor = min(max(self.cursor + delta, 0), len(self._rows) - 1)

    def action_move(self, delta: int) -> None:
        self.move(delta)

    def watch_cursor(self, old: int, new: int) -> None:
        for row in (old, new):
            if 0 <= row < len(self._rows):
                top = self._tops[row]
                self.refresh_lines(top, self._tops[row + 1] - top)
        self._scroll_to_cursor()
        self._draw_ahead_later()  # the next rows' highlighted lines, after this frame
        self.post_message(self.Moved(new))

    def _scroll_to_cursor(self) -> None:
        """Scroll only when the row is not wholly in view (a scroll repaints the pane)."""
        row = self.cursor
        if not 0 <= row < len(self._rows):
            return
        top, bottom = self._tops[row], self._tops[row + 1]
        if not (self.scroll_y <= top and bottom <= self.scroll_y + self.scrollable_size.height):
            region = Region(0, top, 1, bottom - top)
            self.scroll_to_region(region, animate=False, immediate=True, top=True)

    def set_stacked(self, stacked: bool) -> None:
        self.set_class(stacked, "-stacked")
        self._relayout()

    def flip(self) -> bool:
        """Show the other pane (stacked only); True when the right one is now shown."""
        self.toggle_class("-flipped")
        self._relayout()
        return self.has_class("-flipped")

    # --- drawing --------------------------------------------------------------------------

    def _relayout(self) -> None:
        self._measure()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_changed = True

    def _check_styles(self) -> None:
        """Forget the drawn lines if the colours they were drawn in changed. Styles are applied
        again on any class or focus change here or on the screen, not only on a theme change:
        the lines are drawn again only when they would look different."""
        if not self._styles_changed:
            return
        self._styles_changed = False
        get = self.get_visual_style
        current = "two-pane--current"
        key = (
            self.rich_style,
            get().rich_style,
            get(current).rich_style,
            get("two-pane--divider").rich_style,
            get(current, "two-pane--divider").rich_style,
            get("two-pane--rule").rich_style,
        )
        if key != self._styles_key:
            self._styles_key = key
            self._lines.clear()
            self._draw_ahead_later()

    def _draw_ahead_later(self) -> None:
        if not self._drawing_ahead and self._rows:
            self._drawing_ahead = True
            self.call_after_refresh(self._draw_ahead)

    def _draw_ahead(self, batch: int = 6) -> None:
        """Draw the lines of rows not drawn yet, a few at a time between frames and keys: the
        rows next to the highlighted one as they look highlighted, then every row as it looks
        not highlighted, those below the view first. A move then only puts drawn lines on
        screen: drawing (wrapping) the rows a scroll brought into view cost a scrolling move
        3-9 ms of its 15-27 (bench_moderation, an audit of 60 items at 200x50)."""
        self._drawing_ahead = False
        if not self._rows or not self.is_mounted or not self.size.width:
            return
        self._measure()
        self._check_styles()
        cursor, count = self.cursor, len(self._rows)
        first = max(bisect_right(self._tops, self.scroll_y) - 1, 0)
        order = [*range(first, count), *range(0, first)]
        wanted = [(cursor + 1, True), (cursor - 1, True), *((r, r == cursor) for r in order)]
        missing = [k for k in wanted if 0 <= k[0] < count and k not in self._lines]
        for row, current in missing[:batch]:
            self._row_lines(row, current)
        if len(missing) > batch:
            self._drawing_ahead = True
            self.call_after_refresh(self._draw_ahead)

    def on_resize(self) -> None:
        self._relayout()
        self._scroll_to_cursor()

    def _widths(self, width: int) -> tuple[int, int]:
        """The text width of the left and right cells (right 0: one cell per row)."""
        if self.has_class("-stacked"):
            return max(width - 4, 1), 0
        text = max(width - 7, 2)  # "  left │ right  ": padding, cell padding, the divider
        return text // 2, text - text // 2

    def _measure(self) -> None:
        """Each row's height at the current width; the pane's virtual size from them."""
        width = self.scrollable_content_region.width or self.size.width
        key = (width, self.has_class("-stacked"), self.has_class("-flipped"))
        if key == self._layout_key:
            return
        self._layout_key = key
        self._lines.clear()
        self._draw_ahead_later()
        left, right = self._widths(width)
        rules: RulesMap = {}  # the cells' own wrapping: the defaults, as they are drawn
        tops = [0]
        for cells in self._rows:
            if right:
                height = max(cells[0].get_height(rules, left), cells[1].get_height(rules, right))
            else:
                height = self._shown(cells).get_height(rules, left)
            tops.append(tops[-1] + max(height, 1) + 1)  # +1: the rule under the row
        self._tops = tops
        self.virtual_size = Size(width, tops[-1])

    def _shown(self, cells: Cells) -> Content:
        return cells[1] if self.has_class("-flipped") else cells[0]

    def _row_lines(self, row: int, current: bool) -> list[Strip]:
        found = self._lines.get((row, current))
        if found is not None:
            return found
        width = self._layout_key[0] if self._layout_key else self.size.width
        left, right = self._widths(width)
        classes = ("two-pane--current",) if current else ()
        style = self.get_visual_style(*classes)
        base = style.rich_style
        cells = self._rows[row]
        height = self._tops[row + 1] - self._tops[row] - 1
        if right:
            parts = (
                self._cell(cells[0], left, height, style),
                self._cell(cells[1], right, height, style),
            )
            bar = self.get_visual_style(*classes, "two-pane--divider").rich_style
            pad, divider = Segment(" ", base), Segment("│", bar)
            lines = [
                Strip([pad, pad, *a, pad, divider, pad, *b, pad, pad], width)
                for a, b in zip(*parts, strict=True)
            ]
        else:
            pad = Segment("  ", base)
            shown = self._cell(self._shown(cells), left, height, style)
            lines = [Strip([pad, *a, pad], width) for a in shown]
        rule = self.get_visual_style("two-pane--rule").rich_style
        lines.append(Strip([Segment("─" * width, rule)], width))
        self._lines[(row, current)] = lines
        return lines

    def _cell(self, content: Content, width: int, height: int, style: Style) -> list[Strip]:
        """The cell's lines, each ``width`` wide, blank lines below to ``height``."""
        strips = Visual.to_strips(self, content, width, None, style, pad=True)
        blank = Strip.blank(width, style.rich_style)
        return strips[:height] + [blank] * (height - len(strips))

    def render_line(self, y: int) -> Strip:
        self._measure()
        self._check_styles()
        scroll_x, scroll_y = self.scroll_offset
        line = y + scroll_y
        width = self.scrollable_content_region.width
        base = self._base_style()
        if not self._rows or line >= self._tops[-1]:
            return Strip.blank(width, base)
        row = bisect_right(self._tops, line) - 1
        strip = self._row_lines(row, row == self.cursor)[line - self._tops[row]]
        if not scroll_x and strip.cell_length == width:
            return strip  # drawn at this width: nothing to crop or extend
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _base_style(self) -> RichStyle:
        """The widget's own style, as the lines were drawn in (``rich_style`` walks every
        ancestor's styles on each call: a pane of 44 lines asked for it 44 times a frame)."""
        key = self._styles_key
        return key[0] if key is not None else self.rich_style
