"""The home list widget: cursor keys, Enter, clicks, literal cells, ellipsis cropping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.message import Message

from qa_tui.tui.widgets.evaluation_list import EvaluationList
from tests.tui.test_app_shell import add_evaluation, app_for, home, run_async, settle


@dataclass(frozen=True)
class Row:
    key: str
    name: str

    def cells(self) -> dict[str, Text]:
        return {"name": Text(self.name, overflow="ellipsis"), "n": Text(self.key, justify="right")}


class ListApp(App[None]):
    def __init__(self, rows: list[Row], width: int = 12) -> None:
        super().__init__()
        self.rows = rows
        self.width = width
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield EvaluationList()

    def on_mount(self) -> None:
        widget = self.query_one(EvaluationList)
        widget.set_columns([("name", "Name", self.width), ("n", "No.", 4)])
        widget.set_sort("name")
        widget.set_rows(self.rows)
        widget.focus()

    def on_evaluation_list_row_selected(self, message: EvaluationList.RowSelected) -> None:
        self.messages.append(message)

    def on_evaluation_list_row_highlighted(self, message: EvaluationList.RowHighlighted) -> None:
        self.messages.append(message)

    def on_evaluation_list_header_selected(self, message: EvaluationList.HeaderSelected) -> None:
        self.messages.append(message)


def rows(count: int) -> list[Row]:
    return [Row(f"{n:03}", f"Person {n}") for n in range(count)]


def line(widget: EvaluationList, y: int) -> str:
    return widget.render_line(y).text


def first_style(widget: EvaluationList, y: int) -> Any:
    """The style of the first segment of line ``y`` (a row's background)."""
    return next(iter(widget.render_line(y))).style


@run_async
async def test_cursor_keys_move_and_scroll() -> None:
    app = ListApp(rows(100))
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(EvaluationList)
        assert widget.row_count == 100 and widget.cursor_row == 0
        await pilot.press("down", "down")
        assert widget.cursor_key == "002"
        await pilot.press("up")
        assert widget.cursor_row == 1
        await pilot.press("end")
        await pilot.pause()
        assert widget.cursor_row == 99
        assert "Person 99" in line(widget, widget.scrollable_content_region.height - 1)
        assert line(widget, 0).startswith(" Name ▲")  # the header stays on top
        await pilot.press("home")
        await pilot.pause()
        assert widget.cursor_row == 0 and widget.scroll_y == 0
        await pilot.press("pagedown")
        assert widget.cursor_row == widget.scrollable_content_region.height - 1
        await pilot.press("pageup")
        assert widget.cursor_row == 0
        await pilot.press("up")  # stays on the first row
        assert widget.cursor_row == 0
        highlighted = [m for m in app.messages if isinstance(m, EvaluationList.RowHighlighted)]
        assert [m.key for m in highlighted][:3] == ["000", "001", "002"]


@run_async
async def test_enter_and_click_select() -> None:
    app = ListApp(rows(5))
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(EvaluationList)
        await pilot.press("down", "enter")
        await pilot.pause()
        selected = [m for m in app.messages if isinstance(m, EvaluationList.RowSelected)]
        assert [m.key for m in selected] == ["001"]
        await pilot.click(EvaluationList, offset=(2, 3))  # the header, then rows 0, 1, 2
        await pilot.pause()
        assert widget.cursor_key == "002"
        selected = [m for m in app.messages if isinstance(m, EvaluationList.RowSelected)]
        assert len(selected) == 1  # a click moves the cursor…
        await pilot.click(EvaluationList, offset=(2, 2))
        await pilot.pause()
        selected = [m for m in app.messages if isinstance(m, EvaluationList.RowSelected)]
        assert len(selected) == 1 and widget.cursor_key == "001"
        await pilot.click(EvaluationList, offset=(2, 2))  # …a click on the cursor row opens it
        await pilot.pause()
        selected = [m for m in app.messages if isinstance(m, EvaluationList.RowSelected)]
        assert [m.key for m in selected] == ["001", "001"]
        await pilot.click(EvaluationList, offset=(16, 0))
        await pilot.pause()
        headers = [m for m in app.messages if isinstance(m, EvaluationList.HeaderSelected)]
        assert [m.column_key for m in headers] == ["n"]


@run_async
async def test_the_row_under_the_mouse_is_highlighted() -> None:
    app = ListApp(rows(5))
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(EvaluationList)
        plain = first_style(widget, 3)
        await pilot.hover(EvaluationList, offset=(2, 3))  # the header, then rows 0, 1, 2
        await pilot.pause()
        assert widget.hover_row == 2 and widget.cursor_row == 0  # hovering moves no cursor
        hovered = first_style(widget, 3)
        assert hovered is not None and plain is not None
        assert hovered.bgcolor != plain.bgcolor
        await pilot.hover(EvaluationList, offset=(2, 0))  # the header is never highlighted
        await pilot.pause()
        assert widget.hover_row is None
        assert first_style(widget, 3) == plain


@run_async
async def test_filtering_keeps_the_cursor_row() -> None:
    everyone = rows(30)
    app = ListApp(everyone)
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(EvaluationList)
        widget.move_cursor(20)
        widget.set_rows([r for r in everyone if r.key.endswith("0")])
        await pilot.pause()
        assert widget.row_count == 3 and widget.cursor_key == "020"
        widget.set_rows([r for r in everyone if r.key.endswith("1")])
        assert widget.cursor_row == 0 and widget.cursor_key == "001"
        widget.set_rows([])
        await pilot.pause()
        assert widget.row_count == 0 and widget.cursor_key is None
        await pilot.press("down", "enter")  # nothing to move to or open
        assert not [m for m in app.messages if isinstance(m, EvaluationList.RowSelected)]


@run_async
async def test_cells_are_literal_and_cropped_with_an_ellipsis() -> None:
    app = ListApp([Row("1", "[bold]Pat[/bold]"), Row("2", "Alexandria Ocasio-Smith")])
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        widget = app.query_one(EvaluationList)
        assert line(widget, 1).startswith(" [bold]Pat[/…")  # markup shown, not applied
        assert line(widget, 2).startswith(" Alexandria … ")
        assert len(line(widget, 2)) == widget.scrollable_content_region.width
        assert line(widget, 1)[14:20] == "    1 "  # right-justified within its column


@run_async
async def test_header_click_sorts_the_home_list(workspace: Any, settings: Any, db_url: str) -> None:
    add_evaluation(workspace, "BB-100002", practitioner="Zed")
    add_evaluation(workspace, "AA-100001", practitioner="Amy")
    app = app_for(settings, db_url)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        widget = home(app).query_one(EvaluationList)
        region = widget.content_region
        x = region.x + widget.column_offset("case") + 2
        await pilot.click(offset=(x, region.y))
        await pilot.pause()
        assert [str(c) for c in widget.get_column("case")] == ["AA-100001", "BB-100002"]
        assert "Case ref ▲" in line(widget, 0)
        await pilot.click(offset=(x, region.y))
        await pilot.pause()
        assert [str(c) for c in widget.get_column("case")] == ["BB-100002", "AA-100001"]
        assert "Case ref ▼" in line(widget, 0)
        await pilot.press("enter")  # Enter on the list opens the highlighted evaluation
        await settle(pilot)
        assert app.screen is not home(app)
