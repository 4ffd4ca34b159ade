"""The follow-through lists' filters from the keyboard: "/" reaches the filter of the concerns
and findings lists as it does the tracker's, Escape while typing clears the filter before it
leaves the list, and typing on the tracker keeps its footer honest
(the list's letter keys leave it while the filter takes letters, and come back with the list)
without rebuilding it."""

from __future__ import annotations

import threading
from typing import Any

from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from qa_tui.domain import outcomes
from qa_tui.store import followup_queries
from qa_tui.store.followup_concerns import list_open_concerns, list_unshared_summaries
from qa_tui.store.followup_queries import ActionFilter, list_actions
from qa_tui.tui.screens.actions import ActionsScreen
from qa_tui.tui.screens.concerns import ConcernsScreen, FindingsScreen
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from qa_tui.tui.widgets.steady_footer import SteadyFooter
from tests.conftest import FROZEN_NOW
from tests.tui.test_app_shell import (
    SIZE,
    add_evaluation,
    app_for,
    complete_directly,
    run_async,
    settle,
)
from tests.tui.test_evaluation_journey import wait_for

TODAY = FROZEN_NOW.date()  # the app's clock in these tests


def _keys(screen: Any) -> list[str]:
    return [row.key for row in screen.query_one(EvaluationList).rows]


def _footer(screen: Any) -> list[str]:
    """The keys the footer shows, by their descriptions."""
    return [
        k.description
        for k in screen.query(FooterKey)
        if k.display and not k.has_class("-command-palette")
    ]


async def _opened(pilot: Any, key: str, cls: type, count: int) -> Any:
    """The list opened with ``key``, once its ``count`` rows are drawn."""
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, cls))
    screen = app.screen
    await wait_for(pilot, lambda: screen.loaded and len(_keys(screen)) == count)
    return screen


async def _slash_then_type(pilot: Any, key: str, cls: type, count: int) -> Any:
    """Open the list with ``key``, reach its filter with "/" and type "hub" into it."""
    screen = await _opened(pilot, key, cls, count)
    assert screen.query_one(EvaluationList).has_focus
    await pilot.press("slash")
    filter_input = screen.query_one("#filter", Input)
    assert filter_input.has_focus and filter_input.value == ""  # "/" is not typed
    await pilot.press(*"hub")
    await settle(pilot)
    return screen


@run_async
async def test_slash_reaches_the_filter_of_the_concerns_and_findings_lists(
    workspace: Any, settings: Any, db_url: str
) -> None:
    north = add_evaluation(workspace, "LCS-500301", team="Locality North")
    south = add_evaluation(workspace, "EHM-500302", team="Family Hub South")
    for eid in (north, south):
        workspace.write(outcomes.set_concern, eid, True, "Bruising not followed up.")
        complete_directly(workspace, eid)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        concerns = await _slash_then_type(pilot, "f5", ConcernsScreen, 2)
        want = workspace.read(list_open_concerns, 0, None, ("hub",))
        assert _keys(concerns) == [c.evaluation_id for c in want] == [south]
        await pilot.press("escape")  # typing: clears the filter, stays, the list focused
        await wait_for(pilot, lambda: len(_keys(concerns)) == 2)
        assert app.screen is concerns and concerns.query_one("#filter", Input).value == ""
        assert concerns.query_one(EvaluationList).has_focus
        await pilot.press("escape")  # back home
        await settle(pilot)
        assert not isinstance(app.screen, ConcernsScreen)
        findings = await _slash_then_type(pilot, "f6", FindingsScreen, 2)
        want = workspace.read(list_unshared_summaries, 0, None, ("hub",))
        assert _keys(findings) == [s.evaluation_id for s in want] == [south]


