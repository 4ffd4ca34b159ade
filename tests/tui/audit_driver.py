"""A first-time user completing the quality-of-practice audit with keys alone, on one case.

Shared by the Pilot journey test (``test_audit_journey.py``) and the keystroke benchmark
(``tests/benchmarks/bench_audit_keys.py``), so both versions of the audit — 1.0 (each of the 51
statements of Appendix 1 a graded item with required evidence) and the current one (one
judgement a stage, the statements its prompts) — are driven through the same case with the
same answers, and every key pressed is counted.

Keys only: the driver never focuses a widget or clicks; it presses what a user reading the
screen and the footer would press (Tab / Shift+Tab between fields, arrows and Enter on a choice,
ctrl+n to the next section, ctrl+r then ctrl+s to complete). It reads the screen only to wait
for it and to check that focus is where the next keys expect it (so a change of the app's
focus order fails loudly instead of typing into the wrong field).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.pilot import Pilot

from qa_tui.framework.model import NOT_APPLICABLE, Item, ItemKind, Template

# The grades in the order the radio sets list them (best first), then "not applicable".
GRADE_ORDER = ("outstanding", "good", "requires_improvement", "inadequate", NOT_APPLICABLE)
TIMEOUT = 30.0


@dataclass(frozen=True)
class CaseAnswers:
    """What the auditor found on the case: the same answers whichever version is used."""

    case_reference: str = "LCS-482913"
    service_area: str = "Children in Need"
    team: str = "CIN Team"
    practitioner: str = "Jo Reilly (SW)"
    # Each stage's judgement, and the evidence for it (the current version).
    stage_grades: dict[str, str] = field(
        default_factory=lambda: {
            "we_would_expect_to_see": "good",
            "contact_referral": "good",
            "basic_information": "requires_improvement",
            "assessment": "good",
            "planning": "requires_improvement",
            "review": "not_reached",  # the case is still being planned: no review yet
            "management_oversight": "good",
        }
    )
    stage_evidence: str = "Mostly seen in the record; gaps noted."
    # Each statement: seen, or (every fourth) not seen; a stage not reached: not applicable.
    seen_note: str = "Seen in the record."
    not_seen_note: str = "Not found in the record."
    not_reached_note: str = "Not reached yet."
    # 1.0 grades a statement: seen is good, not seen requires improvement.
    notes_on_examples: bool = True  # the current version: note the examples not seen
    worry: str = "No chronology on file."
    working_well: str = "Dad attends every core group."
    needs_to_happen: str = "Add a chronology by May."
    scale: str = "6"
    rationale: str = "Some progress; plan new."
    feedback_who: str = "Mum"
    feedback: str = "Feels listened to."
    difference: str = "See the notes above."
    action: str = "Write the chronology"
    action_owner: str = "Jo Reilly"
    action_due: str = "2026-12-31"
    overall: str = "requires_improvement"
    strengths: str = "Warm, child-focused work."
    development: str = "Chronology and review."

    def mark(self, stage: str, index: int) -> str:
        if self.stage_grades.get(stage) == "not_reached":
            return NOT_APPLICABLE
        return "not_seen" if index % 4 == 3 else "seen"


class Keys:
    """Presses keys through the pilot and counts them (a character typed is one key)."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        self.count += len(keys)
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        await self.press(*text)


