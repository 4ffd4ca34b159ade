"""The concerns and findings lists read a page at a time and read the next page as the cursor
nears the end, so every open concern can be reached by scrolling, not only the first page's;
the status line says "+" while there are more, and a return to the list keeps the rows read
and the cursor where it was."""

from __future__ import annotations

from typing import Any

import pytest

from qa_tui.domain import outcomes
from qa_tui.store.followup_concerns import list_open_concerns, list_unshared_summaries
from qa_tui.tui.screens import concerns as follow
from qa_tui.tui.screens.concerns import ConcernsScreen, FindingsScreen
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from tests.tui.test_app_shell import (
    SIZE,
    add_evaluation,
    app_for,
    complete_directly,
    run_async,
    settle,
)
from tests.tui.test_evaluation_journey import wait_for

COUNT = 12


def _keys(screen: Any) -> list[str]:
    return [row.key for row in screen.query_one(EvaluationList).rows]


def _status(screen: Any) -> str:
    return str(screen.query_one("#list-status").render())


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow, "PAGE", 5)
    monkeypatch.setattr(follow, "MORE_WHEN", 2)


async def _scroll_to_the_end(pilot: Any, screen: Any) -> None:
    """Down, a key at a time, until the cursor rests on the last row and nothing more comes."""
    table = screen.query_one(EvaluationList)
    for _ in range(COUNT * 2):
        await pilot.press("down")
        await settle(pilot)
        if table.cursor_row == len(_keys(screen)) - 1 and not screen._more:
            return


@run_async
async def test_scrolling_reads_every_open_concern_a_page_at_a_time(
    workspace: Any, settings: Any, db_url: str, small_pages: None
) -> None:
    for n in range(COUNT):
        eid = add_evaluation(workspace, f"LCS-6100{n:02d}")
        workspace.write(outcomes.set_concern, eid, True, f"Concern number {n}.")
    every = [c.evaluation_id for c in workspace.read(list_open_concerns, 0, None)]
    assert len(every) == COUNT
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded)
        assert _keys(screen) == every[:5]
        assert _status(screen).startswith("5+ open concerns · 5+ not yet shared")
        await _scroll_to_the_end(pilot, screen)
        assert _keys(screen) == every  # each page once, in the query's order
        assert _status(screen).startswith(f"{COUNT} open concerns · {COUNT} not yet shared")
        last = _keys(screen)[-1]
        await pilot.press("enter")  # the notice, then back: the rows read stay, and the cursor
        await settle(pilot)
        assert app.screen is not screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert _keys(screen) == every
        assert screen.query_one(EvaluationList).cursor_key == last


@run_async
async def test_scrolling_reads_every_summary_not_yet_shared(
    workspace: Any, settings: Any, db_url: str, small_pages: None
) -> None:
    for n in range(COUNT):
        complete_directly(workspace, add_evaluation(workspace, f"EHM-6200{n:02d}"))
    every = [s.evaluation_id for s in workspace.read(list_unshared_summaries, 0, None)]
    assert len(every) == COUNT
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, FindingsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded)
        assert _keys(screen) == every[:5] and _status(screen).startswith("5+ completed")
        await _scroll_to_the_end(pilot, screen)
        assert _keys(screen) == every
        assert _status(screen).startswith(f"{COUNT} completed evaluations not yet shared")
