"""The planning screens' scenes (issue 14), added to ``screens_setup.SCENES``: a case list
imported, a practice day with its review group, a stratified sample and its allocations, a
thematic evaluation commissioned without all its terms of reference yet."""

from __future__ import annotations

from typing import Any

from tests.tui.screens_setup import DemoIds, Scene, _home, screen_is, wait_for

CASE_LIST = "Case reference;Service area;Team;Allocated worker;Category\r\n" + "".join(
    f"LCS-{600000 + i};Children in Need;"
    f"{('Locality North', 'Locality South', 'Disabled Children')[i % 3]};"
    f"Worker {i % 7};{('CP', 'CIN')[i % 2]}\r\n"
    for i in range(60)
)
GROUP = (
    ("Alex Auditor", "Locality North", ("Worker 1",)),
    ("Bea Osei", "Locality South", ("Worker 2",)),
    ("Cy Hughes", "Disabled Children", ()),
)


def plan_data(ws: Any) -> str:
    """The plans the scenes show; returns the practice day's id."""
    from qa_tui.demo import remove_programme
    from qa_tui.domain.case_import import read_case_list
    from qa_tui.domain.plans import TERMS, MemberInput
    from qa_tui.services.planning import PlanningService

    with ws.store.session() as session:  # these scenes show their own plans, not the demo's
        remove_programme(session)
    service = PlanningService(ws)
    service.import_cases(read_case_list(CASE_LIST.encode()))
    day = service.create(
        "practice_day",
        "Practice day, Children in Need",
        "2026-12-03",
        service_area="Children in Need",
    )
    service.put_members(day, [MemberInput(n, team=t, supervises=s) for n, t, s in GROUP])
    service.add_sample(day, service.sample("cases", 9, 4711, "team"))
    service.allocate(day)
    service.create(
        "dip_sample",
        "CP plans reviewed on time",
        "2026-11-16",
        hypothesis="Children on CP plans over 12 months have had their plan reviewed on time",
    )
    thematic = service.create("thematic", "Neglect: the graded care profile", "2027-01-11")
    first = dict(list(TERMS.items())[:2])
    service.update(
        thematic, **{name: f"{label}: agreed by the board." for name, label in first.items()}
    )
    return day


async def planning_home(pilot: Any, ids: DemoIds | None) -> Any:
    from qa_tui.tui.messages import Navigate
    from qa_tui.tui.screens.planning import PlanningHome

    await _home(pilot, ids)
    plan_data(pilot.app.workspace)
    pilot.app.post_message(Navigate("planning"))
    screen = await screen_is(pilot, PlanningHome)
    await wait_for(pilot, lambda: screen.loaded and len(screen.rows) == 3, "the plans")
    return screen


async def planning_importing(pilot: Any, ids: DemoIds | None) -> None:
    """Half way through writing a big case list (the message the import's worker posts)."""
    from textual.widgets import ProgressBar

    from qa_tui.tui.messages import ImportProgress

    screen = await planning_home(pilot, ids)
    screen.post_message(ImportProgress(96_000, 200_000))
    await wait_for(pilot, lambda: screen.query_one(ProgressBar).progress == 96_000, "the bar")


async def plan_screen(pilot: Any, ids: DemoIds | None) -> Any:
    from qa_tui.tui.screens.plan import PlanScreen

    screen = await planning_home(pilot, ids)
    screen.query_one("DataTable").move_cursor(row=1)  # the practice day (3 December)
    await pilot.press("enter")
    plan = await screen_is(pilot, PlanScreen)
    await wait_for(pilot, lambda: plan.detail is not None, "the plan")
    return plan


async def plan_thematic(pilot: Any, ids: DemoIds | None) -> None:
    """A thematic evaluation: its terms, findings and board paper have keys of their own."""
    from qa_tui.tui.screens.plan import PlanScreen

    screen = await planning_home(pilot, ids)
    row = next(i for i, r in enumerate(screen.rows) if r.kind == "thematic")
    screen.query_one("DataTable").move_cursor(row=row)
    await pilot.press("enter")
    plan = await screen_is(pilot, PlanScreen)
    await wait_for(pilot, lambda: plan.detail is not None, "the plan")
    assert plan.detail.plan.kind == "thematic"


async def plan_sample(pilot: Any, ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.plan_form import PlanFormDialog

    await plan_screen(pilot, ids)
    await pilot.press("d")
    await screen_is(pilot, PlanFormDialog)


async def plan_edit(pilot: Any, ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.plan_form import PlanFormDialog

    await plan_screen(pilot, ids)
    await pilot.press("e")
    await screen_is(pilot, PlanFormDialog)


async def home_allocated(pilot: Any, ids: DemoIds | None) -> None:
    from tests.tui.screens_setup import home_screen

    await _home(pilot, ids)
    plan_data(pilot.app.workspace)
    home = home_screen(pilot.app)
    home.load()
    await wait_for(pilot, lambda: bool(home._allocated), "the allocations")


async def expectation(pilot: Any, ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.expectation import ExpectationScreen

    await planning_home(pilot, ids)
    await pilot.press("e")
    screen = await screen_is(pilot, ExpectationScreen)
    await wait_for(pilot, lambda: screen.loaded, "the month")


async def board(pilot: Any, ids: DemoIds | None) -> None:
    from qa_tui.services.board import BoardService
    from qa_tui.services.planning import PlanningService
    from qa_tui.tui.messages import Navigate
    from qa_tui.tui.screens.board import BoardScreen

    await _home(pilot, ids)
    ws = pilot.app.workspace
    plan_data(ws)
    PlanningService(ws).create("thematic", "The child's voice in supervision", "2026-09-07")
    service = BoardService(ws)
    for day in ("2026-01-15", "2026-04-16", "2026-07-16", "2026-10-15", "2026-12-10"):
        service.add_meeting(day)
    late = service.add_action(
        "CP plans reviewed before every conference", "Head of CP", "2026-11-01"
    )
    service.update_action(late, "in_progress", "Review template agreed with IROs")
    done = service.add_action("Supervision records the child's voice", "Principal SW", "2026-09-30")
    service.update_action(done, "done", "Re-audit in September", evidence="18 of 20 now do")
    pilot.app.post_message(Navigate("board"))
    screen = await screen_is(pilot, BoardScreen)
    await wait_for(pilot, lambda: screen.programme is not None, "the programme")


PLANNING_SCENES = {
    scene.name: scene
    for scene in (
        Scene("planning", "Planning the programme: the plans", planning_home),
        Scene("planning_importing", "A big case list being imported", planning_importing),
        Scene("plan", "A practice day: review group, sample, allocations", plan_screen),
        Scene("plan_thematic", "A thematic evaluation's plan", plan_thematic),
        Scene("plan_sample", "Draw a dip sample with a seed", plan_sample),
        Scene("plan_edit", "Change a plan's title and dates", plan_edit),
        Scene("expectation", "The monthly expectation, by service and team", expectation),
        Scene("board", "The board's programme: meetings, thematic, systemic actions", board),
        Scene("home_allocated", "Cases allocated to you, first on the home list", home_allocated),
    )
}
