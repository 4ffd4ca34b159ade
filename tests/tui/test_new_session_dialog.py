"""The new moderation session's dialog names who is preparing it, and only once they are
known: a laptop whose first run was put off ("Later") starts with no moderator line, never a
made-up "unknown auditor" that a hurried Ctrl+S would record as a moderator."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from textual.widgets import TextArea

from qa_tui.tui.app import make_app
from tests.conftest import frozen_clock
from tests.tui.screens_setup import SMALL, home_loaded, screen_is, wait_for
from tests.tui.test_evaluation_journey import run_async


async def _moderators_offered(workspace: Any) -> str:
    from qa_tui.tui.dialogs.new_session import NewSessionDialog
    from qa_tui.tui.screens.moderation_home import ModerationHome

    app = make_app(workspace.settings, workspace_factory=lambda: workspace, clock=frozen_clock)
    async with app.run_test(size=SMALL) as pilot:
        await home_loaded(pilot)
        if not workspace.settings.has_identity:  # the welcome asks first: "Later"
            from qa_tui.tui.dialogs.first_run import FirstRunDialog

            await screen_is(pilot, FirstRunDialog)
            await pilot.press("escape")
        await pilot.press("f3")
        home = await screen_is(pilot, ModerationHome)
        await wait_for(pilot, lambda: home.loaded, "the sessions")
        await pilot.press("n")
        dialog = await screen_is(pilot, NewSessionDialog)
        return dialog.query_one("#moderators", TextArea).text


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [("Alex Auditor", "Team manager", "Alex Auditor, Team manager"), ("", "", "")],
)
@run_async
async def test_the_first_moderator_is_whoever_is_known(
    workspace: Any, name: str, role: str, expected: str
) -> None:
    workspace.settings = dataclasses.replace(
        workspace.settings, auditor_name=name, auditor_role=role
    )
    assert await _moderators_offered(workspace) == expected
