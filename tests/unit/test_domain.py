"""The evaluation journey through the domain functions, and what bad input does (nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.domain.completion import missing
from qa_tui.domain.lifecycle import complete, reopen
from qa_tui.errors import ReadOnlyError, ValidationError
from qa_tui.framework.loader import load_template_text
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.views import load_view

SMALL = """
id = "test_small"
version = "1.0"
name = "Small test template"
evaluation_types = ["collaborative", "dip_sample", "thematic"]
[scale]
allow_not_applicable = true
[[scale.grades]]
id = "outstanding"
label = "Outstanding"
rank = 4
[[scale.grades]]
id = "good"
label = "Good"
rank = 3
[[scale.grades]]
id = "requires_improvement"
label = "Requires improvement to be good"
rank = 2
[[scale.grades]]
id = "inadequate"
label = "Inadequate"
rank = 1
[[rules]]
kind = "action_required_below_grade"
grade = "good"
[[rules]]
kind = "all_participants_scale"
[[sections]]
id = "standards"
title = "Practice standards"
[[sections.items]]
id = "assessment"
kind = "grade"
prompt = "Assessment"
[[sections.items]]
id = "planning"
kind = "grade"
prompt = "Planning"
evidence_required = false
[[sections]]
id = "sos"
title = "Signs of Safety"
[[sections.items]]
id = "working_well"
kind = "list"
prompt = "What is working well"
[[sections.items]]
id = "worries"
kind = "list"
prompt = "What are we worried about"
min_entries = 2
[[sections.items]]
id = "safety_scale"
kind = "scaling"
prompt = "Scaling"
scale_low = "Not safe"
scale_high = "Safe"
[[sections.items]]
id = "child_voice"
kind = "feedback"
prompt = "The child's voice"
sources = [
  { id = "direct", label = "Direct feedback" },
  { id = "case_notes", label = "Case notes" },
]
[[sections.items]]
id = "plan_smart"
kind = "yes_no"
prompt = "Is the plan SMART"
[[sections.items]]
id = "reflection"
kind = "text"
prompt = "Reflection"
required = false
"""
PATTERN = r"^[A-Z]{2,4}-?\d{4,10}$"


@pytest.fixture
def tpl(workspace: Any) -> Template:
    template = load_template_text(SMALL, "small.toml")
    workspace.templates.add(template)
    return template


def new_eval(ws: Any, **details: Any) -> str:
    values = {"case_reference": "LCS-204817", "service_area": "Children in Need"} | details
    return ws.write(
        ev.create_evaluation, ws.templates.get("test_small"), ev.CaseDetails(**values), PATTERN
    )


def dump(ws: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for before/after comparisons."""
    with ws.store.reader() as session:
        return {
            table.name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
            for table in models.Base.metadata.sorted_tables
        }


def fill(ws: Any, t: Template, evaluation_id: str, concern: bool = False) -> None:
    """Answer everything so the evaluation can be completed."""
    ws.write(
        ev.update_details,
        evaluation_id,
        {"team": "CIN Team", "practitioner": "Jo Reilly (SW)", "practitioner_present": True},
        PATTERN,
    )
    ws.write(ev.set_response, t, evaluation_id, "assessment", grade="good", evidence="Seen alone.")
    ws.write(ev.set_response, t, evaluation_id, "planning", grade="requires_improvement")
    ws.write(ev.add_entry, t, evaluation_id, "working_well", "Mum attends every appointment.")
    for worry in ("Danger statement: Dad's drinking.", "Small network."):
        ws.write(ev.add_entry, t, evaluation_id, "worries", worry)
    for person in load_view_ws(ws, evaluation_id).participants:
        ws.write(ev.set_scale, t, evaluation_id, "safety_scale", person.id, 6, "Some progress.")
    ws.write(
        ev.add_feedback,
        t,
        evaluation_id,
        "child_voice",
        "direct",
        "the child",
        "Feels listened to.",
    )
    ws.write(ev.set_response, t, evaluation_id, "plan_smart", answer=False, text="Not specific.")
    ws.write(
        outcomes.add_action, evaluation_id, "Make the plan SMART", "Jo Reilly (SW)", "2026-12-31"
    )
    ws.write(
        outcomes.set_concern, evaluation_id, concern, "Bruising not followed up." if concern else ""
    )
    if concern:
        for role in ("practitioner", "team_manager", "service_manager", "director_social_care"):
            ws.write(
                outcomes.record_concern_share, evaluation_id, role, "Someone", "2026-11-21", "email"
            )
    ws.write(
        outcomes.set_overall,
        t,
        evaluation_id,
        overall_grade="requires_improvement",
        summary_strengths="Warm relationship.",
        summary_development="SMART plans.",
    )


