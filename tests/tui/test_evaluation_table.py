"""The home table's quick cell drawing looks exactly like DataTable's own."""

from __future__ import annotations

import asyncio

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from qa_tui.tui.widgets.evaluation_table import EvaluationTable

CELLS = [
    (
        Text("Draft", style="italic"),
        Text("LCS-204817"),
        Text("[bold]x[/bold] \\x1b[31m"),
        Text("3", justify="right"),
        Text("⚠ Concern", style="bold"),
    ),
    (
        Text("Completed"),
        Text("EHM-1"),
        Text("A practitioner with a very long name indeed"),
        Text("–", justify="right"),
        Text(""),
    ),
    (
        Text.assemble(("Re", "bold"), "opened"),
        Text("a long reference", overflow="ellipsis"),
        Text("centred", justify="center", style="underline"),
        Text("12345678", justify="right"),
        Text("x", style="reverse"),
    ),
]


def _per_char(lines: list[list[Segment]]) -> list[tuple[str, Style | None]]:
    return [(ch, seg.style) for line in lines for seg in line for ch in seg.text]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield EvaluationTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(EvaluationTable)
        for key, width in (("s", 10), ("c", 12), ("p", 16), ("a", 4), ("k", 10)):
            table.add_column(key, key=key, width=width)
        for index, row in enumerate(CELLS):
            table.add_row(*row, key=str(index))


def test_cells_draw_like_datatable() -> None:
    async def run() -> None:
        app = TableApp()
        async with app.run_test(size=(80, 10)) as pilot:
            await pilot.pause()
            table = app.query_one(EvaluationTable)
            base = Style(color="white", bgcolor="black")
            for row in range(len(CELLS)):
                for column in range(5):
                    width = table.ordered_columns[column].get_render_width(table)
                    for cursor, hover in ((False, False), (True, False), (False, True)):
                        # Both share one cache: clear it so each really draws the cell.
                        table._cell_render_cache.clear()
                        table.forget_drawn()
                        quick = table._render_cell(row, column, base, width, cursor, hover)
                        table._cell_render_cache.clear()
                        slow = DataTable._render_cell(
                            table, row, column, base, width, cursor, hover
                        )
                        assert quick is not slow
                        assert _per_char(quick) == _per_char(slow), (row, column, cursor)

    asyncio.run(run())
