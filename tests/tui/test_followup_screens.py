"""Issue 12 through the real app: the actions tracker (an overdue action completed and merged
with a concurrent update from another device), an immediate concern from raised to closed,
and the documents made from the summary screen — then checked in the database and on disk."""

from __future__ import annotations

import email
import io
from email import policy
from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, Input, Select, TextArea

from qa_tui.domain import outcomes
from qa_tui.domain.followup import record_action_update
from qa_tui.store.history import Actor, check_consistency
from qa_tui.store.migrate import open_store
from qa_tui.store.views import load_view
from qa_tui.tui.dialogs.action_update import ActionUpdateDialog
from qa_tui.tui.dialogs.concern_notice import ConcernNoticeDialog, RecipientRow
from qa_tui.tui.dialogs.concern_step import ConcernStepDialog
from qa_tui.tui.dialogs.summary_documents import SummaryDocumentsDialog
from qa_tui.tui.screens.actions import ActionsScreen
from qa_tui.tui.screens.concerns import ConcernsScreen
from qa_tui.tui.screens.summary import SummaryScreen
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from tests.sync.helpers import copy_into
from tests.tui.test_app_shell import (
    SIZE,
    add_evaluation,
    app_for,
    complete_directly,
    run_async,
    settle,
)
from tests.tui.test_evaluation_journey import wait_for


def _view(ws: Any, eid: str) -> Any:
    with ws.store.reader() as session:
        return load_view(session, eid)


async def _screen(pilot: Any, cls: type) -> Any:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, cls))
    await settle(pilot)
    return pilot.app.screen


def _keys(screen: Any) -> list[str]:
    return [row.key for row in screen.query_one(EvaluationList).rows]


@run_async
async def test_tracker_completes_an_overdue_action_and_the_update_survives_a_merge(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    eid = add_evaluation(workspace, "LCS-500100")
    late = workspace.write(outcomes.add_action, eid, "Book the core group", "Jo", "2026-11-01")
    later = workspace.write(outcomes.add_action, eid, "Update the plan", "Kim", "2026-11-10")
    workspace.write(outcomes.add_action, eid, "Review in March", "Kim", "2027-03-01")
    complete_directly(workspace, eid)
    # The QA desk has this evaluation too (an earlier sync).
    desk_url = f"sqlite:///{(tmp_path / 'desk.db').as_posix()}"
    desk = open_store(desk_url)
    copy_into(desk, workspace.store)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        screen = await _screen(pilot, ActionsScreen)
        await pilot.press("o")  # overdue only
        await settle(pilot)
        assert _keys(screen) == [late, later]
        cells = [str(c) for c in screen.query_one(EvaluationList).get_column("overdue")]
        assert cells == ["OVERDUE 19d", "OVERDUE 10d"]  # in words, not colour alone
        await pilot.press("u")
        dialog = await _screen(pilot, ActionUpdateDialog)
        dialog.query_one("#status", Select).value = "done"
        dialog.query_one("#note", TextArea).text = "Core group held on the 18th."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionsScreen))
        await wait_for(pilot, lambda: _keys(screen) == [later])  # left the overdue list
    # Meanwhile on the QA desk, a note on the same action.
    qa = Actor("QA Officer", "0e0e0e0e-0000-4000-8000-000000000001")
    with desk.session() as s:
        record_action_update(s, qa, late, "in_progress", "Chased by QA.", "2026-11-15")
    copy_into(desk, workspace.store)
    copy_into(workspace.store, desk)
    for store in (workspace.store, desk):
        with store.reader() as s:
            view = load_view(s, eid)
            assert sorted(u.note for u in view.updates[late]) == [
                "Chased by QA.",
                "Core group held on the 18th.",
            ]
            action = next(a for a in view.actions if a.id == late)
            assert (action.current_status, str(action.status_on)) == ("done", "2026-11-20")
            assert check_consistency(s) == []
    desk.dispose()


