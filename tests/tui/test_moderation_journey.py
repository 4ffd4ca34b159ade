"""A whole moderation session driven with keys alone, at 200×50 and at 80×24, then the
database checked: create the session, sample two evaluations with a seed, a blind pass by two
moderators, the reveal, agreed grades (one with a rationale), the outcome, the second
evaluation, closing the session; then the agreement screen shows the figures."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qa_tui.domain import moderation as mod
from qa_tui.domain import sampling
from qa_tui.domain import sessions as ses
from qa_tui.store import models
from qa_tui.store.history import check_consistency
from qa_tui.tui.app import make_app
from tests.conftest import frozen_clock
from tests.tui.screens_setup import LARGE, SMALL, home_loaded, screen_is, wait_for
from tests.tui.test_evaluation_journey import run_async

WHY = "No [b]dates[/b] in the plan"
STRENGTHS = "The child's words are quoted."
GAPS = "Say where the evidence was found."


@pytest.fixture
def demo_ws(workspace: Any) -> Any:
    from qa_tui.demo import generate

    generate(workspace, 40, 1)
    return workspace


async def _type(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def _clear_and_type(pilot: Any, text: str, old: int = 6) -> None:
    await pilot.press("end", *["backspace"] * old)
    await _type(pilot, text)


async def _new_session(pilot: Any) -> Any:
    from qa_tui.tui.dialogs.new_session import NewSessionDialog
    from qa_tui.tui.screens.moderation_home import ModerationHome
    from qa_tui.tui.screens.session import SessionScreen

    await pilot.press("f3")
    home = await screen_is(pilot, ModerationHome)
    await wait_for(pilot, lambda: home.loaded, "the sessions")
    await pilot.press("n")
    await screen_is(pilot, NewSessionDialog)
    await pilot.press("tab")
    await _type(pilot, "Keys group")
    await pilot.press("tab", "end", "enter")
    await _type(pilot, "Tom Lindqvist, PSW")
    await pilot.press("ctrl+s")
    return await screen_is(pilot, SessionScreen)


async def _sample_two(pilot: Any, screen: Any) -> None:
    from qa_tui.tui.dialogs.sample import SampleDialog

    await wait_for(pilot, lambda: screen.detail is not None, "the session")
    await pilot.press("s")
    await screen_is(pilot, SampleDialog)
    await _type(pilot, "2026")
    await pilot.press(*["tab"] * 5)
    await _clear_and_type(pilot, "2", 2)
    await pilot.press("tab")
    await _clear_and_type(pilot, "4711", 6)
    await pilot.press("ctrl+s")
    await wait_for(
        pilot, lambda: screen.detail is not None and len(screen.detail.members) == 2, "2"
    )


def _graded_rows(sbs: Any) -> list[int]:
    return [i for i, item in enumerate(sbs.data.left) if item.item_id in sbs.data.right]


async def _go(pilot: Any, sbs: Any, row: int) -> None:
    from qa_tui.tui.widgets.two_pane import TwoPane

    pane = sbs.query_one(TwoPane)
    await pilot.press("home", *["down"] * row)
    await wait_for(pilot, lambda: pane.cursor == row, f"row {row}")


async def _settled(pilot: Any, sbs: Any) -> None:
    """Every write handed to the writer has landed and the screen has read it back."""
    await wait_for(pilot, lambda: sbs.writer.idle, "the writes")
    await pilot.pause(0.1)
    await wait_for(pilot, lambda: not [w for w in sbs.workers if w.is_running], "the reload")
    await pilot.pause()


async def _blind_pass(pilot: Any, sbs: Any, keys: tuple[str, str]) -> None:
    for key in keys:
        for row in _graded_rows(sbs):
            await _go(pilot, sbs, row)
            await pilot.press(key)
        await _settled(pilot, sbs)
        await pilot.press("m")  # the next moderator
        await pilot.pause()


async def _reveal(pilot: Any, sbs: Any) -> None:
    from qa_tui.tui.dialogs.confirm import ConfirmDialog

    await pilot.press("v")
    await screen_is(pilot, ConfirmDialog)
    await pilot.press("y")
    await wait_for(pilot, lambda: sbs.data is not None and not sbs.data.hidden, "the reveal")


async def _agree_all(pilot: Any, sbs: Any, disagree_first: bool) -> str:
    """Agree every graded item; the first one the auditor graded (not "not applicable") the
    group grades differently, with a reason."""
    from qa_tui.tui.dialogs.agreed_grade import AgreedGradeDialog

    rows = _graded_rows(sbs)
    first = next(r for r in rows if sbs.data.left[r].grade not in ("", "not_applicable"))
    changed = ""
    for row in rows:
        await _go(pilot, sbs, row)
        if row == first and disagree_first:
            auditor = sbs.data.left[row].grade
            key = "4" if auditor != "inadequate" else "1"
            await pilot.press(key)
            dialog = await screen_is(pilot, AgreedGradeDialog)
            await _type(pilot, WHY)
            await pilot.press("enter")
            await wait_for(pilot, lambda d=dialog: not d.is_attached, "the dialog closed")
            changed = sbs.data.left[row].item_id
        else:
            await pilot.press("a")
        await _settled(pilot, sbs)
    return changed


async def _outcome(pilot: Any, sbs: Any) -> None:
    from qa_tui.tui.dialogs.outcome import OutcomeDialog

    await pilot.press("o")
    await screen_is(pilot, OutcomeDialog)
    await _type(pilot, STRENGTHS)
    await pilot.press("tab")
    await _type(pilot, GAPS)
    await pilot.press("tab")
    await _type(pilot, "Plans need dates.")
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: sbs.data.moderation.feedback_gaps == GAPS, "the outcome")


@pytest.mark.parametrize("size", [LARGE, SMALL], ids=["200x50", "80x24"])
@run_async
async def test_a_whole_session_with_keys_then_the_database(
    demo_ws: Any, size: tuple[int, int]
) -> None:
    from qa_tui.tui.screens.agreement import AgreementScreen
    from qa_tui.tui.screens.side_by_side import SideBySideScreen

    app = make_app(demo_ws.settings, workspace_factory=lambda: demo_ws, clock=frozen_clock)
    async with app.run_test(size=size) as pilot:
        await home_loaded(pilot)
        session_screen = await _new_session(pilot)
        await _sample_two(pilot, session_screen)
        await pilot.press("enter")
        sbs = await screen_is(pilot, SideBySideScreen)
        await wait_for(pilot, lambda: sbs.data is not None, "the side-by-side view")
        assert sbs.data.hidden and all(not i.grade for i in sbs.data.left)
        await _blind_pass(pilot, sbs, ("2", "3"))
        await _reveal(pilot, sbs)
        changed = await _agree_all(pilot, sbs, disagree_first=True)
        await _outcome(pilot, sbs)
        await pilot.press("right_square_bracket")
        await wait_for(
            pilot,
            lambda: sbs.index == 1 and sbs.data.evaluation.id == sbs.evaluation_ids[1],
            "the second",
        )
        await _reveal(pilot, sbs)
        await _agree_all(pilot, sbs, disagree_first=False)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is session_screen, "the session again")
        await pilot.press("c")
        await wait_for(
            pilot,
            lambda: (
                session_screen.detail is not None
                and session_screen.detail.session.status == "closed"
            ),
            "the session closed",
        )
        sid = session_screen.session_id
        first, second = sbs.evaluation_ids
        await pilot.press("escape")
        await pilot.press("g")
        agreement = await screen_is(pilot, AgreementScreen)
        await wait_for(pilot, lambda: agreement.loaded > 0, "the figures")
        assert agreement.result is not None and agreement.result.overall.pairs > 0

    with demo_ws.store.reader() as s:
        found = ses.get_session(s, sid)
        assert (found.status, found.title, found.blind_first) == ("closed", "Keys group", True)
        people = {m.name: m.id for m in ses.moderators(s, sid)}
        assert set(people) == {"Alex Auditor", "Tom Lindqvist"}
        (sample,) = sampling.samples_of(found)
        assert (sample.seed, sample.size) == (4711, 2) and set(sample.drawn) == {first, second}
        pool = sampling.pool(s, sampling.EvaluationFilter(sample_start(sample), sample_end(sample)))
        assert sampling.draw(pool, 2, 4711) == sample.drawn  # reproducible from the record
        blind = s.scalars(
            select(models.BlindGrade).where(models.BlindGrade.session_id == sid)
        ).all()
        by = {
            (b.moderator_id, b.item_id): b.grade for b in blind if b.target_evaluation_id == first
        }
        graded = [i for i in by if i[0] == people["Alex Auditor"]]
        assert graded and all(by[k] == "good" for k in graded)
        assert all(
            by[(people["Tom Lindqvist"], item)] == "requires_improvement" for _m, item in graded
        )
        # The evaluation may have been moderated before (in a demo session): this session's.
        views = mod.moderation_views(s, _template(demo_ws, s, first), first)
        view = next(v for v in views if v.moderation.session_id == sid)
        assert view.moderation.feedback_strengths == STRENGTHS
        assert view.moderation.feedback_gaps == GAPS
        judged = {j.item_id: j for j in view.judgements}
        assert judged[changed].rationale == WHY
        assert judged[changed].agreement in ("higher", "lower")
        assert all(j.agreement == "agree" for item, j in judged.items() if item != changed)
        assert check_consistency(s) == []


def sample_start(record: Any) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(record.start) if record.start else None


def sample_end(record: Any) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(record.end) if record.end else None


def _template(ws: Any, session: Any, evaluation_id: str) -> Any:
    return ws.template_for(session.get(models.Evaluation, evaluation_id))


@run_async
async def test_at_80x24_each_pane_says_how_to_reach_the_other(demo_ws: Any) -> None:
    """Stacked, one pane shows at a time and the footer is cut before the flip key: a new
    moderator in the trial did not find the group's pane. Each heading names the key."""
    from qa_tui.domain.session_views import list_sessions, load_session
    from qa_tui.tui.screens.side_by_side import SideBySideScreen

    app = make_app(demo_ws.settings, workspace_factory=lambda: demo_ws, clock=frozen_clock)
    async with app.run_test(size=SMALL) as pilot:
        await home_loaded(pilot)
        sid = next(r.id for r in demo_ws.read(list_sessions) if r.status == "open")
        ids = [m.evaluation_id for m in demo_ws.read(load_session, sid).members]
        app.push_screen(SideBySideScreen(demo_ws, app.writer, sid, ids))
        sbs = await screen_is(pilot, SideBySideScreen)
        await wait_for(pilot, lambda: sbs.data is not None, "the side-by-side view")

        def shown() -> list[str]:
            return [str(h.render()) for h in sbs.query("#sbs-headings > Static") if h.display]

        assert shown() == ["The auditor's evaluation · f: the moderation group"]
        await pilot.press("f")
        await wait_for(pilot, lambda: sbs.has_class("-flipped"), "the flip")
        assert shown() == ["The moderation group · f: the auditor's evaluation"]
        await pilot.resize_terminal(*LARGE)
        await wait_for(pilot, lambda: not sbs.has_class("-stacked"), "side by side")
        assert shown() == ["The auditor's evaluation", "The moderation group"]