async def wait_for(pilot: Pilot[Any], ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (screen {pilot.app.screen!r})")
        await pilot.pause(0.02)


def focused_id(pilot: Pilot[Any]) -> str:
    widget = pilot.app.focused
    return (widget.id or type(widget).__name__) if widget is not None else ""


def expect_focus(pilot: Pilot[Any], wanted: str) -> None:
    """The next keys are for ``wanted`` (an id, or the start of one)."""
    got = focused_id(pilot)
    assert got == wanted or got.startswith(wanted), f"focus on {got!r}, expected {wanted!r}"


def expect_focus_in(pilot: Pilot[Any], css_class: str) -> None:
    widget = pilot.app.focused
    assert widget is not None and widget.has_class(css_class), (widget, css_class)


async def back_to(keys: Keys, wanted: str) -> None:
    """Where the editor put the cursor: on ``wanted`` (a choice), or on the text after it
    (the editor skips a section's first choice today), then one Shift+Tab back to it, as a
    user reading the screen would press."""
    if focused_id(keys.pilot) != wanted:
        await keys.press("shift+tab")
    expect_focus(keys.pilot, wanted)


async def idle(pilot: Pilot[Any]) -> None:
    """Every save written (the screen's autosaver idle) and the frame drawn."""
    screen: Any = pilot.app.screen
    saver = getattr(screen, "saver", None)
    if saver is not None:
        await wait_for(pilot, lambda: saver.idle, "the saves")
    await pilot.pause()


async def next_section(keys: Keys, key: str) -> None:
    screen: Any = keys.pilot.app.screen
    await keys.press("ctrl+n")
    await wait_for(keys.pilot, lambda: screen.section_key == key and screen.saver.idle, key)
    await keys.pilot.pause()


async def choose(keys: Keys, grade: str) -> None:
    """On a radio set of the grading scale, highlighted at its first grade: pick ``grade``."""
    steps = GRADE_ORDER.index(grade)
    await keys.press(*(["down"] * steps), "enter")


# --- the journey ------------------------------------------------------------------------------


async def new_evaluation(keys: Keys, answers: CaseAnswers, template_index: int) -> None:
    """From the home list: ctrl+n; the type (collaborative, as it comes), the template, the
    case details, who was present; ctrl+s."""
    from qa_tui.tui.dialogs.new_evaluation import NewEvaluationDialog
    from qa_tui.tui.screens.evaluation import EvaluationScreen

    pilot = keys.pilot
    await keys.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewEvaluationDialog), "dialog")
    await pilot.pause()
    expect_focus(pilot, "evaluation_type")
    await keys.press("tab")
    expect_focus(pilot, "template")
    await keys.press("enter", "home", *(["down"] * template_index), "enter")
    await keys.press("tab")
    expect_focus(pilot, "case_reference")
    await keys.type(answers.case_reference)
    await keys.press("tab", "tab")  # past the date (today) to the service area
    for text in (answers.service_area, answers.team, answers.practitioner):
        await keys.type(text)
        await keys.press("tab")
    await keys.press("tab")  # past the practitioner's role to "was the practitioner present?"
    expect_focus(pilot, "practitioner_present")
    await keys.press("enter")  # Yes, the first choice
    await keys.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, EvaluationScreen), "the editor")
    screen: Any = pilot.app.screen
    await wait_for(pilot, lambda: bool(screen.section_key) and screen.saver.idle, "loaded")
    await pilot.pause()


async def stage_with_prompts(keys: Keys, answers: CaseAnswers, item: Item, stage: str) -> None:
    """The current version: the judgement, its evidence, then a key for each example."""
    pilot = keys.pilot
    await back_to(keys, f"f-{item.id}-grade")
    if answers.stage_grades[stage] == "not_reached":
        await keys.press("x")  # the case has not reached this stage: one key
        await idle(pilot)
        return
    await choose(keys, answers.stage_grades[stage])
    await keys.press("tab")
    expect_focus(pilot, f"f-{item.id}-evidence")
    await keys.type(answers.stage_evidence)
    await keys.press("tab")
    expect_focus(pilot, f"f-{item.id}-prompts")
    last = len(item.prompts) - 1
    for index, _prompt in enumerate(item.prompts):
        mark = answers.mark(stage, index)
        await keys.press({"seen": "s", "not_seen": "n", NOT_APPLICABLE: "a"}[mark])
        if mark == "not_seen" and answers.notes_on_examples:
            # Marking moved the cursor on (except from the last example): back to it.
            await keys.press(*(["up"] if index < last else []), "e")
            await wait_for(pilot, lambda: focused_id(pilot) == "prompt-evidence", "dialog")
            await keys.type(answers.not_seen_note)
            await keys.press("enter")
            await wait_for(pilot, lambda: focused_id(pilot).endswith("-prompts"), "the list")
            if index < last:
                await keys.press("down")  # on to the next example
    await idle(pilot)


async def stage_of_statements(keys: Keys, answers: CaseAnswers, items: list[Item]) -> None:
    """Version 1.0: every statement graded, with its evidence (or not applicable and why)."""
    pilot = keys.pilot
    await back_to(keys, f"f-{items[0].id}-grade")
    stage = ""
    for index, item in enumerate(items):
        expect_focus(pilot, f"f-{item.id}-grade")
        section = pilot.app.screen.section_key
        stage = section
        mark = answers.mark(stage, index)
        if mark == NOT_APPLICABLE:
            await choose(keys, NOT_APPLICABLE)
            await keys.press("tab")
            expect_focus(pilot, f"f-{item.id}-na")
            await keys.type(answers.not_reached_note)
            await keys.press("tab")  # to the evidence (not required)
        else:
            await choose(keys, "good" if mark == "seen" else "requires_improvement")
            await keys.press("tab")
            expect_focus(pilot, f"f-{item.id}-evidence")
            await keys.type(answers.seen_note if mark == "seen" else answers.not_seen_note)
        if index < len(items) - 1:
            await keys.press("tab")  # on to the next statement's grade
    await idle(pilot)


