"""Pilot tests of the app shell: first run, home list, summary, reopen, palette, themes."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import tomllib
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from qa_tui.config import load_settings
from qa_tui.tui.app import QaApp, make_app
from qa_tui.tui.screens.home import HomeScreen
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from tests.conftest import frozen_clock
from tests.tui.screens_setup import wait_for, workers_done

SIZE = (160, 40)


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test without an async pytest plugin (fixtures still resolve)."""

    @functools.wraps(test)
    def runner(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return runner


async def settle(pilot: Any, rounds: int = 3) -> None:
    """Let workers finish and the messages they post be handled."""
    for _ in range(rounds):
        await workers_done(pilot.app)
        await pilot.pause()


def app_for(settings: Any, db_url: str) -> QaApp:
    """The app on ``db_url``, made first if need be (the app itself only ever makes its own
    default database: see ``test_a_db_that_does_not_exist_is_refused``)."""
    from qa_tui.workspace import open_workspace

    open_workspace(settings, db_url).close()
    return make_app(settings, db_url=db_url, clock=frozen_clock)


def home(app: QaApp) -> HomeScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, HomeScreen)
    return screen


def table_cells(app: QaApp, column: str) -> list[str]:
    """The text of one column, top to bottom."""
    return [str(cell) for cell in home(app).query_one(EvaluationList).get_column(column)]


def add_evaluation(ws: Any, ref: str, practitioner: str = "Sam Worker", **extra: Any) -> str:
    from qa_tui.domain.evaluation import CaseDetails, create_evaluation, remember_template

    template = ws.templates.latest()[0]
    details = CaseDetails(
        case_reference=ref,
        service_area="Children in need",
        team=extra.pop("team", "Locality North"),
        practitioner=practitioner,
        evaluation_date=extra.pop("date", dt.date(2026, 11, 1)),
        practitioner_present=True,
    )
    with ws.store.session() as session:
        new_id = create_evaluation(
            session, ws.actor, template, details, ws.settings.case_reference_pattern
        )
        remember_template(session, template)
    return new_id


def complete_directly(ws: Any, evaluation_id: str) -> None:
    """Mark an evaluation completed through the history (bypassing what is missing)."""
    from qa_tui.domain.record_writes import create_record
    from qa_tui.store.history import record_change

    with ws.store.session() as session:
        fixed = {"evaluation_id": evaluation_id, "kind": "completed", "reason": ""}
        create_record(session, ws.actor, "lifecycle_event", evaluation_id, fixed, {})
        record_change(
            session, ws.actor, "evaluation", evaluation_id, evaluation_id, "status", "completed"
        )


@run_async
async def test_first_run_asks_identity_and_saves_it(isolated_dirs: Any, db_url: str) -> None:
    settings = load_settings()
    assert not settings.has_identity
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from qa_tui.tui.dialogs.first_run import FirstRunDialog

        assert isinstance(app.screen, FirstRunDialog)
        await pilot.press("enter")  # name is required: the error shows, the dialog stays
        await pilot.press("tab", "tab", "tab", "enter")
        assert isinstance(app.screen, FirstRunDialog)
        app.screen.query_one("#name", Input).value = "Jo Auditor"
        app.screen.query_one("#role", Input).value = "Service manager"
        app.screen.query_one("#team", Input).value = "Locality South"
        app.screen.query_one("#name", Input).focus()
        await pilot.press("ctrl+s")  # saves from any field, as every form does
        await settle(pilot)
        assert not isinstance(app.screen, FirstRunDialog)
    saved = load_settings(settings.config_path)
    assert (saved.auditor_name, saved.auditor_role, saved.auditor_team) == (
        "Jo Auditor",
        "Service manager",
        "Locality South",
    )
    # The laptop's signing key is made on first run too, readable by its owner alone.
    from qa_tui.sync.keys import device_key_path

    key = device_key_path(settings.data_dir)
    assert key.is_file()
    if os.name == "posix":
        assert key.stat().st_mode & 0o777 == 0o600


@run_async
async def test_empty_database_offers_demo_data(settings: Any, db_url: str) -> None:
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = home(app)
        assert screen.query_one("#first-run").display
        assert not screen.query_one(EvaluationList).display
        await pilot.click("#load-demo")
        await settle(pilot, rounds=6)
        assert not screen.query_one("#first-run").display
        assert screen.query_one(EvaluationList).row_count == 40


@run_async
async def test_home_shows_rows_and_filters_as_you_type(
    workspace: Any, settings: Any, db_url: str
) -> None:
    add_evaluation(workspace, "AB-100001", "Priya Patel")
    add_evaluation(workspace, "AB-100002", "Tom Jones")
    add_evaluation(workspace, "CD-200003", "Priya Khan", team="Locality East")
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert sorted(table_cells(app, "case")) == ["AB-100001", "AB-100002", "CD-200003"]
        assert set(table_cells(app, "status")) == {"Draft"}  # status as a word
        await pilot.press("p", "r", "i", "y", "a")  # typing on the list goes to the filter
        assert home(app).query_one("#filter", Input).value == "priya"
        assert sorted(table_cells(app, "practitioner")) == ["Priya Khan", "Priya Patel"]
        await pilot.press("space", "e", "a", "s", "t")
        assert table_cells(app, "practitioner") == ["Priya Khan"]
        await pilot.press("escape")
        assert len(table_cells(app, "case")) == 3


