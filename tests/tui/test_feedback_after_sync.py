"""The moderation group's feedback reaches the auditor: the auditor's laptop sends a completed
evaluation from the Sync screen, a moderation group on the central database agrees its overall
grade and writes feedback, and at the laptop's next sync (the same screen, the same key) the
evaluation's summary shows what the group made of it — driven through the real app."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from textual.widgets import Input

from qa_tui.domain import moderation as mod
from qa_tui.domain import sessions as ses
from qa_tui.domain.outcomes import set_overall
from qa_tui.store.history import Actor
from qa_tui.store.migrate import open_store
from qa_tui.tui.screens.summary import SummaryScreen
from qa_tui.tui.screens.sync import SyncScreen
from tests.tui.screens_setup import wait_for
from tests.tui.test_app_shell import (
    SIZE,
    add_evaluation,
    app_for,
    complete_directly,
    run_async,
    settle,
)
from tests.tui.test_sync_screens import _central_with, _wait_for_text

STRENGTHS = "The plan's [bold]dates[/bold] are clear."  # user text: shown literally
GAPS = "Cite where in the record the child's views are."


def _moderated_on_the_desk(url: str, evaluation_id: str, template: Any) -> None:
    store = open_store(url)
    desk = Actor("QA Desk", str(uuid.uuid4()))
    group = [("Priya Okafor", "Head of Service"), ("Tom Lindqvist", "Principal Social Worker")]
    with store.session() as session:
        sid = ses.create_session(session, desk, "2026-11-30", "November group", group)
        ses.add_evaluation(session, desk, sid, evaluation_id)
        ses.reveal(session, desk, sid, evaluation_id)
        ses.agree(session, desk, template, sid, evaluation_id, mod.OVERALL, "good", "", "agree")
        ses.record_outcome(
            session, desk, sid, evaluation_id, feedback_strengths=STRENGTHS, feedback_gaps=GAPS
        )
        ses.close_session(session, desk, sid)
    store.dispose()


@run_async
async def test_the_groups_feedback_shows_on_the_auditors_summary_after_a_sync(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    evaluation_id = add_evaluation(workspace, "LCS-700010")
    with workspace.store.session() as session:
        set_overall(
            session,
            workspace.actor,
            workspace.templates.latest()[0],
            evaluation_id,
            overall_grade="good",
        )
    complete_directly(workspace, evaluation_id)
    url = _central_with(settings, tmp_path)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        assert isinstance(app.screen, SyncScreen)
        app.screen.query_one("#central-url", Input).value = url
        await pilot.press("ctrl+y")
        sent = await _wait_for_text(pilot, "#sync-result", "Synced")
        assert "1 evaluation sent to the QA team" in sent

        template = workspace.templates.latest()[0]  # the evaluation's
        _moderated_on_the_desk(url, evaluation_id, template)  # meanwhile, on the QA desk

        app.screen.query_one("#sync-result").update("")
        await pilot.press("ctrl+y")
        await _wait_for_text(pilot, "#sync-result", "Synced")
        await pilot.press("escape")  # back to the evaluations
        await settle(pilot)
        await pilot.press("enter")  # a completed evaluation opens as its summary
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        await wait_for(pilot, lambda: screen.data is not None, "the summary's data")
        page = " ".join(str(s.render()) for s in screen.query(".block"))
    assert GAPS in page
    assert STRENGTHS in page  # literally, markup and all
    assert "Moderated by" in page and "November group" in page
    assert "Agree: " in page  # the overall grade, agreed