@run_async
async def test_the_tracker_shows_the_highlighted_action_in_full_at_80_columns(
    workspace: Any, settings: Any, db_url: str
) -> None:
    """The table cuts an action's words at 80 columns; the lines under it give them whole,
    with who, where, when and the last progress note, literally (markup is text)."""
    eid = add_evaluation(workspace, "LCS-500200")
    words = "Hold a [bold]family network meeting[/bold] and agree who keeps the child safe at night"
    first = workspace.write(outcomes.add_action, eid, "Book the core group", "Jo", "2026-11-01")
    second = workspace.write(outcomes.add_action, eid, words, "Kim", "2026-11-10")
    workspace.write(record_action_update, second, "in_progress", "Date set: 2 Dec.", "2026-11-12")
    app = app_for(settings, db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        screen = await _screen(pilot, ActionsScreen)
        assert _keys(screen) == [first, second]
        detail = screen.query_one("#action-detail")

        def shown() -> str:
            return " ".join(str(detail.render()).split())

        assert shown().startswith("Book the core group Jo · Locality North · case LCS-500200")
        assert "due 2026-11-01, overdue by 19 days · open" in shown()
        table = [str(c) for c in screen.query_one(EvaluationList).get_column("action")]
        assert table[1] != words and table[1].endswith("…")  # cut in the table
        await pilot.press("down")
        await settle(pilot)
        assert shown().startswith(words), shown()  # whole, its markup as typed
        assert "Kim · Locality North · case LCS-500200 · due 2026-11-10" in shown()
        assert "in progress" in shown()
        assert "Last progress (2026-11-12): Date set: 2 Dec." in shown()


@run_async
async def test_an_immediate_concern_from_raised_to_closed(
    workspace: Any, settings: Any, db_url: str
) -> None:
    eid = add_evaluation(workspace, "LCS-500200", practitioner="Jo Reilly")
    workspace.write(outcomes.set_concern, eid, True, "Bruising <b>not</b> followed up.")
    complete_directly(workspace, eid)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        concerns = await _screen(pilot, ConcernsScreen)
        assert _keys(concerns) == [eid]
        assert "not shared" in str(concerns.query_one(EvaluationList).get_column("stage")[0])
        detail = " ".join(str(concerns.query_one("#follow-detail").render()).split())
        assert detail.startswith("Bruising <b>not</b> followed up. raised "), detail  # literal
        assert "case LCS-500200 · raised, not shared" in detail, detail
        await pilot.press("enter")
        dialog = await _screen(pilot, ConcernNoticeDialog)
        await wait_for(pilot, lambda: dialog._notice is not None)
        text = " ".join(str(b.render()) for b in dialog.query(".block"))
        assert "Bruising <b>not</b> followed up." in text  # formatted, and literal
        rows = list(dialog.query(RecipientRow))
        assert all(row.picked for row in rows)  # all four, one step
        assert rows[0].query_one(".name", Input).value == "Jo Reilly"
        rows[0].query_one(".address", Input).value = "jo.reilly@example.org"
        await pilot.press("ctrl+l")
        folder = settings.documents_path
        draft = folder / "concern-notice-LCS-500200-2026-11-01.eml"
        await wait_for(pilot, lambda: draft.exists())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(_view(workspace, eid).shares) == 4)
        await settle(pilot)
        assert "Shared with all 4" in " ".join(str(b.render()) for b in dialog.query(".block"))
        assert not any(row.picked for row in dialog.query(RecipientRow))  # refreshed at once
        await pilot.click("#acknowledge")
        step = await _screen(pilot, ConcernStepDialog)
        step.query_one("#role", Select).value = "team_manager"
        step.query_one("#name", Input).value = "Kim Lloyd"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(_view(workspace, eid).concern_events) == 1)
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernNoticeDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernsScreen))
        await settle(pilot)
        assert "Acknowledged" in str(concerns.query_one(EvaluationList).get_column("stage")[0])
        await pilot.press("enter")
        dialog = await _screen(pilot, ConcernNoticeDialog)
        await pilot.click("#close-concern")
        step = await _screen(pilot, ConcernStepDialog)
        step.query_one("#note", TextArea).text = "Strategy meeting held; child seen."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(_view(workspace, eid).concern_events) == 2)
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernNoticeDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernsScreen))
        await wait_for(pilot, lambda: _keys(concerns) == [])
    view = _view(workspace, eid)
    assert sorted(s.recipient_role for s in view.shares) == [
        "director_social_care",
        "practitioner",
        "service_manager",
        "team_manager",
    ]
    assert [(e.kind, e.person_name) for e in view.concern_events] == [
        ("acknowledged", "Kim Lloyd"),
        ("closed", "Alex Auditor"),
    ]
    message = email.message_from_bytes(draft.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "jo.reilly@example.org"


@run_async
async def test_documents_from_the_summary_screen(
    workspace: Any, settings: Any, db_url: str
) -> None:
    import docx

    eid = add_evaluation(workspace, "LCS-500300")
    workspace.write(outcomes.add_action, eid, "Update the plan", "Kim", "2026-12-10")
    complete_directly(workspace, eid)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from qa_tui.tui.messages import OpenEvaluation

        app.post_message(OpenEvaluation(eid, "completed"))
        summary = await _screen(pilot, SummaryScreen)
        await wait_for(pilot, lambda: summary.data is not None)
        await pilot.press("d")
        dialog = await _screen(pilot, SummaryDocumentsDialog)
        await pilot.press("ctrl+f")
        folder = settings.documents_path
        stem = "feedback-summary-LCS-500300-2026-11-01"
        await wait_for(pilot, lambda: (folder / f"{stem}.md").exists())
        await settle(pilot)
        assert str(folder) in str(dialog.query_one("#status").render())  # the path is shown
        dialog.query_one("#r-child_record").query_one(Checkbox).value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(_view(workspace, eid).summary_shares) == 4)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{stem}{s}" for s in (".docx", ".html", ".md")
    ]
    document = docx.Document(io.BytesIO((folder / f"{stem}.docx").read_bytes()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Update the plan" in cells and "Kim" in cells
    html = (folder / f"{stem}.html").read_text(encoding="utf-8")
    assert "LCS-500300" in html and "<script" not in html
