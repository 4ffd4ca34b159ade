"""The home list as a window on a large database: the real app, its list made to window from
ten evaluations (as it does beyond 5,000), driven through filtering, sorting, paging to the
end and opening an evaluation, each checked against the whole list read and filtered in
memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from qa_tui.framework.model import DEFAULT_GRADE_LABELS
from qa_tui.store.queries import list_evaluations
from qa_tui.tui.screens import home_source
from qa_tui.tui.screens.home_rows import COLUMN_INDEX, COLUMNS, HomeRow, make_home_row, matching
from qa_tui.tui.screens.home_source import Pending, WindowRows
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from tests.tui.test_app_shell import SIZE, app_for, home, run_async, settle


def expected(ws: Any, text: str, sort: str, reverse: bool) -> list[str]:
    """The list's ids as the laptop's in-memory list orders and filters them."""
    rows: list[HomeRow] = [
        make_home_row(r, DEFAULT_GRADE_LABELS.get(r.overall_grade, r.overall_grade))
        for r in ws.read(list_evaluations)
    ]
    key = COLUMNS[COLUMN_INDEX[sort]].sort_key
    rows.sort(key=lambda r: (key(r.row, r.grade), r.row.id), reverse=reverse)
    return [r.row.id for r in matching(rows, text)]


def shown(app: Any) -> list[str]:
    table = home(app).query_one(EvaluationList)
    assert isinstance(table.rows, WindowRows)
    return [row.key for row in table.rows.window.pages.get(0, [])]


def status(app: Any) -> str:
    return str(home(app).query_one("#home-status").render())


@run_async
async def test_a_long_list_is_a_window_on_the_database(
    workspace: Any, settings: Any, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa_tui.demo import generate

    generate(workspace, 60, seed=5)
    monkeypatch.setattr(home_source, "IN_MEMORY_UP_TO", 10)
    monkeypatch.setattr(home_source, "PAGE", 10)
    monkeypatch.setattr(home_source, "AHEAD", 3)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = home(app).query_one(EvaluationList)
        assert isinstance(table.rows, WindowRows) and table.row_count == 60
        assert 5 not in table.rows.window.pages  # what is on screen, not every row
        assert shown(app) == expected(workspace, "", "date", True)[:10]
        assert status(app).startswith("60 evaluations (includes 60 demo)")
        await pilot.press("n", "o", "r", "t", "h")  # typing on the list goes to the filter
        await settle(pilot)  # a page drawn, then the matches counted
        want = expected(workspace, "north", "date", True)
        assert 0 < len(want) < 60 and table.row_count == len(want)
        assert shown(app) == want[:10]
        assert status(app).startswith(f"Showing {len(want)} of 60 evaluations")
        await pilot.press("escape", "ctrl+s")  # the filter cleared; sorted by the next column
        await settle(pilot)
        assert home(app).query_one("#filter", Input).value == ""
        assert shown(app) == expected(workspace, "", "grade", False)[:10]
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert shown(app) == expected(workspace, "", "grade", True)[:10]
        home(app).sort_by("case", reverse=False)
        await settle(pilot)
        want = expected(workspace, "", "case", False)
        await pilot.press("end")  # the last page is read as it comes into view
        await settle(pilot)
        assert table.cursor_row == 59
        assert not isinstance(table.rows[59], Pending)
        assert [table.rows[i].key for i in range(50, 60)] == want[50:]
        [table.rows[i] for i in range(60)]  # asks for the pages not read yet
        await settle(pilot)
        assert [table.rows[i].key for i in range(60)] == want  # every page read, in order
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not home(app)  # the last evaluation opened
        assert home(app)._keep == want[-1]


@run_async
async def test_a_count_the_database_fails_is_said_not_a_crash(
    workspace: Any, settings: Any, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter's matches are counted in a worker after the page is drawn: a database that
    fails there (a server gone) is said in one line; the list stays, the app runs on."""
    from qa_tui.demo import generate
    from qa_tui.errors import QaError
    from qa_tui.tui.screens import home_list

    generate(workspace, 20, seed=5)
    monkeypatch.setattr(home_source, "IN_MEMORY_UP_TO", 10)
    monkeypatch.setattr(home_source, "PAGE", 10)

    def fails(*_args: Any) -> int:
        raise QaError("The central database stopped answering (server closed the connection)")

    monkeypatch.setattr(home_list, "count_matches", fails)
    monkeypatch.setattr(home_list, "COUNT_AFTER", 0.0)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", "o", "r", "t", "h")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("stopped answering" in m for m in said), said
        assert app.is_running and shown(app) == expected(workspace, "north", "date", True)[:10]


