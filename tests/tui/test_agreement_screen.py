"""The agreement screen keeps the figures of the filters it drew: going back to one draws it
again without computing, while r, or coming back to the screen after another one where a
moderation was written (the database's clock moved) or the app said the database changed (a
sync, a merge), reads the judgements again — the figures are never older than the last look
at the database; coming back when nothing changed (the help dialog) reads nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qa_tui.domain import moderation as mod
from qa_tui.framework.model import ItemKind
from qa_tui.reports import moderation_data
from qa_tui.store import models
from qa_tui.tui.app import make_app
from qa_tui.tui.messages import Navigate
from tests.conftest import frozen_clock
from tests.tui.screens_setup import LARGE, home_loaded, screen_is, wait_for
from tests.tui.test_evaluation_journey import run_async


@pytest.fixture
def demo_ws(workspace: Any) -> Any:
    from qa_tui.demo import generate

    generate(workspace, 40, 1)
    return workspace


class Counted:
    """How many times the screen read the judgements and computed figures."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads = self.computes = 0
        read, compute = moderation_data.read_selection, moderation_data.compute

        def counted_read(*args: Any, **kwargs: Any) -> Any:
            self.reads += 1
            return read(*args, **kwargs)

        def counted_compute(*args: Any) -> Any:
            self.computes += 1
            return compute(*args)

        monkeypatch.setattr(moderation_data, "read_selection", counted_read)
        monkeypatch.setattr(moderation_data, "compute", counted_compute)


async def _team(pilot: Any, screen: Any, team: str) -> Any:
    drawn = screen.loaded
    screen.query_one("#filter-team").value = team
    await wait_for(pilot, lambda: screen.loaded > drawn, f"the figures of {team or 'every team'}")
    assert screen.result.filter.team == team
    return screen.result


def _moderate_one_more(ws: Any) -> None:
    """A new moderation of a completed evaluation, one judgement, dated today."""
    with ws.store.reader() as s:
        evaluation = s.scalars(
            select(models.Evaluation).where(models.Evaluation.status == "completed").limit(1)
        ).one()
        template = ws.template_for(evaluation)
    item = template.items(ItemKind.GRADE)[0].id
    grade = template.scale.grades[0].id
    mid = ws.write(mod.start_moderation, evaluation.id, "Sam Moderator", "Head of Service")
    ws.write(mod.judge, template, mid, item, grade, "Checked again.")


@run_async
async def test_filters_drawn_before_come_back_at_once_and_r_or_a_return_reads_again(
    demo_ws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.screen import Screen

    from qa_tui.tui.screens.agreement import AgreementScreen

    counted = Counted(monkeypatch)
    app = make_app(demo_ws.settings, workspace_factory=lambda: demo_ws, clock=frozen_clock)
    async with app.run_test(size=LARGE) as pilot:
        await home_loaded(pilot)
        app.post_message(Navigate("agreement"))
        screen = await screen_is(pilot, AgreementScreen)
        await wait_for(pilot, lambda: screen.loaded > 0, "the figures")
        assert (counted.reads, counted.computes) == (1, 1)
        everyone = screen.result
        first, second = sorted(set(screen._selection.units.team) - {""})[:2]
        one = await _team(pilot, screen, first)
        await _team(pilot, screen, second)
        assert (counted.reads, counted.computes) == (1, 3)  # narrowed in memory
        assert await _team(pilot, screen, first) is one  # drawn again, not computed
        assert await _team(pilot, screen, "") is everyone
        assert (counted.reads, counted.computes) == (1, 3)

        await pilot.press("r")
        await wait_for(pilot, lambda: counted.computes == 4, "the figures read again")
        await wait_for(pilot, lambda: screen.result is not everyone, "the new figures drawn")
        assert screen.result.overall.judgements == everyone.overall.judgements
        assert counted.reads == 2

        await app.push_screen(Screen())  # another screen, where something is written
        _moderate_one_more(demo_ws)
        app.pop_screen()
        await wait_for(pilot, lambda: counted.reads == 3, "the judgements read again")
        await wait_for(
            pilot,
            lambda: screen.result.overall.judgements == everyone.overall.judgements + 1,
            "the new judgement counted",
        )
        assert await _team(pilot, screen, first) is not one  # the old figures were dropped


@run_async
async def test_a_return_reads_again_only_when_the_database_changed(
    demo_ws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.screen import Screen

    from qa_tui.tui.messages import EvaluationsChanged
    from qa_tui.tui.screens.agreement import AgreementScreen

    counted = Counted(monkeypatch)
    app = make_app(demo_ws.settings, workspace_factory=lambda: demo_ws, clock=frozen_clock)
    async with app.run_test(size=LARGE) as pilot:
        await home_loaded(pilot)
        app.post_message(Navigate("agreement"))
        screen = await screen_is(pilot, AgreementScreen)
        await wait_for(pilot, lambda: screen.loaded > 0, "the figures")
        drawn = screen.result
        await pilot.press("f1")  # the help dialog, and back: nothing was written
        await pilot.pause(0.2)
        await pilot.press("escape")
        await app.push_screen(Screen())  # another screen where nothing is written
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is screen, "the agreement screen again")
        await pilot.pause(0.5)
        assert (counted.reads, counted.computes, screen.result) == (1, 1, drawn)

        await app.push_screen(Screen())  # a sync merged changes while another screen showed
        app.post_message(EvaluationsChanged())
        await pilot.pause(0.2)
        assert counted.reads == 1  # not read while hidden
        app.pop_screen()
        await wait_for(pilot, lambda: counted.reads == 2, "the judgements read on return")
        await wait_for(pilot, lambda: screen.result is not drawn, "the figures drawn again")
        app.post_message(EvaluationsChanged())  # while shown: read at once
        await wait_for(pilot, lambda: counted.reads == 3, "the judgements read again")


@run_async
async def test_the_sessions_are_read_again_on_a_return_only_when_the_database_changed(
    demo_ws: Any,
) -> None:
    from textual.screen import Screen

    from qa_tui.tui.screens.moderation_home import ModerationHome

    app = make_app(demo_ws.settings, workspace_factory=lambda: demo_ws, clock=frozen_clock)
    async with app.run_test(size=LARGE) as pilot:
        await home_loaded(pilot)
        app.post_message(Navigate("moderation"))
        screen = await screen_is(pilot, ModerationHome)
        await wait_for(pilot, lambda: screen.reads == 1, "the sessions")
        await pilot.press("f1")  # the help dialog, and back: nothing was written
        await pilot.pause(0.2)
        await pilot.press("escape")
        await app.push_screen(Screen())  # another screen (a session) where nothing is written
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is screen, "the sessions again")
        await pilot.pause(0.5)
        assert screen.reads == 1

        await app.push_screen(Screen())  # a moderation recorded meanwhile
        _moderate_one_more(demo_ws)
        app.pop_screen()
        await wait_for(pilot, lambda: screen.reads == 2, "the sessions read again")
