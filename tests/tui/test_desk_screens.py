"""The QA desk's screens driven through the real app: the dashboard (filter, drill down to the
evaluations, open one) and the reports screen (make a report, refuse a bad request).

Figures on screen are checked against plain counts over the database's rows, not against the
report code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import DataTable, Input, Select

from qa_tui.store import models
from qa_tui.tui.screens.behind import BehindScreen
from qa_tui.tui.screens.dashboard import DashboardScreen
from qa_tui.tui.screens.reports import ReportsScreen
from qa_tui.tui.screens.summary import SummaryScreen
from tests.tui.screens_setup import (
    DEMO_SEED,
    DESK_COUNT,
    dashboard_drawn,
    home_loaded,
    screen_is,
    wait_for,
)
from tests.tui.test_app_shell import SIZE, app_for, run_async, settle

Q3 = ("2026-07-01", "2026-09-30")


def _desk(workspace: Any) -> None:
    from qa_tui.demo import generate

    generate(workspace, DESK_COUNT, DEMO_SEED)


def _standard_counts(workspace: Any, team: str | None) -> dict[str, tuple[int, int]]:
    """(graded, good or better) per standard item, in completed Q3 evaluations: plain rows.
    An example under a judgement (marked seen / not seen) is not a standard."""
    e = models.Evaluation
    with workspace.store.reader() as session:
        rows = session.execute(
            select(models.Response.item_id, models.Response.grade, e.team)
            .add_columns(e.template_id, e.template_version, e.template_hash)
            .join(e, e.id == models.Response.evaluation_id)
            .where(
                e.status == "completed",
                e.evaluation_date.between(*Q3),
                models.Response.grade != "",
            )
        ).all()
    out: dict[str, tuple[int, int]] = {}
    for item, grade, found_team, *made_with in rows:
        if team is not None and found_team != team:
            continue
        if workspace.templates.get(*made_with).prompt(item) is not None:
            continue
        graded, good = out.get(item, (0, 0))
        if grade != "not_applicable":
            out[item] = (graded + 1, good + (grade in ("good", "outstanding")))
    return out


@run_async
async def test_dashboard_filters_and_opens_the_evaluations_behind_a_bar(
    workspace: Any, settings: Any, db_url: str
) -> None:
    _desk(workspace)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await home_loaded(pilot)
        await pilot.press("f7")
        screen = await dashboard_drawn(pilot)
        assert isinstance(screen, DashboardScreen) and screen.data is not None
        assert screen.data.query.period.label == "2026 Q3"
        every_team = screen.data
        weakest = screen.data.chart("grades").bars[0]
        counts = _standard_counts(workspace, None)
        graded, good = counts[weakest.key.split("/")[1]]
        assert weakest.n == graded and weakest.value == good / graded
        assert weakest.value == min(g / n for n, g in counts.values() if n >= 5)
        assert weakest.label[:80] in str(screen.query_one("#dash-headline").render())

        team = "CIN Team"
        screen.query_one("#team", Select).value = team
        await wait_for(pilot, lambda: screen.complete >= 2, "the charts redrawn for one team")
        assert screen.data.query.team == team
        team_counts = _standard_counts(workspace, team)
        bars = screen.data.chart("grades").bars
        assert {b.key.split("/")[1]: b.n for b in bars if b.n} == {
            k: v[0] for k, v in team_counts.items() if v[0]
        }

        chart = screen.query_one("#chart-grades")
        chart.focus()
        chart.highlighted = 1
        await pilot.pause()
        # The highlighted bar in words under the chart: its label whole, its grades counted.
        focus = str(screen.query_one("#focus-grades").render())
        label, figures = focus.split("\n")
        assert label == bars[1].label
        assert figures.startswith(f"{bars[1].text} (n = {bars[1].n:,}): ")
        counted = [part.rsplit(" ", 1) for part in figures.split(": ", 1)[1].split(", ")]
        assert sum(int(n) for _grade, n in counted) == bars[1].n  # every grade of the bar
        chart.highlighted = 0
        await pilot.pause()
        assert str(screen.query_one("#focus-grades").render()).startswith(bars[0].label)
        await pilot.press("enter")
        behind = await screen_is(pilot, BehindScreen)
        await wait_for(pilot, lambda: behind.total is not None, "the evaluations behind the bar")
        with workspace.store.reader() as session:
            expected = set(
                session.scalars(
                    select(models.Evaluation.id)
                    .join(models.Response, models.Response.evaluation_id == models.Evaluation.id)
                    .where(
                        models.Evaluation.status == "completed",
                        models.Evaluation.team == team,
                        models.Evaluation.evaluation_date.between(*Q3),
                        models.Response.item_id == bars[0].key.split("/")[1],
                        models.Response.grade.not_in(("", "seen", "not_seen")),
                    )
                )
            )
        assert behind.total == len(expected) and {r.id for r in behind.rows} == expected
        assert behind.query_one(DataTable).row_count == len(expected)
        # The bar's n leaves out "not applicable"; the list has them last, and says so.
        na = [r.id for r in behind.rows if r.detail == "Not applicable"]
        assert bars[0].n == len(expected) - len(na)
        assert [r.detail == "Not applicable" for r in behind.rows][len(expected) - len(na) :] == [
            True
        ] * len(na)
        status = str(behind.query_one("#behind-status").render())
        left_out = f"({len(na)} not applicable: listed last, not in the bar)"
        assert na and left_out in status, status  # the demo's first bar has one
        first = behind.rows[0]
        await pilot.press("enter")
        summary = await screen_is(pilot, SummaryScreen)
        assert summary.evaluation_id == first.id
        await pilot.press("escape")
        await screen_is(pilot, BehindScreen)
        await pilot.press("escape")
        await screen_is(pilot, DashboardScreen)

        # Back to every team: drawn again at once from the charts kept, no database read.
        complete = screen.complete
        screen.query_one("#team", Select).value = Select.NULL
        await pilot.pause()
        assert screen.complete == complete + 1 and screen.data is every_team
        assert not [w for w in screen.workers if w.group == "dashboard" and w.is_running]
        scaling = screen.query_one("#chart-scaling")
        assert scaling.chart is not every_team.chart("scaling")  # hidden: drawn when shown
        await pilot.press("2")
        assert scaling.chart is every_team.chart("scaling")
        await pilot.press("1")
        screen.query_one("#chart-grades").focus()
        await pilot.press("r")  # reload: the database read again
        await wait_for(pilot, lambda: screen.complete == complete + 2, "the charts read again")
        assert screen.data is not every_team and screen.data == every_team

        # A sync or a merge in the app changes the database: what was kept is forgotten.
        from qa_tui.tui.messages import EvaluationsChanged

        app.post_message(EvaluationsChanged())
        await wait_for(pilot, lambda: screen.complete == complete + 3, "the charts read again")
        assert screen.data is not every_team


@run_async
async def test_dashboard_period_is_checked_and_changes_the_charts(
    workspace: Any, settings: Any, db_url: str
) -> None:
    _desk(workspace)
    app = app_for(settings, db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_loaded(pilot)
        screen = await dashboard_drawn(pilot)
        await pilot.press("f")
        period = screen.query_one("#period")
        period.value = "2026-Q5"
        await pilot.press("enter")
        await settle(pilot)
        error = screen.query_one("#period-error")
        assert error.has_class("-shown") and "2026-Q3" in str(error.render())
        assert screen.loads == 1  # nothing redrawn for a bad period
        period.value = "2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.complete >= 2, "the charts for 2026")
        assert not error.has_class("-shown")
        with workspace.store.reader() as session:
            done = session.scalars(
                select(models.Evaluation.id).where(
                    models.Evaluation.status == "completed",
                    models.Evaluation.evaluation_date.between("2026-01-01", "2026-12-31"),
                )
            ).all()
        assert screen.data is not None and screen.data.completed == len(done)
        await pilot.press("3")
        assert screen.query_one("#dash-tabs").active == "tab-overdue"


async def _reports_screen(pilot: Any) -> ReportsScreen:
    """The reports screen (F8) from the home list, settled."""
    await home_loaded(pilot)
    await pilot.press("f8")
    screen = await screen_is(pilot, ReportsScreen)
    await settle(pilot)
    return screen


async def _make_report(pilot: Any, screen: ReportsScreen, fmt: str, out: Path) -> None:
    """Make the chosen report as ``fmt`` into ``out`` (ctrl+s) and wait until it is made."""
    screen.query_one("#format", Select).value = fmt
    await settle(pilot)  # the file offered follows the format: chosen before it is typed
    screen.query_one("#out").value = str(out)
    screen.made = None
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: screen.made is not None, f"the report as {fmt}")


@run_async
async def test_reports_screen_makes_a_report_and_refuses_a_team_summary_without_a_team(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    _desk(workspace)
    app = app_for(settings, db_url)
    out = tmp_path / "board.md"
    async with app.run_test(size=SIZE) as pilot:
        screen = await _reports_screen(pilot)
        await _make_report(pilot, screen, "md", out)
        assert out.exists() and out.read_text(encoding="utf-8").startswith("# Monthly report")
        made = screen.made
        assert made is not None and made.period.label == "October 2026"
        table = screen.query_one("#figures", DataTable)
        assert table.row_count == len(made.figures())
        with workspace.store.reader() as session:
            completed = session.scalars(
                select(models.Evaluation.id).where(
                    models.Evaluation.status == "completed",
                    models.Evaluation.evaluation_date.between("2026-10-01", "2026-10-31"),
                )
            ).all()
        first = made.figures()[0]
        assert (first.label, first.value) == ("Evaluations completed", len(completed))

        screen.query_one("#kind", Select).value = "team"
        screen.made = None
        await pilot.press("ctrl+s")
        status = screen.query_one("#report-status")
        await wait_for(pilot, lambda: "Not made" in str(status.render()), "the refusal")
        assert "give --team" in str(status.render()) or "one team" in str(status.render())
        assert screen.made is None


@run_async
async def test_reports_screen_file_name_follows_the_report_until_the_user_types_one(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    """The file offered is named after the report, period and format chosen; once the user
    types a path of their own, choosing another report keeps it."""
    _desk(workspace)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _reports_screen(pilot)
        path = screen.query_one("#out", Input)
        assert path.value.endswith("monthly-october-2026.html")
        screen.query_one("#kind", Select).value = "moderation"
        await settle(pilot)
        assert path.value.endswith("moderation-october-2026.html")
        screen.query_one("#format", Select).value = "md"
        await settle(pilot)
        assert path.value.endswith("moderation-october-2026.md")
        path.focus()
        path.value = ""
        await pilot.press(*str(tmp_path / "mine.md"))
        screen.query_one("#kind", Select).value = "coverage"
        await settle(pilot)
        assert path.value == str(tmp_path / "mine.md")


@run_async
async def test_reports_screen_writes_the_moderation_pairs_only_in_formats_with_rows(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    """Made as Markdown, the moderation report says where its pairs are (read without who
    graded blind); made as CSV from the same screen, the pairs name the blind graders."""
    _desk(workspace)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _reports_screen(pilot)
        screen.query_one("#kind", Select).value = "moderation"
        for fmt in ("md", "csv"):
            out = tmp_path / f"moderation.{fmt}"
            await _make_report(pilot, screen, fmt, out)
            assert out.exists()
        markdown = (tmp_path / "moderation.md").read_text(encoding="utf-8")
        assert "rows, in the CSV, JSON and XLSX versions" in markdown
        lines = (tmp_path / "moderation.csv").read_text(encoding="utf-8").splitlines()
        head = next(i for i, line in enumerate(lines) if line.startswith("session_id,"))
        by = lines[head].split(",").index("blind_by")
        rows = [line.split(",") for line in lines[head + 1 :] if line]
        assert len(rows) > 50 and sum(1 for row in rows if row[by]) > 10


@run_async
async def test_dashboard_charts_not_read_yet_for_new_filters_say_so(
    workspace: Any, settings: Any, db_url: str
) -> None:
    """After a filter change the chart on show comes first, the others after it (a second
    for a month at 100,000 evaluations): a tab opened meanwhile says it is being read, not
    the last filters' bars under the new headline."""
    from dataclasses import replace

    from qa_tui.reports.model import ReportQuery

    _desk(workspace)
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await home_loaded(pilot)
        screen = await dashboard_drawn(pilot)
        first = screen.data
        assert first is not None and len(first.charts) == 5
        scaling = screen.query_one("#chart-scaling")
        await pilot.press("2")
        assert scaling.chart is first.chart("scaling")
        await pilot.press("1")
        # As the worker does for new filters: the chart on show, then one by one.
        screen.workers.cancel_group(screen, "dashboard")
        newer = ReportQuery(first.query.period, None, "CIN Team", first.query.today)
        screen.query_now = newer
        screen._show(replace(first, query=newer, charts=first.charts[:1]))
        assert scaling.chart is None
        assert "Reading" in str(screen.query_one("#title-scaling").render())
        await pilot.press("2")  # the tab opened before its chart is read
        assert scaling.chart is None
        screen._show(replace(first, query=newer, charts=first.charts[:2]))
        assert scaling.chart is first.charts[1] and first.charts[1].name == "scaling"
        assert "Reading" not in str(screen.query_one("#title-scaling").render())
