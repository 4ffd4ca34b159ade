"""Planning driven through the real app, then the databases checked: the QA desk imports a
case list (a bad file refused with its lines, nothing imported; a clean one previewed, then
imported), plans a practice day, names the review group, draws a stratified sample with a
seed, allocates it, and starts an allocated case; a manager's laptop syncs from the Sync
screen, finds the case first on the home list and starts it with one key, the case details
filled in."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, TextArea

from qa_tui.domain import plans as pl
from qa_tui.store import models
from qa_tui.store.history import Actor, check_consistency
from qa_tui.store.migrate import open_store
from qa_tui.sync import central
from qa_tui.sync.keys import own_device_key
from qa_tui.tui.dialogs.confirm import ConfirmDialog
from qa_tui.tui.dialogs.plan_form import PlanFormDialog
from tests.tui.screens_setup import LARGE, SMALL, screen_is, wait_for
from tests.tui.test_app_shell import app_for, run_async, settle

BAD = (
    b"\xef\xbb\xbfCase reference;Team;Open date\r\n"
    b"LCS-610001;North;2026-01-01\r\nLCS-610001;North;never\r\n"
)
CLEAN = "Case reference;Team;Allocated worker;Category\r\n" + "".join(
    f"LCS-62{i:04d};{('Locality North', 'Locality South', 'Disabled Children')[i % 3]};"
    f"Worker {i % 5};{('CP', 'CIN')[i % 2]}\r\n"
    for i in range(30)
)


async def _type(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def _form(pilot: Any) -> PlanFormDialog:
    return await screen_is(pilot, PlanFormDialog)


async def _import(pilot: Any, path: Path) -> None:
    await pilot.press("i")
    dialog = await _form(pilot)
    dialog.query_one("#path", Input).focus()
    dialog.query_one("#path", Input).value = str(path)
    await pilot.press("ctrl+s")


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x50"])
@run_async
async def test_the_desk_imports_plans_samples_allocates_and_starts(
    settings: Any, db_url: str, tmp_path: Path, size: tuple[int, int]
) -> None:
    from qa_tui.tui.screens.plan import PlanScreen
    from qa_tui.tui.screens.planning import PlanningHome

    (tmp_path / "bad.csv").write_bytes(BAD)
    (tmp_path / "cases.csv").write_text(CLEAN)
    app = app_for(settings, db_url)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await _type(pilot, "Planning the programme")
        await pilot.press("enter")
        home = await screen_is(pilot, PlanningHome)
        await wait_for(pilot, lambda: home.loaded, "the plans")

        await _import(pilot, tmp_path / "bad.csv")  # refused, shown again with its lines
        await wait_for(pilot, lambda: isinstance(app.screen, PlanFormDialog), "the form again")
        await wait_for(
            pilot,
            lambda: "Nothing imported" in str(app.screen.query_one("#plan-form-error").render()),
            "the error",
        )
        assert "line 3: Case reference: LCS-610001 is also on line 2" in str(
            app.screen.query_one(".plan-note").render()
        )
        await pilot.press("escape")
        await _import(pilot, tmp_path / "cases.csv")
        confirm = await screen_is(pilot, ConfirmDialog)
        assert "30 lines read, 30 clean" in str(confirm.query_one(".title").render())
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: "30 cases" in str(home.query_one("#planning-status").render()),
            "the case list",
        )

        await pilot.press("n")
        await _form(pilot)
        await pilot.press("tab")
        await _type(pilot, "Practice day, CIN")
        await pilot.press("enter")
        await _type(pilot, "2026-12-03")
        await pilot.press("ctrl+s")
        plan = await screen_is(pilot, PlanScreen)
        await wait_for(pilot, lambda: plan.detail is not None, "the plan")

        await pilot.press("g")
        dialog = await _form(pilot)
        dialog.query_one("#members", TextArea).text = (
            "Alex Auditor | Locality North | Worker 1\n"
            "Bea Osei | Locality South | Worker 2\n"
            "Cy Hughes | Disabled Children"
        )
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: plan.detail is not None and len(plan.detail.members) == 3,
            "the review group",
        )

        await pilot.press("d")
        await _form(pilot)
        await pilot.press("tab")
        await _type(pilot, "9")
        await pilot.press("enter")
        await _type(pilot, "team")
        await pilot.press("enter", "enter", "end", *["backspace"] * 8)
        await _type(pilot, "4711")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: plan.detail is not None and len(plan.detail.allocations) == 9,
            "the sample",
        )
        await pilot.press("a")
        await wait_for(
            pilot, lambda: plan.detail is not None and len(plan.detail.loads) == 3, "the allocation"
        )
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EvaluationScreen", "editor")
        await settle(pilot)
    store = open_store(db_url)
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(models.CaseRecord)) == 30
        plan_row = s.scalars(select(models.Plan)).one()
        assert (plan_row.title, plan_row.status) == ("Practice day, CIN", "under_way")
        sample = pl.sample_of(plan_row)
        assert sample is not None and (sample["seed"], sample["strata_field"]) == (4711, "team")
        rows = pl.allocations(s, plan_row.id)
        assert sorted({r.reviewer for r in rows}) == ["Alex Auditor", "Bea Osei", "Cy Hughes"]
        started = [r for r in rows if r.started_evaluation_id]
        assert len(started) == 1
        made = s.get(models.Evaluation, started[0].started_evaluation_id)
        assert made is not None and made.case_reference == started[0].case_reference
        assert (made.team, made.practice_day) == (started[0].team, "Practice day, CIN")
        assert check_consistency(s) == []
    store.dispose()


@run_async
async def test_a_managers_laptop_syncs_and_starts_an_allocated_case_with_one_key(
    settings: Any, db_url: str, tmp_path: Path
) -> None:
    from qa_tui.tui.screens.sync import SyncScreen
    from tests.sync.helpers import ANY_CASE

    url = f"sqlite:///{(tmp_path / 'central.db').as_posix()}"
    desk_store = open_store(url)
    central.init_central(desk_store, tmp_path / "qa_key")
    with desk_store.session() as s:
        key = own_device_key(settings)
        central.enrol_device(s, settings.device_id, key.public_text, "manager's laptop")
        desk = Actor("QA Desk", str(uuid.uuid4()))
        plan_id = pl.create_plan(s, desk, "practice_day", "Practice day, CIN", "2026-12-03")
        for name, team in (("Alex Auditor", "Locality North"), ("Bea Osei", "Locality South")):
            pl.put_member(s, desk, plan_id, pl.MemberInput(name, team=team))
        cases = [
            pl.PlannedCase(
                f"LCS-63{i:04d}",
                "CIN",
                ("Locality North", "Locality South")[i % 2],
                f"Worker {i}",
                "CP",
            )
            for i in range(4)
        ]
        pl.add_cases(s, desk, plan_id, cases, ANY_CASE)
        pl.allocate_plan(s, desk, plan_id)
    desk_store.dispose()
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        sync = await screen_is(pilot, SyncScreen)
        sync.query_one("#central-url", Input).value = url
        await pilot.press("ctrl+y")
        await wait_for(
            pilot,
            lambda: str(sync.query_one("#sync-result").render()).startswith("Synced"),
            "the sync",
        )
        assert "1 plan with allocations updated" in str(sync.query_one("#sync-result").render())
        await pilot.press("escape")
        from tests.tui.screens_setup import home_screen

        home = home_screen(app)
        await wait_for(pilot, lambda: len(home._allocated) == 2, "the allocations at home")
        panel = str(home.query_one("#allocated").render())
        assert "Allocated to you for 3 December (Practice day, CIN)" in panel
        first = home._allocated[0]
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EvaluationScreen", "editor")
        await settle(pilot)
    store = open_store(db_url)
    with store.reader() as s:
        row = s.get(models.Allocation, first.id)
        assert row is not None and row.started_evaluation_id
        made = s.get(models.Evaluation, row.started_evaluation_id)
        assert made is not None
        assert (made.case_reference, made.practitioner, made.auditor) == (
            row.case_reference,
            row.worker,
            "Alex Auditor",
        )
        assert made.evaluation_type == "practice_day"
    store.dispose()


@run_async
async def test_the_monthly_expectation_writes_a_reminder_draft(
    settings: Any, db_url: str, tmp_path: Path
) -> None:
    from qa_tui.tui.screens.expectation import ExpectationScreen

    store = open_store(db_url)
    with store.session() as s:
        desk = Actor("QA Desk", str(uuid.uuid4()))
        plan_id = pl.create_plan(s, desk, "practice_day", "Practice day", "2026-12-03")
        pl.put_member(s, desk, plan_id, pl.MemberInput("Bea Osei", team="Locality South"))
    store.dispose()
    settings = settings.with_changes(documents_dir=str(tmp_path / "docs"))
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await _type(pilot, "Monthly expectation")
        await pilot.press("enter")
        screen = await screen_is(pilot, ExpectationScreen)
        await wait_for(pilot, lambda: screen.loaded, "the month")
        assert screen.month.label == "November 2026"
        assert [(r.name, r.met) for r in screen.rows] == [("Bea Osei", False)]
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.month.label == "October 2026", "the month before")
        await pilot.press("right_square_bracket", "m")
        draft = tmp_path / "docs" / "reminder-2026-11.eml"
        await wait_for(pilot, draft.exists, "the reminder draft")
        await settle(pilot)
    assert b"Bea Osei" in draft.read_bytes()
    assert (draft.stat().st_mode & 0o077) == 0  # owner-only


@run_async
async def test_the_boards_programme_from_the_app(settings: Any, db_url: str) -> None:
    from qa_tui.tui.screens.board import BoardScreen

    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await _type(pilot, "board's programme")
        await pilot.press("enter")
        screen = await screen_is(pilot, BoardScreen)
        await wait_for(pilot, lambda: screen.programme is not None, "the programme")
        await pilot.press("m")
        await _form(pilot)
        await _type(pilot, "2026-12-10")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(screen.programme.meetings) == 1, "the meeting")
        await pilot.press("a")
        await _form(pilot)
        await _type(pilot, "Plans reviewed before conference")
        await pilot.press("tab")
        await _type(pilot, "Head of CP")
        await pilot.press("enter")
        await _type(pilot, "2026-11-01")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(screen.programme.actions) == 1, "the action")
        await pilot.press("u")
        dialog = await _form(pilot)
        dialog.query_one("#status").value = "done"
        await pilot.press("tab")
        await _type(pilot, "Re-audit done")
        await pilot.press("tab")
        await _type(pilot, "18 of 20 now do")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.programme.actions[0].status == "done", "progress")
        await settle(pilot)
    store = open_store(db_url)
    with store.reader() as s:
        meeting = s.scalars(select(models.BoardMeeting)).one()
        assert meeting.report_deadline is not None and meeting.report_deadline.isoformat() == (
            "2026-11-26"
        )
        action = s.scalars(select(models.BoardAction)).one()
        assert (action.owner, action.status, action.evidence) == (
            "Head of CP",
            "done",
            "18 of 20 now do",
        )
        update = s.scalars(select(models.BoardActionUpdate)).one()
        assert update.note == "Re-audit done"
        assert check_consistency(s) == []
    store.dispose()


@run_async
async def test_a_thematic_evaluation_needs_its_terms_of_reference_before_it_starts(
    settings: Any, db_url: str, tmp_path: Path
) -> None:
    from textual.widgets import Select

    from qa_tui.tui.screens.plan import PlanScreen
    from qa_tui.tui.screens.planning import PlanningHome
    from qa_tui.tui.screens.reports import ReportsScreen
    from qa_tui.tui.widgets.report_filters import ReportFilters

    app = app_for(settings, db_url)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await _type(pilot, "Planning the programme")
        await pilot.press("enter")
        home = await screen_is(pilot, PlanningHome)
        await wait_for(pilot, lambda: home.loaded, "the plans")
        await pilot.press("n")
        dialog = await _form(pilot)
        dialog.query_one("#kind", Select).value = "thematic"
        await pilot.press("tab")
        await _type(pilot, "Neglect")
        await pilot.press("ctrl+s")
        plan = await screen_is(pilot, PlanScreen)
        await wait_for(pilot, lambda: plan.detail is not None, "the plan")
        assert "Terms of reference missing (t)" in str(plan.query_one("#plan-info").render())
        # Its footer shows its own keys (at 80 columns there is room for about seven) ...
        shown = {b.binding.action for b in plan.active_bindings.values() if b.binding.show}
        assert {"terms", "findings", "report"} <= shown
        assert not {"group", "sample", "allocate"} & shown
        await pilot.press("g")  # ... and the ones it leaves out still work
        await _form(pilot)
        await pilot.press("escape")
        await screen_is(pilot, PlanScreen)
        await pilot.press("u")  # refused: no terms of reference
        await settle(pilot)
        assert plan.detail is not None and plan.detail.plan.status == "planned"
        await pilot.press("t")
        dialog = await _form(pilot)
        for name, label in pl.TERMS.items():
            dialog.query_one(f"#{name}", TextArea).text = f"{label}: agreed."
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: plan.detail is not None and not pl.missing_terms(plan.detail.plan),
            "the terms",
        )
        await pilot.press("u")
        await wait_for(
            pilot,
            lambda: plan.detail is not None and plan.detail.plan.status == "under_way",
            "under way",
        )
        await pilot.press("f")
        dialog = await _form(pilot)
        await _type(pilot, "Chronologies kept up to date")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                plan.detail is not None
                and plan.detail.plan.findings_strengths == "Chronologies kept up to date"
            ),
            "the findings",
        )
        await pilot.press("e")  # its title and dates
        dialog = await _form(pilot)
        dialog.query_one("#title", Input).value = "Neglect: chronic"
        dialog.query_one("#starts_on", Input).value = "2026-12-01"
        dialog.query_one("#ends_on", Input).value = "2026-11-01"  # before the start: refused
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: "before the first" in str(app.screen.query_one("#plan-form-error").render()),
            "the refusal",
        )
        app.screen.query_one("#ends_on", Input).value = "2027-02-26"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: plan.detail is not None and plan.detail.plan.title == "Neglect: chronic",
            "the new title",
        )
        assert "2026-12-01 to 2027-02-26" in str(plan.query_one("#plan-info").render())
        await pilot.press("r")  # the board paper, from the plan
        paper = (
            settings.documents_path
            / "reports"
            / f"thematic-neglect-chronic-{plan.plan_id[:8]}.html"
        )
        await wait_for(pilot, paper.exists, "the board paper")
        page = paper.read_text(encoding="utf-8")
        assert "Thematic evaluation: Neglect: chronic" in page
        assert "Chronologies kept up to date" in page

        await pilot.press("escape", "escape")
        await pilot.press("f8")  # and from the Reports screen, for the year
        reports = await screen_is(pilot, ReportsScreen)
        await settle(pilot)
        reports.query_one("#kind", Select).value = "thematic"
        period = reports.query_one(ReportFilters).query_one("#period", Input)
        period.focus()
        period.value = "2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: reports.period.label == "2026", "the period")
        out = tmp_path / "thematic.md"
        reports.query_one("#out", Input).value = str(out)
        reports.query_one("#format", Select).value = "md"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: reports.made is not None, "the report")
        assert "Chronologies kept up to date" in out.read_text(encoding="utf-8")
    store = open_store(db_url)
    with store.reader() as s:
        row = s.scalars(select(models.Plan)).one()
        assert (row.kind, row.status, row.tor_why) == (
            "thematic",
            "under_way",
            "Why commissioned, and why now: agreed.",
        )
        assert (row.title, str(row.starts_on), str(row.ends_on)) == (
            "Neglect: chronic",
            "2026-12-01",
            "2027-02-26",
        )
        assert row.findings_strengths == "Chronologies kept up to date"
    store.dispose()


@run_async
async def test_a_big_case_list_imports_with_a_progress_bar(
    settings: Any, db_url: str, tmp_path: Path
) -> None:
    """12,000 cases imported from the Planning screen: the bar shows while the rows are
    written (its total the clean rows), fills, and the case list holds every row."""
    from textual.widgets import ProgressBar

    from qa_tui.tui.screens.planning import PlanningHome

    rows = 12_000
    big = "Case reference,Team,Category\r\n" + "".join(
        f"LCS-{700000 + i},Team {i % 9},{('CP', 'CIN')[i % 2]}\r\n" for i in range(rows)
    )
    (tmp_path / "big.csv").write_text(big)
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await _type(pilot, "Planning the programme")
        await pilot.press("enter")
        home = await screen_is(pilot, PlanningHome)
        await wait_for(pilot, lambda: home.loaded, "the plans")
        bar = home.query_one(ProgressBar)
        assert not bar.display
        await _import(pilot, tmp_path / "big.csv")
        confirm = await screen_is(pilot, ConfirmDialog)
        assert f"{rows:,} lines read, {rows:,} clean" in str(confirm.query_one(".title").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(bar.display) and bar.total == rows, "the bar")
        await wait_for(pilot, lambda: bar.progress == rows, "the bar full")
        await wait_for(
            pilot,
            lambda: f"{rows:,} cases" in str(home.query_one("#planning-status").render()),
            "the case list",
        )
        await wait_for(pilot, lambda: not bar.display, "the bar gone")
    store = open_store(db_url)
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(models.CaseRecord)) == rows
    store.dispose()


def test_the_import_tells_its_progress_at_most_ten_times_a_second() -> None:
    """200,000 rows told one by one reach the screen as a handful of messages, the last
    one the whole."""
    from qa_tui.tui.messages import ImportProgress
    from qa_tui.tui.screens.planning import Teller

    class Recorder:
        """Stands in for the screen: keeps what it is told."""

        def __init__(self) -> None:
            self.told: list[ImportProgress] = []

        def post_message(self, message: ImportProgress) -> bool:
            self.told.append(message)
            return True

    screen = Recorder()
    tell = Teller(cast("Any", screen), 200_000)
    for done in range(1, 200_001):
        tell(done)
    assert 1 <= len(screen.told) <= 50
    assert (screen.told[-1].done, screen.told[-1].total) == (200_000, 200_000)