def load_view_ws(ws: Any, evaluation_id: str) -> Any:
    with ws.store.reader() as session:
        return load_view(session, evaluation_id)


def test_create_and_answer_round_trip(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(
        workspace,
        team="CIN Team",
        practitioner="Jo Reilly (SW)",
        practitioner_present=True,
        evaluation_date="21/11/2026",
    )
    workspace.write(
        ev.set_response, tpl, evaluation_id, "assessment", grade="good", evidence="Seen."
    )
    workspace.write(
        ev.set_response, tpl, evaluation_id, "plan_smart", answer=True, text="Clear goals."
    )
    workspace.write(
        ev.set_response, tpl, evaluation_id, "reflection", text="Learning for the team."
    )
    view = load_view_ws(workspace, evaluation_id)
    assert view.evaluation.case_reference == "LCS-204817"
    assert view.evaluation.evaluation_date.isoformat() == "2026-11-21"
    assert view.evaluation.status == "draft"
    assert [(p.name, p.role) for p in view.participants] == [
        ("Alex Auditor", "Auditor"),
        ("Jo Reilly (SW)", "Practitioner"),
    ]
    assert (view.responses["assessment"].grade, view.responses["assessment"].evidence) == (
        "good",
        "Seen.",
    )
    assert view.responses["plan_smart"].answer is True
    assert view.responses["reflection"].text == "Learning for the team."


def test_list_entries_add_edit_reorder_remove(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    a, b, c = (workspace.write(ev.add_entry, tpl, evaluation_id, "worries", x) for x in "abc")

    def order() -> list[str]:
        return [e.text for e in load_view_ws(workspace, evaluation_id).entries["worries"]]

    assert order() == ["a", "b", "c"]
    workspace.write(ev.move_entry, c, -1)
    assert order() == ["a", "c", "b"]
    workspace.write(ev.move_entry, a, +1)
    assert order() == ["c", "a", "b"]
    workspace.write(ev.move_entry, c, -1)  # already first: nothing happens
    assert order() == ["c", "a", "b"]
    workspace.write(ev.edit_entry, b, "b, reworded")
    workspace.write(ev.remove_entry, a)
    assert order() == ["c", "b, reworded"]


def test_scaling_per_participant_with_rationale(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    mum = workspace.write(ev.add_participant, evaluation_id, "Mum", "Parent")
    auditor = load_view_ws(workspace, evaluation_id).participants[0].id
    workspace.write(
        ev.set_scale, tpl, evaluation_id, "safety_scale", auditor, 4, "Network untested."
    )
    workspace.write(
        ev.set_scale, tpl, evaluation_id, "safety_scale", mum, "8", "Things are better."
    )
    workspace.write(
        ev.set_scale, tpl, evaluation_id, "safety_scale", mum, 7, None
    )  # change the score only
    view = load_view_ws(workspace, evaluation_id)
    assert (
        view.scale_for("safety_scale", mum).score,
        view.scale_for("safety_scale", mum).rationale,
    ) == (7, "Things are better.")
    assert view.scale_for("safety_scale", auditor).score == 4
    assert len(view.scales["safety_scale"]) == 2


def test_an_items_scales_are_in_the_order_their_participants_were_added(
    workspace: Any, tpl: Template
) -> None:
    """Not in the order they were scaled, nor as an index gives them back (by score)."""
    evaluation_id = new_eval(workspace)
    auditor = load_view_ws(workspace, evaluation_id).participants[0].id
    mum = workspace.write(ev.add_participant, evaluation_id, "Mum", "Parent")
    dad = workspace.write(ev.add_participant, evaluation_id, "Dad", "Parent")
    for who, score in ((dad, 2), (mum, 9), (auditor, 5)):
        workspace.write(ev.set_scale, tpl, evaluation_id, "safety_scale", who, score, "Seen.")
    view = load_view_ws(workspace, evaluation_id)
    assert [s.participant_id for s in view.scales["safety_scale"]] == [auditor, mum, dad]


def test_actions_statuses_and_dates(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    action_id = workspace.write(
        outcomes.add_action, evaluation_id, "Update the danger statement", "Jo", "2026-12-01"
    )
    workspace.write(outcomes.update_action, action_id, status="in_progress", progress="Drafted")
    view = load_view_ws(workspace, evaluation_id)
    assert [(a.current_status, a.due_date.isoformat(), a.status_note) for a in view.actions] == [
        ("in_progress", "2026-12-01", "Drafted")
    ]
    assert len(view.open_actions()) == 1
    workspace.write(outcomes.update_action, action_id, status="done")
    action = load_view_ws(workspace, evaluation_id).actions[0]
    assert (action.current_status, action.status_on.isoformat()) == ("done", "2026-11-20")
    # Each status is an update of its own: the history keeps both.
    assert [u.status for u in load_view_ws(workspace, evaluation_id).updates[action_id]] == [
        "in_progress",
        "done",
    ]
    with pytest.raises(ValidationError, match="Action status"):
        workspace.write(outcomes.update_action, action_id, status="finished")


def test_immediate_concern_and_shares(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    with pytest.raises(ValidationError, match="no immediate concern"):
        workspace.write(
            outcomes.record_concern_share, evaluation_id, "practitioner", "Jo", None, "email"
        )
    workspace.write(outcomes.set_concern, evaluation_id, True, "Disclosure at the visit.")
    workspace.write(
        outcomes.record_concern_share, evaluation_id, "team_manager", "Kim Lloyd", None, "letter"
    )
    view = load_view_ws(workspace, evaluation_id)
    assert view.evaluation.immediate_concern is True
    assert [(s.recipient_role, s.shared_on.isoformat(), s.method) for s in view.shares] == [
        ("team_manager", "2026-11-20", "letter")
    ]


def test_overall_judgement(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    workspace.write(
        outcomes.set_overall,
        tpl,
        evaluation_id,
        overall_grade="not_applicable",
        overall_na_reason="Closed at the front door.",
        summary_strengths="Quick.",
    )
    e = load_view_ws(workspace, evaluation_id).evaluation
    assert (e.overall_grade, e.overall_na_reason, e.summary_strengths) == (
        "not_applicable",
        "Closed at the front door.",
        "Quick.",
    )


def test_completion_lists_exactly_what_is_missing(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    workspace.write(ev.set_response, tpl, evaluation_id, "assessment", grade="good")
    workspace.write(ev.set_response, tpl, evaluation_id, "planning", grade="requires_improvement")
    workspace.write(
        ev.add_entry, tpl, evaluation_id, "worries", "Danger statement: Dad's drinking."
    )
    view = load_view_ws(workspace, evaluation_id)
    assert [m.message for m in missing(view, tpl)] == [
        "The team is required.",
        "The practitioner is required.",
        "Say whether the practitioner was present.",
        "Assessment: the evidence for the grade is required.",
        "What is working well: needs at least 1 entry.",
        "What are we worried about: needs at least 2 entries.",
        "Scaling: no scale given yet.",
        "The child's voice: no feedback recorded yet "
        "(direct, or where it was found in the record).",
        "Is the plan SMART: not answered yes or no yet.",
        "Say whether there are immediate concerns.",
        "The overall judgement is required.",
        "The summary of strengths is required.",
        "An action is required for any grade below good.",
        "Alex Auditor has not given a scale and rationale yet.",
    ]
    with pytest.raises(
        ValidationError, match=r"Cannot complete yet: The team is required. \(and 13 more"
    ):
        workspace.write(complete, tpl, evaluation_id)


def test_completed_is_read_only_except_action_tracking(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    fill(workspace, tpl, evaluation_id, concern=True)
    view = load_view_ws(workspace, evaluation_id)
    entry, person = view.entries["worries"][0].id, view.participants[0].id
    feedback, action = view.feedback["child_voice"][0].id, view.actions[0].id
    workspace.write(complete, tpl, evaluation_id)
    refused = [
        (ev.update_details, evaluation_id, {"team": "Other"}, PATTERN),
        (ev.set_response, tpl, evaluation_id, "assessment", {"grade": "inadequate"}),
        (ev.add_entry, tpl, evaluation_id, "worries", "more"),
        (ev.edit_entry, entry, "changed"),
        (ev.move_entry, entry, 1),
        (ev.remove_entry, entry),
        (ev.add_participant, evaluation_id, "Dad", "Parent"),
        (ev.update_participant, person, "X", "Y"),
        (ev.remove_participant, person),
        (ev.set_scale, tpl, evaluation_id, "safety_scale", person, 2, "x"),
        (ev.add_feedback, tpl, evaluation_id, "child_voice", "direct", "Mum", "x"),
        (ev.update_feedback, tpl, feedback, "direct", "Mum", "x"),
        (ev.remove_feedback, feedback),
        (outcomes.add_action, evaluation_id, "New", "Jo", "2026-12-01"),
        (outcomes.update_action, action, {"description": "Changed"}),
        (outcomes.update_action, action, {"due_date": "2027-01-01"}),
        (outcomes.remove_action, action),
        (outcomes.set_concern, evaluation_id, False, ""),
        (outcomes.set_overall, tpl, evaluation_id, {"overall_grade": "good"}),
    ]
    before = dump(workspace)
    for fn, *args in refused:
        kwargs = args.pop() if isinstance(args[-1], dict) and fn is not ev.update_details else {}
        with pytest.raises(ReadOnlyError, match="read-only"):
            workspace.write(fn, *args, **kwargs)
    assert dump(workspace) == before
    workspace.write(outcomes.update_action, action, status="in_progress", progress="Booked")
    workspace.write(
        outcomes.record_concern_share, evaluation_id, "team_manager", "Deputy", None, "email"
    )
    view = load_view_ws(workspace, evaluation_id)
    assert (view.actions[0].current_status, view.actions[0].status_note) == (
        "in_progress",
        "Booked",
    )
    assert len(view.shares) == 5


def test_reopen_needs_a_reason_and_is_recorded(workspace: Any, tpl: Template) -> None:
    evaluation_id = new_eval(workspace)
    fill(workspace, tpl, evaluation_id)
    with pytest.raises(ValidationError, match="Only a completed"):
        workspace.write(reopen, evaluation_id, "why")
    workspace.write(complete, tpl, evaluation_id)
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="Reason for reopening: required"):
            workspace.write(reopen, evaluation_id, reason)
    workspace.write(reopen, evaluation_id, "New information from the core group.")
    view = load_view_ws(workspace, evaluation_id)
    assert view.evaluation.status == "reopened"
    assert [(e.kind, e.reason, e.created_by) for e in view.events] == [
        ("completed", "", "Alex Auditor"),
        ("reopened", "New information from the core group.", "Alex Auditor"),
    ]
    workspace.write(ev.update_details, evaluation_id, {"team": "Other"}, PATTERN)  # editable again


BAD_INPUT = {
    "unknown item": (lambda t, e, p: (ev.set_response, t, e, "nope", {"grade": "good"}), "nope"),
    "grade off scale": (
        lambda t, e, p: (ev.set_response, t, e, "assessment", {"grade": "excellent"}),
        "grading scale",
    ),
    "scale 11": (lambda t, e, p: (ev.set_scale, t, e, "safety_scale", p, 11, "x"), "Scale: 11"),
    "scale -1": (lambda t, e, p: (ev.set_scale, t, e, "safety_scale", p, -1, "x"), "Scale: -1"),
    "scale x": (lambda t, e, p: (ev.set_scale, t, e, "safety_scale", p, "x", "x"), "Scale: 'x'"),
    "date 30 Feb": (
        lambda t, e, p: (ev.update_details, e, {"evaluation_date": "2026-02-30"}, PATTERN),
        "Date: '2026-02-30' is not a date",
    ),
    "due yesterday": (
        lambda t, e, p: (outcomes.add_action, e, "Do it", "Jo", "yesterday"),
        "Due date: 'yesterday' is not a date",
    ),
    "case reference": (
        lambda t, e, p: (ev.update_details, e, {"case_reference": "Child A"}, PATTERN),
        "Case reference: 'Child A' does not match",
    ),
    "100 KB text": (
        lambda t, e, p: (ev.set_response, t, e, "assessment", {"evidence": "x" * 100_000}),
        "Evidence: 100,000 characters",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_and_changes_nothing(workspace: Any, tpl: Template, case: str) -> None:
    evaluation_id = new_eval(workspace)
    person = load_view_ws(workspace, evaluation_id).participants[0].id
    make, expected = BAD_INPUT[case]
    fn, *args = make(tpl, evaluation_id, person)
    kwargs = args.pop() if fn is ev.set_response else {}
    before = dump(workspace)
    with pytest.raises(ValidationError) as err:
        workspace.write(fn, *args, **kwargs)
    assert expected in str(err.value)
    assert err.value.field
    assert "\n" not in str(err.value)
    assert dump(workspace) == before


def test_bad_case_reference_on_creation_writes_nothing(workspace: Any, tpl: Template) -> None:
    before = dump(workspace)
    with pytest.raises(ValidationError, match="Case reference") as err:
        new_eval(workspace, case_reference="Child A 12/03/2015")
    assert err.value.field == "case_reference"
    assert dump(workspace) == before


def test_markup_and_escape_sequences_are_stored_as_typed(workspace: Any, tpl: Template) -> None:
    markup = "[bold]x[/bold] [link=http://e]y[/link]"
    escapes = "\x1b[31mred\x1b[0m"
    evaluation_id = new_eval(workspace, practitioner=markup)
    workspace.write(ev.set_response, tpl, evaluation_id, "assessment", evidence=markup)
    entry = workspace.write(ev.add_entry, tpl, evaluation_id, "worries", escapes)
    view = load_view_ws(workspace, evaluation_id)
    assert view.evaluation.practitioner == markup
    assert view.responses["assessment"].evidence == markup
    assert view.entries["worries"][0].text == escapes
    with workspace.store.reader() as session:
        raw = session.execute(
            text("SELECT text FROM entries WHERE id = :id"), {"id": entry}
        ).scalar_one()
    assert raw == escapes