@run_async
async def test_typing_on_the_tracker_hides_its_letter_keys_without_rebuilding_the_footer(
    workspace: Any, settings: Any, db_url: str
) -> None:
    eid = add_evaluation(workspace, "LCS-500400")
    kim = workspace.write(outcomes.add_action, eid, "Book the core group", "Kim", "2026-11-01")
    workspace.write(outcomes.add_action, eid, "Update the plan", "Jo", "2026-11-10")
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded and len(_keys(screen)) == 2)
        footer = screen.query_one(SteadyFooter)
        shown = _footer(screen)
        assert {"Progress", "Status", "Overdue", "Filter"} <= set(shown)
        made = set(map(id, screen.query(FooterKey)))
        await pilot.press(*"kim")  # the first letter moves to the filter, the rest follow
        await wait_for(pilot, lambda: _keys(screen) == [kim])
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == "kim"
        after = _footer(screen)
        # What Textual's own footer would show now: the keys the screen has active.
        active = {b.description for _n, b, _e, _t in screen.active_bindings.values() if b.show}
        assert set(after) == active and not {"Progress", "Status", "Overdue"} & set(after)
        assert set(map(id, screen.query(FooterKey))) == made  # hidden, not rebuilt
        await pilot.press("down")  # back to the list: its keys again
        await settle(pilot)
        assert screen.query_one(EvaluationList).has_focus
        assert _footer(screen) == shown and footer.is_attached
        await pilot.press("o")  # and they act on the list, not the filter
        await settle(pilot)
        assert screen._overdue and screen.query_one("#filter", Input).value == "kim"


@run_async
async def test_a_short_word_is_looked_for_in_steps_and_the_list_says_so_until_found(
    workspace: Any, settings: Any, db_url: str, monkeypatch: Any
) -> None:
    """A word of two letters (no trigram index answers it) matching only the last action:
    the tracker walks the actions a few at a time, shows what it has with "still looking"
    (never "0 actions" while looking), and ends with exactly the plain filter's rows."""
    eid = add_evaluation(workspace, "LCS-500500")
    for day in range(1, 13):
        workspace.write(outcomes.add_action, eid, "Visit the school", "Jo", f"2026-11-{day:02}")
    last = workspace.write(outcomes.add_action, eid, "Ring the QX office", "Kim", "2026-12-01")
    monkeypatch.setattr(followup_queries, "WALK", 3)  # steps of three actions
    held = threading.Event()  # the steps after the first wait for it
    walk = followup_queries.walk_actions

    def gated(session: Any, flt: Any, after: Any, *args: Any) -> Any:
        if flt.words == ("qx",) and after is not None:
            assert held.wait(10)
        return walk(session, flt, after, *args)

    monkeypatch.setattr(followup_queries, "walk_actions", gated)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded and len(_keys(screen)) == 13)
        status = screen.query_one("#actions-status", Static)
        await pilot.press("q", "x")
        await wait_for(pilot, lambda: "still looking" in str(status.render()))
        assert _keys(screen) == [] and str(status.render()).startswith("0 actions so far")
        held.set()
        await wait_for(pilot, lambda: _keys(screen) == [last])
        await settle(pilot)
        assert str(status.render()).startswith("1 action · ")  # counted, and done
        flt = ActionFilter(statuses=("open", "in_progress"), words=("qx",), today=TODAY)
        assert [a.id for a in workspace.read(list_actions, flt, None, None)] == [last]


@run_async
async def test_typing_on_the_concerns_list_filters_it_by_the_concern_too(
    workspace: Any, settings: Any, db_url: str
) -> None:
    """Letters typed on the concerns list go to its filter, as on the tracker (the first one
    used to do nothing until "/"), and a word of the concern itself finds it; the findings
    list takes typing the same way. A key the screen has ("e": the evaluation) stays a key."""
    bruising = add_evaluation(workspace, "LCS-500501", team="Locality North")
    sleeping = add_evaluation(workspace, "LCS-500502", team="Locality North")
    workspace.write(outcomes.set_concern, bruising, True, "Bruising not followed up.")
    workspace.write(outcomes.set_concern, sleeping, True, "Unsafe sleeping seen at the visit.")
    for eid in (bruising, sleeping):
        complete_directly(workspace, eid)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        concerns = await _opened(pilot, "f5", ConcernsScreen, 2)
        await pilot.press(*"bruis")
        await wait_for(pilot, lambda: _keys(concerns) == [bruising])
        filter_input = concerns.query_one("#filter", Input)
        assert filter_input.has_focus and filter_input.value == "bruis"
        want = workspace.read(list_open_concerns, 0, None, ("BRUIS",))  # whatever the case
        assert [c.evaluation_id for c in want] == [bruising]
        await pilot.press("escape")  # clears the filter, the list focused again
        await wait_for(pilot, lambda: len(_keys(concerns)) == 2)
        await pilot.press("escape")
        await settle(pilot)
        findings = await _opened(pilot, "f6", FindingsScreen, 2)
        await pilot.press(*"502")
        await wait_for(pilot, lambda: _keys(findings) == [sleeping])
        assert findings.query_one("#filter", Input).value == "502"