async def signs_of_safety(keys: Keys, answers: CaseAnswers, template: Template) -> None:
    pilot = keys.pilot
    texts = {
        "worried_about": answers.worry,
        "working_well": answers.working_well,
        "needs_to_happen": answers.needs_to_happen,
    }
    lists = [item for item in template.items(ItemKind.LIST)]
    for number, item in enumerate(lists):
        if number:
            await keys.press("tab")  # from the previous list's new entry to this one's
        expect_focus(pilot, f"f-{item.id}-new")
        await keys.type(texts[item.id])
        await keys.press("enter")
        await idle(pilot)
    await keys.press("tab")  # to the first participant's scale
    for number in range(2):  # the auditor and the practitioner
        if number:
            await keys.press("tab")
        expect_focus_in(pilot, "score")
        await keys.type(answers.scale)
        await keys.press("tab")
        expect_focus_in(pilot, "rationale")
        await keys.type(answers.rationale)
    await idle(pilot)


async def feedback(keys: Keys, answers: CaseAnswers) -> None:
    pilot = keys.pilot
    expect_focus_in(pilot, "source")  # the new feedback's source: direct, the first
    await keys.press("enter", "enter")
    await keys.press("tab")
    expect_focus_in(pilot, "who")
    await keys.type(answers.feedback_who)
    await keys.press("tab")
    await keys.type(answers.feedback)
    await keys.press("enter")
    await idle(pilot)


async def four_questions(keys: Keys, answers: CaseAnswers, template: Template) -> None:
    for number, item in enumerate(template.items(ItemKind.TEXT)):
        if number:
            await keys.press("tab")
        expect_focus(keys.pilot, f"f-{item.id}-text")
        await keys.type(answers.difference)
    await idle(keys.pilot)


async def actions(keys: Keys, answers: CaseAnswers) -> None:
    expect_focus_in(keys.pilot, "description")
    await keys.type(answers.action)
    await keys.press("tab")
    await keys.type(answers.action_owner)
    await keys.press("tab")
    await keys.type(answers.action_due)
    await keys.press("enter")
    await idle(keys.pilot)


async def concern_and_overall(keys: Keys, answers: CaseAnswers) -> None:
    pilot = keys.pilot
    await back_to(keys, "f-immediate_concern")
    await keys.press("right", "enter")  # No
    await idle(pilot)
    await next_section(keys, "overall")
    await back_to(keys, "f-overall_grade")
    await choose(keys, answers.overall)
    await keys.press("tab")
    expect_focus(pilot, "f-summary_strengths")
    await keys.type(answers.strengths)
    await keys.press("tab")
    expect_focus(pilot, "f-summary_development")
    await keys.type(answers.development)
    await idle(pilot)


async def complete(keys: Keys) -> None:
    from qa_tui.tui.dialogs.review import ReviewDialog
    from qa_tui.tui.screens.summary import SummaryScreen

    pilot = keys.pilot
    await keys.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewDialog), "the review")
    dialog: Any = pilot.app.screen
    await wait_for(pilot, lambda: dialog._state is not None, "the review's list")
    assert dialog._state.missing == [], dialog._state.missing[:3]
    await keys.press("ctrl+s")  # completed: its summary shows in the editor's place
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen), "the summary")
    summary: Any = pilot.app.screen
    await wait_for(pilot, lambda: summary.data is not None, "the summary's data")
    assert summary.data.status == "completed"


async def complete_audit(
    keys: Keys, answers: CaseAnswers, template: Template, template_index: int
) -> str:
    """The whole audit from the home list to completed; returns the evaluation's id."""
    await new_evaluation(keys, answers, template_index)
    screen: Any = keys.pilot.app.screen
    assert screen.snapshot.template.content_hash == template.content_hash
    await next_section(keys, "participants")  # the auditor and the practitioner: done
    for section in template.sections:
        await next_section(keys, section.id)
        graded = [item for item in section.items if item.kind is ItemKind.GRADE]
        if graded and graded[0].prompts:
            await stage_with_prompts(keys, answers, graded[0], section.id)
        elif graded:
            await stage_of_statements(keys, answers, graded)
        elif section.id == "signs_of_safety":
            await signs_of_safety(keys, answers, template)
        elif section.id == "family_feedback":
            await feedback(keys, answers)
        else:
            await four_questions(keys, answers, template)
    await next_section(keys, "actions")
    await actions(keys, answers)
    await next_section(keys, "concerns")
    await concern_and_overall(keys, answers)
    await complete(keys)
    return str(screen.evaluation_id)