@run_async
async def test_sort_by_column(workspace: Any, settings: Any, db_url: str) -> None:
    add_evaluation(workspace, "BB-100002", date=dt.date(2026, 10, 1))
    add_evaluation(workspace, "AA-100001", date=dt.date(2026, 9, 1))
    add_evaluation(workspace, "CC-100003", date=dt.date(2026, 11, 1))
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_cells(app, "case") == ["CC-100003", "BB-100002", "AA-100001"]  # newest first
        home(app).sort_by("case", reverse=False)  # as a click on the header does
        await pilot.pause()
        assert table_cells(app, "case") == ["AA-100001", "BB-100002", "CC-100003"]
        await pilot.press("ctrl+r")  # reverse
        assert table_cells(app, "case") == ["CC-100003", "BB-100002", "AA-100001"]


@run_async
async def test_click_header_sorts(workspace: Any, settings: Any, db_url: str) -> None:
    add_evaluation(workspace, "BB-100002", practitioner="Zed")
    add_evaluation(workspace, "AA-100001", practitioner="Amy")
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = home(app).query_one(EvaluationList)
        region = table.content_region
        x = region.x + table.column_offset("practitioner") + 2
        await pilot.click(offset=(x, region.y))
        await pilot.pause()
        assert table_cells(app, "practitioner") == ["Amy", "Zed"]


@run_async
async def test_enter_opens_summary_of_completed_and_reopen_records_reason(
    workspace: Any, settings: Any, db_url: str
) -> None:
    from qa_tui.store.views import load_view
    from qa_tui.tui.dialogs.reopen import ReopenDialog
    from qa_tui.tui.screens.summary import SummaryScreen

    evaluation_id = add_evaluation(workspace, "AB-123456")
    complete_directly(workspace, evaluation_id)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_cells(app, "status") == ["Completed"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        page_text = " ".join(str(s.render()) for s in app.screen.query(".block"))
        assert "Case AB-123456" in page_text
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReopenDialog)
        await pilot.press("enter")  # a reason is required
        assert isinstance(app.screen, ReopenDialog)
        await pilot.press(*"New information from school")
        await pilot.press("enter")
        await settle(pilot)
    view_events = workspace.read(
        lambda s: [(e.kind, e.reason) for e in load_view(s, evaluation_id).events]
    )
    assert ("reopened", "New information from school") in view_events
    status = workspace.read(lambda s: load_view(s, evaluation_id).evaluation.status)
    assert status == "reopened"


@run_async
async def test_palette_opens_evaluation_by_case_reference(
    workspace: Any, settings: Any, db_url: str
) -> None:
    from qa_tui.tui.screens.summary import SummaryScreen

    add_evaluation(workspace, "AB-111111")
    wanted = add_evaluation(workspace, "XY-987654")
    complete_directly(workspace, wanted)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"XY-987654")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.evaluation_id == wanted


@run_async
async def test_theme_switch_persists_to_config(settings: Any, db_url: str) -> None:
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "qa-dark"
        app.action_use_theme("high-contrast")
        await settle(pilot)
        assert app.theme == "qa-high-contrast"
    saved = tomllib.loads(settings.config_path.read_text(encoding="utf-8"))
    assert saved["theme"] == "high-contrast"


@run_async
async def test_markup_in_user_text_is_shown_literally(
    workspace: Any, settings: Any, db_url: str
) -> None:
    add_evaluation(workspace, "AB-222222", practitioner="[bold]x[/bold] \x1b[31mred")
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_cells(app, "practitioner") == ["[bold]x[/bold] ␛[31mred"]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
@run_async
async def test_home_fits_small_and_large_terminals(
    workspace: Any, settings: Any, db_url: str, size: tuple[int, int]
) -> None:
    add_evaluation(workspace, "AB-333333")
    app = app_for(settings, db_url)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = home(app).query_one(EvaluationList)
        assert table.region.height >= 5
        assert table.has_focus
        keys = table.column_keys
        assert keys[:3] == ["status", "concern", "case"] if size[0] < 130 else len(keys) == 9


@run_async
async def test_review_lists_missing_and_dismisses_with_the_item(
    workspace: Any, settings: Any, db_url: str
) -> None:
    from qa_tui.tui.dialogs.review import ReviewDialog
    from qa_tui.tui.messages import ReviewResult

    evaluation_id = add_evaluation(workspace, "AB-444444")
    app = app_for(settings, db_url)
    results: list[ReviewResult | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.workspace is not None
        app.push_screen(ReviewDialog(app.workspace, evaluation_id), results.append)
        await settle(pilot)
        assert not app.screen.query_one("#complete").display  # things are missing
        await pilot.press("enter")
        await settle(pilot)
    assert results and results[0] is not None
    assert results[0].jump_to is not None and not results[0].completed


@run_async
async def test_a_db_that_does_not_exist_is_refused(settings: Any, tmp_path: Path) -> None:
    """``qa-tui --db`` naming no database (a typo, say) stops with the reason; nothing is
    created."""
    missing = tmp_path / "typo.db"
    app = make_app(settings, db_url=f"sqlite:///{missing.as_posix()}", clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.startup_error is not None, "the refusal")
    assert "no database" in (app.startup_error or "")
    assert not missing.exists()
