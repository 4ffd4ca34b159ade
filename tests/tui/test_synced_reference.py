"""What sync brings back, as the auditor sees it offline: the QA team's teams suggested when a
new evaluation starts, and the moderators' judgements on the summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Input

from qa_tui.store import models
from qa_tui.store.migrate import open_store
from qa_tui.sync import central
from qa_tui.sync import reference_data as reference
from qa_tui.tui.dialogs.new_evaluation import NewEvaluationDialog
from qa_tui.tui.screens.evaluation import EvaluationScreen
from qa_tui.tui.screens.summary import SummaryScreen
from tests.tui.test_app_shell import (
    SIZE,
    add_evaluation,
    app_for,
    complete_directly,
    run_async,
    settle,
)


def _teams_from_a_central_database(ws: Any, tmp_path: Path) -> None:
    """Teams made on a central database and copied by the same code a sync runs."""
    store = open_store(f"sqlite:///{tmp_path / 'central.db'}")
    central.init_central(store, tmp_path / "qa.key")
    with store.session() as s:
        reference.add_team(s, "Locality North", "Children in Need")
        reference.add_team(s, "Disabled Children's Team", "Children with Disabilities")
        reference.add_team(s, "Old Team", "Children in Need")
        reference.retire_team(s, "Old Team")
    with store.reader() as remote, ws.store.session() as local:
        reference.pull_reference(remote, local)
    store.dispose()


@run_async
async def test_new_evaluation_suggests_the_synced_teams(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    _teams_from_a_central_database(workspace, tmp_path)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewEvaluationDialog)
        hint = str(dialog.query_one("#team-hint").render())
        assert hint.startswith("2 known teams")  # the retired one is not offered
        await pilot.press("tab", "tab")  # from the type, past the template
        await pilot.press(*"LCS-204817")
        dialog.query_one("#team", Input).focus()
        await pilot.press(*"loc")
        await pilot.pause()
        await pilot.press("right")  # accepts the suggestion
        await pilot.pause()
        assert dialog.query_one("#team", Input).value == "Locality North"
        assert dialog.query_one("#service_area", Input).value == "Children in Need"
        dialog.query_one("#team", Input).value = "Old Team"  # retired: suggests nothing
        await pilot.pause()
        assert dialog.query_one("#service_area", Input).value == "Children in Need"
        dialog.query_one("#team", Input).value = "Locality North"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EvaluationScreen)
    with workspace.store.reader() as s:
        (row,) = s.scalars(select(models.Evaluation)).all()
        assert (row.case_reference, row.team, row.service_area) == (
            "LCS-204817",
            "Locality North",
            "Children in Need",
        )


@run_async
async def test_summary_shows_the_moderation_literally(
    workspace: Any, settings: Any, db_url: str
) -> None:
    from qa_tui.domain import moderation as mod
    from qa_tui.domain.evaluation import set_response

    evaluation_id = add_evaluation(workspace, "AB-123456")
    with workspace.store.reader() as s:
        template = workspace.template_for(s.get(models.Evaluation, evaluation_id))
    graded = next(i for i in template.items() if i.kind.value == "grade")
    workspace.write(set_response, template, evaluation_id, graded.id, grade="good")
    complete_directly(workspace, evaluation_id)
    mid = workspace.write(
        mod.start_moderation, evaluation_id, "Sam [b]Moderator[/b]", "Head of Service", "2026-11-30"
    )
    workspace.write(mod.judge, template, mid, graded.id, "inadequate", "Thin [red]evidence[/red].")
    workspace.write(mod.update_moderation, mid, learning_points="Cite the record.\x1b[2J")
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        page = [str(s.render()) for s in app.screen.query(".block")]
    start = page.index("Moderation")
    shown = page[start:]
    assert "Moderated by Sam [b]Moderator[/b], Head of Service on 2026-11-30" in shown
    assert graded.prompt in shown
    assert "Disagree: moderated lower: auditor Good, moderated Inadequate" in shown
    assert "Thin [red]evidence[/red]." in shown
    assert "Learning points" in shown
    assert any(line.startswith("Cite the record.") and "\x1b" not in line for line in shown)