@run_async
async def test_the_first_read_started_with_the_app_is_drawn_then_counted(
    workspace: Any, settings: Any, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``qa-tui`` reads the list's first page as the app loads (store.quicklist.FirstRead):
    the screen draws that page in its first frame, then counts every row and the demo ones;
    the list then filters and pages as ever."""
    from qa_tui.demo import generate
    from qa_tui.store.quicklist import FirstRead, quick_source
    from qa_tui.tui.app import make_app
    from qa_tui.workspace import open_workspace
    from tests.conftest import frozen_clock

    generate(workspace, 60, seed=5)
    monkeypatch.setattr(home_source, "IN_MEMORY_UP_TO", 10)
    monkeypatch.setattr(home_source, "PAGE", 10)
    open_workspace(settings, db_url).close()
    source = quick_source(db_url)
    assert source is not None
    first = FirstRead(source, 10, 10)
    assert first.result() is not None  # read before the app starts, as in qa-tui
    app = make_app(settings, db_url=db_url, clock=frozen_clock, first=first)
    async with app.run_test(size=SIZE) as pilot:
        table = home(app).query_one(EvaluationList)
        # Drawn as the screen mounted, from the read already done: no worker waited for.
        assert isinstance(table.rows, WindowRows)
        assert shown(app) == expected(workspace, "", "date", True)[:10]
        await settle(pilot)
        assert table.row_count == 60
        assert status(app).startswith("60 evaluations (includes 60 demo)")
        await pilot.press("n", "o", "r", "t", "h")
        await settle(pilot)
        want = expected(workspace, "north", "date", True)
        assert shown(app) == want[:10] and table.row_count == len(want)
        assert status(app).startswith(f"Showing {len(want)} of 60 evaluations")


def test_the_first_read_reads_a_short_list_whole_and_declines_no_database(
    workspace: Any, tmp_path: Any
) -> None:
    from qa_tui.demo import generate
    from qa_tui.store.quicklist import FirstRead

    generate(workspace, 12, seed=5)
    path = workspace.store.url.removeprefix("sqlite:///")
    found = FirstRead(Path(path), 20, 5).result()
    assert found is not None and found.whole and found.counted == (12, 12)
    assert len(found.rows) == 12
    long = FirstRead(Path(path), 10, 5).result()
    assert long is not None and not long.whole and long.counted == (0, 0)
    assert [r.id for r in long.rows] == [r.id for r in found.rows[:5]]
    assert FirstRead(tmp_path / "absent.db", 10, 5).result() is None
    assert not (tmp_path / "absent.db").exists()
    assert not found.central  # a laptop's; a central database is known as one
    from qa_tui.sync.central import init_central

    init_central(workspace.store, tmp_path / "qa_key")
    central = FirstRead(Path(path), 20, 5).result()
    assert central is not None and central.central and central.counted == (12, 12)


@run_async
async def test_a_filter_key_repaints_the_filter_not_the_whole_screen(
    workspace: Any, settings: Any, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Input asks for a layout of the whole screen whenever its text's width changes (every
    key); the filter's size is set by CSS, so a key only repaints it. A text wider than the
    filter still scrolls to keep the cursor in view."""
    from textual.widget import Widget

    from qa_tui.demo import generate

    generate(workspace, 20, seed=5)
    app = app_for(settings, db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        filter_input = home(app).query_one("#filter", Input)
        layouts: list[Widget] = []
        original = Widget.refresh

        def refresh(widget: Widget, *regions: Any, **kwargs: Any) -> Widget:
            if kwargs.get("layout") and widget is filter_input:
                layouts.append(widget)
            return original(widget, *regions, **kwargs)

        monkeypatch.setattr(Widget, "refresh", refresh)
        await pilot.press("n", "o", "r", "t", "h")  # the list filters as ever
        await settle(pilot)
        assert filter_input.value == "north" and table_cells_filtered(app, "north")
        assert layouts == []
        await pilot.press(*"x" * 90)  # wider than the filter at 80 columns
        await settle(pilot)
        assert len(layouts) <= 1  # once: its (hidden) scrollbar appears, as in any layout
        assert filter_input.scroll_x > 0  # the cursor kept in view
        assert filter_input.cursor_screen_offset.x < filter_input.region.right


def table_cells_filtered(app: Any, text: str) -> bool:
    """Every row on the list matches ``text`` (and there is one)."""
    table = home(app).query_one(EvaluationList)
    rows = [table.rows[i] for i in range(table.row_count)]
    return bool(rows) and all(isinstance(r, HomeRow) and matching([r], text) for r in rows)


@run_async
async def test_a_short_word_says_it_is_still_looking_then_shows_its_rows(
    workspace: Any, settings: Any, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word no index narrows walks the list a few dates at a time: the line says it is
    still looking (never "0 of" before the walk is done), then the rows a plain read finds."""
    from qa_tui.demo import generate
    from qa_tui.store import home_window
    from qa_tui.tui.screens import home_list
    from tests.unit.test_home_window import short_words

    generate(workspace, 60, seed=5)
    monkeypatch.setattr(home_source, "IN_MEMORY_UP_TO", 10)
    monkeypatch.setattr(home_source, "PAGE", 10)
    monkeypatch.setattr(home_window, "WALK_FIRST", 1)  # a step a date
    monkeypatch.setattr(home_window, "WALK_MOST", 1)
    monkeypatch.setattr(home_window, "TELL_EVERY", 0.0)
    lines: list[str] = []
    status_text = home_list.status_text

    def said(*args: Any, **kwargs: Any) -> str:
        lines.append(status_text(*args, **kwargs))
        return lines[-1]

    monkeypatch.setattr(home_list, "status_text", said)
    rows = [
        make_home_row(r, DEFAULT_GRADE_LABELS.get(r.overall_grade, r.overall_grade))
        for r in workspace.read(list_evaluations)
    ]
    none, few = short_words(rows)[1], short_words(rows)[3]  # two letters: none hold, a few
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = home(app).query_one(EvaluationList)
        for word in (none, few):
            lines.clear()
            home(app).query_one("#filter", Input).value = word
            await settle(pilot)
            want = expected(workspace, word, "date", True)
            assert lines[0].startswith("Still looking… 0 found so far of 60 evaluations"), word
            done = lines.index(next(t for t in lines if not t.startswith("Still looking")))
            assert done > 0 and all(t.startswith("Still looking") for t in lines[:done])
            assert table.row_count == len(want) and shown(app) == want[:10]
        assert status(app).startswith(f"Showing {len(want)} of 60 evaluations")
        assert not expected(workspace, none, "date", True)
