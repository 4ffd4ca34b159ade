"""Opening a section scrolls to the place focused, whichever message queue is served first.

The form and the editor screen are two message pumps. A deferred call made on the form
(``form.scroll_home(animate=False)``) reaches the screen's list of after-refresh callbacks
only when the form's own queue gets to it; the editor's ``reveal`` is queued by the screen.
When the form was busy, the home scroll was queued after the reveal and undid it: the
feedback section was drawn at its top, its new-entry field out of sight (a snapshot that
failed in CI about once in a full suite run). Here the form's queue is made slow on purpose.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.containers import VerticalScroll
from textual.message_pump import MessagePump

from qa_tui.tui.app import make_app
from qa_tui.workspace import open_workspace
from tests.tui.screens_setup import (
    SMALL,
    editor_at,
    frozen_clock,
    home_loaded,
    prepare_db,
    scene_settings,
    settle,
)


def test_a_busy_form_does_not_undo_the_scroll_to_the_focused_field(
    tmp_path: Path, monkeypatch: Any
) -> None:
    forward = MessagePump._on_invoke_later

    async def slow_forward(self: MessagePump, message: Any) -> None:
        if isinstance(self, VerticalScroll) and self.id == "eval-form":
            await asyncio.sleep(0.05)  # a form with a long queue of its own
        forward(self, message)

    monkeypatch.setattr(MessagePump, "_on_invoke_later", slow_forward)
    settings = scene_settings()
    db_url, ids = prepare_db(tmp_path / "db", settings, demo=True)
    assert ids is not None
    app = make_app(
        settings,
        workspace_factory=lambda: open_workspace(settings, db_url, clock=frozen_clock),
        clock=frozen_clock,
    )
    app.animation_level = "none"

    async def run() -> None:
        async with app.run_test(size=SMALL) as pilot:
            await home_loaded(pilot)
            screen = await editor_at(pilot, ids.reopened, "reopened", "service_user_feedback")
            for _ in range(3):  # every deferred call made, the slow ones included
                await asyncio.sleep(0.1)
                await settle(pilot)
            form = screen.query_one("#eval-form", VerticalScroll)
            focused = app.focused
            assert focused is not None and form in focused.ancestors
            assert form.max_scroll_y > 0, "the section is taller than the terminal"
            assert form.scroll_y > 0, "the form was left at its top"
            view = form.scrollable_content_region  # on screen, as drawn
            field = focused.region
            assert view.y <= field.y < view.bottom, f"the focused field is out of view: {field}"

    asyncio.run(run())
