"""The evaluation editor driven through the real app with keys, then checked in the database.

Most items of the (large) built-in templates are answered through the core before the app
opens; at least one item of every kind, the case details, the actions, the concern and the
overall judgement are answered with keys, and the evaluation is completed through the review
dialog with keys. Every answer typed is then read back from the database exactly as typed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, TextArea

from qa_tui.config import data_dir
from qa_tui.domain import evaluation as core
from qa_tui.domain import outcomes
from qa_tui.framework.model import ItemKind, Template
from qa_tui.positions import FILE_NAME, Positions
from qa_tui.store.views import load_view
from qa_tui.tui.app import make_app
from qa_tui.tui.messages import OpenEvaluation
from qa_tui.tui.screens.evaluation import EvaluationScreen
from qa_tui.tui.screens.summary import SummaryScreen
from qa_tui.tui.widgets.base import FieldError
from tests.conftest import frozen_clock

TEMPLATES = ["collaborative_practice_evaluation", "quality_of_practice_audit"]
MARKUP = "[bold]Seen[/bold] & [red]x"
ESCAPE = "\x1b[31mred\x1b[0m as typed"
SIZE = (100, 40)


def load_position(evaluation_id: str) -> tuple[str, str]:
    """Where the app remembers the user was (the settings' data folder, isolated per test)."""
    return Positions(data_dir() / FILE_NAME).load(evaluation_id)


# --- helpers ------------------------------------------------------------------------------


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test without an async pytest plugin (fixtures still resolve)."""

    @functools.wraps(test)
    def runner(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return runner


def new_evaluation(ws: Any, template_id: str) -> str:
    template = ws.templates.get(template_id)
    details = core.CaseDetails("AB-12345", evaluation_date=dt.date(2026, 11, 20))
    with ws.store.session() as session:
        return core.create_evaluation(
            session, ws.actor, template, details, ws.settings.case_reference_pattern
        )


def read_view(ws: Any, evaluation_id: str) -> Any:
    with ws.store.session() as session:
        return load_view(session, evaluation_id)


def answer_rest(ws: Any, template: Template, evaluation_id: str, skip: set[str]) -> None:
    """Answer every item not in ``skip`` through the core (keeps the key-driven part short)."""
    grade = template.scale.grades[0].id
    with ws.store.session() as s:
        participants = load_view(s, evaluation_id).participants
        for item in template.items():
            if item.id in skip:
                continue
            if item.kind is ItemKind.GRADE:
                core.set_response(
                    s, ws.actor, template, evaluation_id, item.id, grade=grade, evidence="ok"
                )
            elif item.kind is ItemKind.LIST:
                core.add_entry(s, ws.actor, template, evaluation_id, item.id, "entry")
            elif item.kind is ItemKind.SCALING:
                for person in participants:
                    core.set_scale(
                        s, ws.actor, template, evaluation_id, item.id, person.id, 5, "why"
                    )
            elif item.kind is ItemKind.FEEDBACK:
                source = item.sources[0].id
                core.add_feedback(
                    s, ws.actor, template, evaluation_id, item.id, source, "Mum", "fine"
                )
            elif item.kind is ItemKind.YES_NO:
                core.set_response(
                    s, ws.actor, template, evaluation_id, item.id, answer=True, text="yes"
                )
            else:
                core.set_response(s, ws.actor, template, evaluation_id, item.id, text="answer")


def first_of_each_kind(template: Template) -> dict[ItemKind, str]:
    found: dict[ItemKind, str] = {}
    for item in template.items():
        found.setdefault(item.kind, item.id)
    return found


async def wait_for(pilot: Pilot[Any], ready: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)


def editor(pilot: Pilot[Any]) -> EvaluationScreen:
    screen = pilot.app.screen
    assert isinstance(screen, EvaluationScreen), screen
    return screen


async def settle(pilot: Pilot[Any]) -> None:
    """Every pending save written and its outcome shown."""
    screen = editor(pilot)
    assert screen.saver is not None
    screen.saver.flush_all()
    await wait_for(pilot, lambda: screen.saver is not None and screen.saver.idle)
    await pilot.pause()


async def open_editor(pilot: Pilot[Any], evaluation_id: str) -> EvaluationScreen:
    app: Any = pilot.app
    await wait_for(pilot, lambda: app.workspace is not None)
    app.post_message(OpenEvaluation(evaluation_id, "draft"))
    await wait_for(pilot, lambda: isinstance(app.screen, EvaluationScreen))
    screen = editor(pilot)
    await wait_for(pilot, lambda: bool(screen.section_key) and screen.saver.idle)
    await pilot.pause()
    return screen


async def go_to(pilot: Pilot[Any], section: str) -> None:
    screen = editor(pilot)
    screen.show_section(section)
    await wait_for(pilot, lambda: screen.section_key == section and screen.saver.idle)
    await pilot.pause()


async def focus(pilot: Pilot[Any], selector: str) -> Widget:
    widget = editor(pilot).query_one(selector)
    widget.focus()
    await pilot.pause()
    assert pilot.app.focused is widget, pilot.app.focused
    return widget


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


async def paste(pilot: Pilot[Any], text: str) -> None:
    pilot.app.post_message(events.Paste(text))  # as a terminal does: the app forwards it
    await pilot.pause()


def make(workspace: Any) -> Any:
    return make_app(workspace.settings, workspace_factory=lambda: workspace, clock=frozen_clock)


# --- the journey --------------------------------------------------------------------------


async def fill_details(pilot: Pilot[Any]) -> None:
    assert editor(pilot).section_key == "details"
    # Focus starts on the first thing missing: the case reference is given, the area is not.
    assert pilot.app.focused is not None and pilot.app.focused.id == "f-service_area"
    await type_text(pilot, "CS [i]North[/i]")
    await pilot.press("tab")
    await type_text(pilot, "Locality North")
    await pilot.press("tab")
    await type_text(pilot, "Sam Social-Worker")
    await focus(pilot, "#f-practitioner_present")
    await pilot.press("enter")  # the highlighted first button: Yes


async def fill_grade(pilot: Pilot[Any], item_id: str) -> None:
    await focus(pilot, f"#f-{item_id}-grade")
    await pilot.press("down", "enter")  # the second grade: good
    await pilot.press("tab")  # "not applicable" reason is hidden: on to the evidence
    assert pilot.app.focused is not None and pilot.app.focused.id == f"f-{item_id}-evidence"
    await type_text(pilot, MARKUP)


async def fill_list(pilot: Pilot[Any], item_id: str) -> None:
    await focus(pilot, f"#f-{item_id}-new")
    for text in ("Nan [b]helps[/b]", "School", "Dad"):
        await type_text(pilot, text)
        await pilot.press("enter")
        await settle(pilot)
    # Move "Dad engaged" to the top, edit the second, remove the last.
    entries = list(editor(pilot).query(f"#t-{item_id} .entries EntryInput"))
    entries[2].focus()
    await pilot.press("alt+up", "alt+up")
    await settle(pilot)
    entries = list(editor(pilot).query(f"#t-{item_id} .entries EntryInput"))
    assert [e.value for e in entries] == ["Dad", "Nan [b]helps[/b]", "School"]
    entries[1].focus()
    await pilot.press("end")
    await type_text(pilot, " (weekends)")
    entries[2].focus()
    await pilot.pause()
    await pilot.press("ctrl+delete")
    await settle(pilot)


async def fill_scaling(pilot: Pilot[Any], item_id: str) -> None:
    # Add a participant from the scaling item itself (their name holds markup, shown literally).
    await focus(pilot, f"#t-{item_id} .adder .p-name")
    await type_text(pilot, "[bold]Pat[/bold]")
    await pilot.press("tab")
    await type_text(pilot, "Parent")
    await pilot.press("enter")
    await settle(pilot)
    rows = list(editor(pilot).query(f"#t-{item_id} .scale-row"))
    assert len(rows) == 2
    who = rows[1].query_one(".who")
    assert "[bold]Pat[/bold] (Parent)" in str(who.render())
    for row, (score, why) in zip(rows, [("7", "Plan is working"), ("10", MARKUP)], strict=True):
        row.query_one(".score", Input).focus()
        await pilot.pause()
        await type_text(pilot, score)
        await pilot.press("tab")
        await type_text(pilot, why)


async def fill_feedback(pilot: Pilot[Any], item_id: str) -> None:
    await focus(pilot, f"#f-{item_id}-new Select")
    await pilot.press("enter", "down", "enter")  # the second source
    await pilot.press("tab")
    await type_text(pilot, "Case notes 3/11")
    await pilot.press("tab")
    await type_text(pilot, MARKUP)
    await pilot.press("enter")
    await settle(pilot)


async def fill_text(pilot: Pilot[Any], item_id: str) -> None:
    await focus(pilot, f"#f-{item_id}-text")
    await type_text(pilot, "Line one")
    await pilot.press("enter")
    await type_text(pilot, MARKUP)


async def fill_actions(pilot: Pilot[Any]) -> None:
    await focus(pilot, "#f-actions-new .description")
    await type_text(pilot, "Update the [b]plan[/b]")
    await pilot.press("tab")
    await type_text(pilot, "Sam")
    await pilot.press("tab")
    await type_text(pilot, "2026-12-31")
    await pilot.press("enter")
    await settle(pilot)


async def fill_concern_and_overall(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+n")  # actions → immediate concerns, by key
    await wait_for(pilot, lambda: editor(pilot).section_key == "concerns")
    await focus(pilot, "#f-immediate_concern")
    await pilot.press("right", "enter")  # No
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: editor(pilot).section_key == "overall")
    await focus(pilot, "#f-overall_grade")
    await pilot.press("down", "enter")  # good
    await focus(pilot, "#f-summary_strengths")
    await type_text(pilot, MARKUP)
    await paste(pilot, " " + ESCAPE)
    await focus(pilot, "#f-summary_development")
    await type_text(pilot, "Child's words")


async def complete_by_review(pilot: Pilot[Any]) -> None:
    from qa_tui.tui.dialogs.review import ReviewDialog

    await settle(pilot)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewDialog))
    dialog = pilot.app.screen
    await wait_for(pilot, lambda: dialog._state is not None)
    await pilot.pause()
    assert dialog._state.missing == [], dialog._state.missing
    await pilot.press("ctrl+s")
    # Completed: the editor gives way to the evaluation's summary.
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
    assert not any(isinstance(s, EvaluationScreen) for s in pilot.app.screen_stack)


def check_stored(
    ws: Any, evaluation_id: str, kinds: dict[ItemKind, str], template: Template
) -> None:
    view = read_view(ws, evaluation_id)
    ev = view.evaluation
    assert ev.status == "completed"
    assert ev.service_area == "CS [i]North[/i]"
    assert (ev.team, ev.practitioner, ev.practitioner_present) == (
        "Locality North",
        "Sam Social-Worker",
        True,
    )
    grade = view.responses[kinds[ItemKind.GRADE]]
    assert (grade.grade, grade.evidence) == (template.scale.grades[1].id, MARKUP)
    texts = [e.text for e in view.entries[kinds[ItemKind.LIST]]]
    assert texts == ["Dad", "Nan [b]helps[/b] (weekends)"]
    scales = {p.name: view.scale_for(kinds[ItemKind.SCALING], p.id) for p in view.participants}
    assert (scales["Alex Auditor"].score, scales["Alex Auditor"].rationale) == (
        7,
        "Plan is working",
    )
    assert (scales["[bold]Pat[/bold]"].score, scales["[bold]Pat[/bold]"].rationale) == (10, MARKUP)
    feedback_item = template.item(kinds[ItemKind.FEEDBACK])
    assert feedback_item is not None
    (feedback,) = view.feedback[feedback_item.id]
    assert (feedback.source, feedback.given_by, feedback.text) == (
        feedback_item.sources[1].id,
        "Case notes 3/11",
        MARKUP,
    )
    if ItemKind.TEXT in kinds:
        assert view.responses[kinds[ItemKind.TEXT]].text == "Line one\n" + MARKUP
    (action,) = view.actions
    assert (action.description, action.owner, action.due_date) == (
        "Update the [b]plan[/b]",
        "Sam",
        dt.date(2026, 12, 31),
    )
    assert (ev.immediate_concern, ev.concern_description) == (False, "")
    assert ev.overall_grade == template.scale.grades[1].id
    assert ev.summary_strengths == MARKUP + " " + ESCAPE
    assert ev.summary_development == "Child's words"


@pytest.mark.parametrize("template_id", TEMPLATES)
@run_async
async def test_complete_evaluation_with_keys(workspace: Any, template_id: str) -> None:
    template = workspace.templates.get(template_id)
    evaluation_id = new_evaluation(workspace, template_id)
    kinds = first_of_each_kind(template)
    answer_rest(workspace, template, evaluation_id, set(kinds.values()))
    app = make(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot, evaluation_id)
        await fill_details(pilot)
        fillers = {
            ItemKind.GRADE: fill_grade,
            ItemKind.LIST: fill_list,
            ItemKind.SCALING: fill_scaling,
            ItemKind.FEEDBACK: fill_feedback,
            ItemKind.TEXT: fill_text,
        }
        for kind, item_id in kinds.items():
            section = template.section_of(item_id)
            assert section is not None
            await go_to(pilot, section.id)
            await fillers[kind](pilot, item_id)
        await go_to(pilot, "actions")
        await fill_actions(pilot)
        await fill_concern_and_overall(pilot)
        await complete_by_review(pilot)
        summary = pilot.app.screen
        await wait_for(pilot, lambda: summary.data is not None)
        assert summary.data.status == "completed"
        assert screen.evaluation_id == summary.evaluation_id
    check_stored(workspace, evaluation_id, kinds, template)


# --- saving, errors, big pastes, returning --------------------------------------------------


@run_async
async def test_saved_within_a_second_of_typing_pausing(workspace: Any) -> None:
    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, evaluation_id)
        await go_to(pilot, "practice_standards")
        await focus(pilot, "#f-standards_met-evidence")
        await type_text(pilot, "Typed [b]then[/b] paused")
        # Saving also happens during continuous typing (at most ~0.85 s apart), so whatever is
        # stored by now is a prefix of what was typed.
        saved = read_view(workspace, evaluation_id).responses.get("standards_met")
        assert saved is None or "Typed [b]then[/b] paused".startswith(saved.evidence)
        await pilot.pause(1.2)  # no blur, no key: the pause alone saves
        response = read_view(workspace, evaluation_id).responses["standards_met"]
        assert response.evidence == "Typed [b]then[/b] paused"
        shown = str(editor(pilot).query_one("#save-indicator").render())
        assert shown == f"Saved {frozen_clock().astimezone():%H:%M:%S}"  # the app's clock


@run_async
async def test_core_errors_shown_next_to_the_field(workspace: Any) -> None:
    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, evaluation_id)
        await focus(pilot, "#f-case_reference")
        await pilot.press("ctrl+u")  # clear the field, as a user would
        await type_text(pilot, "Child A")
        await pilot.press("tab")
        await settle(pilot)
        error = editor(pilot).query_one("#t-details FieldError.field-error")
        errors = [e for e in editor(pilot).query(FieldError) if e.display]
        assert len(errors) == 1 and "case_reference" in errors[0].names, error
        assert "does not match" in str(errors[0].render())
        assert editor(pilot).query_one("#f-case_reference", Input).value == "Child A"
        assert read_view(workspace, evaluation_id).evaluation.case_reference == "AB-12345"

        await go_to(pilot, "actions")
        await focus(pilot, "#f-actions-new .description")
        await type_text(pilot, "Visit")
        await pilot.press("tab")
        await type_text(pilot, "Sam")
        await pilot.press("tab")
        await type_text(pilot, "2026-02-30")
        await pilot.press("enter")
        await settle(pilot)
        row = editor(pilot).query_one("#f-actions-new")
        (shown,) = [e for e in row.query(FieldError) if e.display]
        assert "Due date" in str(shown.render()) and "2026-02-30" in str(shown.render())
        values = [row.value(f) for f in ("description", "owner", "due_date")]
        assert values == ["Visit", "Sam", "2026-02-30"]
        assert read_view(workspace, evaluation_id).actions == []


@run_async
async def test_pasting_100_kb_does_not_freeze(workspace: Any) -> None:
    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    big = ("A line of evidence pasted from the case record, quite long. " * 16 + "\n") * 105
    assert len(big) > 100_000
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, evaluation_id)
        await go_to(pilot, "practice_standards")
        area = await focus(pilot, "#f-standards_met-evidence")
        started = time.perf_counter()
        await paste(pilot, big)
        await pilot.press("x")
        elapsed = time.perf_counter() - started
        assert elapsed < 5, f"pasting 100 KB took {elapsed:.1f}s"  # sanity only, not a benchmark
        assert isinstance(area, TextArea) and len(area.text) == len(big) + 1
        await settle(pilot)
        # The core refuses so much text: said next to the field, and the text stays.
        errors = [e for e in editor(pilot).query("#t-standards_met FieldError") if e.display]
        assert errors and "too long" in str(errors[0].render())
        assert len(area.text) == len(big) + 1


@run_async
async def test_returns_to_where_the_user_was(workspace: Any) -> None:
    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, evaluation_id)
        for _ in range(3):
            section = editor(pilot).section_key
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda s=section: editor(pilot).section_key != s)
        await wait_for(pilot, lambda: editor(pilot).saver.idle)
        where = editor(pilot).section_key
        assert where == "signs_of_safety"
        await focus(pilot, "#f-worried_about-new")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, EvaluationScreen))
        await wait_for(
            pilot, lambda: load_position(evaluation_id) == (where, "f-worried_about-new")
        )
        screen = await open_editor(pilot, evaluation_id)
        assert screen.section_key == where
        assert pilot.app.focused is not None and pilot.app.focused.id == "f-worried_about-new"


@run_async
async def test_position_is_kept_as_focus_moves_and_quick_keys_count(workspace: Any) -> None:
    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, evaluation_id)
        start = editor(pilot).section_map.index_of(editor(pilot).section_key)
        await pilot.press("ctrl+n", "ctrl+n")  # the second before the first section has opened
        target = editor(pilot).section_map.sections[start + 2].key
        await wait_for(pilot, lambda: editor(pilot).section_key == target)
        await go_to(pilot, "signs_of_safety")
        await focus(pilot, "#f-worried_about-new")
        # Saved as focus moves, not only on leaving: a killed process still comes back here.
        await wait_for(
            pilot,
            lambda: load_position(evaluation_id) == ("signs_of_safety", "f-worried_about-new"),
        )


@run_async
async def test_review_lists_missing_and_jumps_to_the_field(workspace: Any) -> None:
    from qa_tui.tui.dialogs.review import ReviewDialog

    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, evaluation_id)
        await go_to(pilot, "overall")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewDialog))
        dialog = pilot.app.screen
        await wait_for(pilot, lambda: dialog._state is not None)
        first = dialog._state.missing[0]
        assert (first.section, first.target) == ("details", "service_area")
        await pilot.pause()
        options = dialog.query_one("#missing")
        # The first thing missing is highlighted (option 0 is its section's title).
        assert options.highlighted == 1
        assert "Case details" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, EvaluationScreen))
        await wait_for(pilot, lambda: editor(pilot).section_key == "details")
        await pilot.pause()
        assert pilot.app.focused is not None and pilot.app.focused.id == "f-service_area"
        await type_text(pilot, "Early help")
        await settle(pilot)
        assert read_view(workspace, evaluation_id).evaluation.service_area == "Early help"


@run_async
async def test_section_map_shows_what_is_left_in_words(workspace: Any) -> None:
    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    async with make(workspace).run_test(size=SIZE) as pilot:
        screen = await open_editor(pilot, evaluation_id)
        section_map = screen.section_map
        assert section_map.todo("details") == 4  # service area, team, practitioner, present?
        text = str(section_map.get_option_at_index(0).prompt)
        assert "Case details" in text and "4 to do" in text
        await go_to(pilot, "signs_of_safety")
        await focus(pilot, "#f-working_well-new")
        await type_text(pilot, "Warm home")
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: section_map.todo("signs_of_safety") == 2)


@run_async
async def test_completed_evaluation_opens_read_only(workspace: Any) -> None:
    from qa_tui.tui.screens.evaluation import EvaluationScreen as Editor

    evaluation_id = new_evaluation(workspace, TEMPLATES[0])
    app = make(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.workspace is not None)
        _complete_directly(workspace, evaluation_id)
        app.push_screen(
            Editor(workspace, app.writer, evaluation_id)
        )  # even if asked, the editor will not write
        await wait_for(
            pilot, lambda: isinstance(app.screen, Editor) and bool(app.screen.section_key)
        )
        screen = editor(pilot)
        assert screen.saver is not None and screen.saver.read_only
        assert all(i.disabled for i in screen.query("#eval-form Input"))
        assert "read-only" in str(screen.query_one("#eval-title").render())
        await go_to(pilot, "overall")
        assert screen.query_one("#f-summary_strengths", TextArea).read_only


def _complete_directly(ws: Any, evaluation_id: str) -> None:
    from qa_tui.domain.lifecycle import complete

    template = ws.templates.get(TEMPLATES[0])
    answer_rest(ws, template, evaluation_id, set())
    details = {"service_area": "S", "team": "T", "practitioner": "P", "practitioner_present": False}
    pattern = ws.settings.case_reference_pattern
    ws.write(core.update_details, evaluation_id, details, pattern)
    ws.write(outcomes.set_concern, evaluation_id, False, "")
    # Areas for development are expected at every grade, good included.
    ws.write(
        outcomes.set_overall,
        template,
        evaluation_id,
        overall_grade="good",
        summary_strengths="S",
        summary_development="D",
    )
    ws.write(outcomes.add_action, evaluation_id, "Do", "Sam", "2026-12-31")
    ws.write(complete, template, evaluation_id)
