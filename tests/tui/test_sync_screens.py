"""The sync and conflicts screens, driven through the real app, checked in the databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Button, DataTable, Input, Static

from qa_tui.domain.evaluation import update_details
from qa_tui.store import models
from qa_tui.store.migrate import open_store
from qa_tui.sync import central
from qa_tui.sync.conflicts import list_conflicts
from qa_tui.sync.keys import own_device_key
from qa_tui.tui.dialogs.resolve_conflict import ResolveConflictDialog
from qa_tui.tui.messages import Navigate
from qa_tui.tui.screens.conflicts import ConflictsScreen
from qa_tui.tui.screens.sync import SyncScreen
from tests.sync.helpers import Laptop, copy_into
from tests.tui.test_app_shell import SIZE, add_evaluation, app_for, run_async, settle

PATTERN = r"^[A-Z]{2,4}-?\d{4,10}$"
MINI = Path(__file__).resolve().parents[1] / "unit" / "templates_data" / "mini.toml"


def _central_with(settings: Any, tmp_path: Path) -> str:
    """A central SQLite database that has enrolled this laptop's device key."""
    url = f"sqlite:///{(tmp_path / 'central.db').as_posix()}"
    store = open_store(url)
    central.init_central(store, tmp_path / "qa_key")
    key = own_device_key(settings)
    with store.session() as session:
        central.enrol_device(session, settings.device_id, key.public_text, "test laptop")
    store.dispose()
    return url


async def _wait_for_text(pilot: Any, selector: str, prefix: str) -> str:
    for _ in range(100):
        await settle(pilot, 1)
        text = str(pilot.app.screen.query_one(selector, Static).render())
        if text.startswith(prefix):
            return text
    raise AssertionError(f"{selector} never showed {prefix!r}; last: {text!r}")


@run_async
async def test_sync_screen_sends_evaluations_to_the_central_database(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    from qa_tui.framework.loader import load_template_file
    from qa_tui.sync.reference_data import publish_template

    add_evaluation(workspace, "LCS-700001")
    url = _central_with(settings, tmp_path)
    central_store = open_store(url)
    with central_store.session() as session:  # the QA team published a template
        publish_template(session, load_template_file(MINI))
    central_store.dispose()
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        assert isinstance(app.screen, SyncScreen)
        app.screen.query_one("#central-url", Input).value = url
        await pilot.press("ctrl+y")
        text = await _wait_for_text(pilot, "#sync-result", "Synced")
        assert "1 evaluation sent to the QA team" in text
        assert "1 new template to use" in text
        # The last sync is kept: the screen shows it (and would after a restart).
        last = await _wait_for_text(pilot, "#sync-last", "Last sync:")
        assert "1 evaluation sent to the QA team" in last
        assert app.workspace is not None
        mini = app.workspace.templates.get("mini", "1.0")  # usable without a restart
        assert mini is not None and mini in app.workspace.templates.latest()
    assert app.settings.central_db_url == url
    store = open_store(url)
    with store.reader() as session:
        refs = session.scalars(select(models.Evaluation.case_reference)).all()
    store.dispose()
    assert refs == ["LCS-700001"]


@run_async
async def test_the_sync_screen_shows_a_sync_made_from_the_command_line(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    from qa_tui.sync.direct import sync_now

    add_evaluation(workspace, "LCS-700004")
    url = _central_with(settings, tmp_path)
    sync_now(workspace.store, workspace.settings, url)  # what `qa-tui sync --central URL` runs
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        last = await _wait_for_text(pilot, "#sync-last", "Last sync:")
        assert "1 evaluation sent to the QA team" in last and "central.db" in last
        assert app.focused is app.screen.query_one("#central-url")


@run_async
async def test_unreachable_central_database_is_a_message_not_a_crash(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    add_evaluation(workspace, "LCS-700002")
    app = app_for(settings, db_url)
    missing = f"sqlite:///{(tmp_path / 'nowhere' / 'central.db').as_posix()}"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(Navigate("sync"))
        await settle(pilot)
        app.screen.query_one("#central-url", Input).value = missing
        await pilot.click("#sync")
        text = await _wait_for_text(pilot, "#sync-result", "Not synced")
        assert "not reachable" in text and "try again later" in text
        assert not app.screen.query_one("#sync", Button).disabled


def _conflicted(workspace: Any, tmp_path: Path) -> str:
    """Two laptops change one practitioner independently; both reach this database."""
    first = Laptop(f"sqlite:///{(tmp_path / 'a.db').as_posix()}", tmp_path, "Ann Auditor")
    second = Laptop(f"sqlite:///{(tmp_path / 'b.db').as_posix()}", tmp_path, "Bo Auditor")
    evaluation_id = first.new_evaluation("LCS-700003")
    copy_into(second.store, first.store)
    first.do(update_details, evaluation_id, {"practitioner": "Pat [bold]One[/bold]"}, PATTERN)
    second.do(update_details, evaluation_id, {"practitioner": "Pat Two"}, PATTERN)
    copy_into(workspace.store, first.store)
    copy_into(workspace.store, second.store)
    return evaluation_id


@run_async
async def test_conflict_is_resolved_by_keeping_one_version(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    evaluation_id = _conflicted(workspace, tmp_path)
    assert len(workspace.read(list_conflicts)) == 1
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(Navigate("conflicts"))
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ResolveConflictDialog)
        shown = " ".join(str(s.render()) for s in dialog.query(Static))
        assert "Pat [bold]One[/bold]" in shown and "Pat Two" in shown  # literally, both sides
        keep = next(s for s in dialog.conflict.sides if s.value == "Pat Two")
        number = dialog.conflict.sides.index(keep) + 1
        await pilot.click(f"#pick-{number}")
        await settle(pilot, 5)
        assert isinstance(app.screen, ConflictsScreen)
        assert app.screen.query_one(DataTable).row_count == 0
    assert workspace.read(list_conflicts) == []
    with workspace.store.reader() as session:
        evaluation = session.get(models.Evaluation, evaluation_id)
        assert evaluation is not None and evaluation.practitioner == "Pat Two"


@run_async
async def test_the_sync_screen_on_the_central_database_says_what_it_is_and_sends_nothing(
    settings: Any, tmp_path: Path
) -> None:
    """The QA desk opens the app on the central database: Sync, Export and Purge are for a
    laptop. The screen says how bundles are merged, and its keys do nothing there."""
    from qa_tui.tui.screens.sync import CENTRAL_NOTICE

    url = f"sqlite:///{(tmp_path / 'central.db').as_posix()}"
    store = open_store(url)
    central.init_central(store, tmp_path / "qa_key")
    store.dispose()
    app = app_for(settings, url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        said = await _wait_for_text(pilot, "#sync-last", "This is the QA team's central")
        assert said == CENTRAL_NOTICE and "qa-tui merge --into" in said
        for button in ("#sync", "#export", "#purge"):
            assert screen.query_one(button, Button).disabled, button
        assert not screen.query_one("#retention").display  # a laptop's, not shown here
        assert not screen.query_one("#conflicts", Button).disabled
        await pilot.press("ctrl+y", "ctrl+b")  # nothing sent, no export dialog
        await settle(pilot)
        assert app.screen is screen
        assert str(screen.query_one("#sync-result", Static).render()) == ""
        screen.query_one("#central-url", Input).focus()
        await pilot.press("enter")  # enter in the address sends nothing either
        await settle(pilot)
        assert str(screen.query_one("#sync-result", Static).render()) == ""
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
