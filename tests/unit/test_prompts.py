"""Prompts (examples to look for under a judgement) and stages a case has not reached, in the
core: what is stored (ordinary responses, history like any other), what completion asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.domain.completion import missing
from qa_tui.errors import ValidationError
from qa_tui.framework.loader import load_template_text
from qa_tui.framework.model import NOT_APPLICABLE, Template
from qa_tui.store import models
from qa_tui.store.history import check_consistency
from qa_tui.store.views import load_view

PATTERN = r"^[A-Z]{2,4}-?\d{4,10}$"
PROVENANCE = (Path(__file__).parent / "templates_data" / "provenance.toml").read_text(
    encoding="utf-8"
)


@pytest.fixture
def tpl(workspace: Any) -> Template:
    template = load_template_text(PROVENANCE, "provenance.toml")
    workspace.templates.add(template)
    return template


def start(ws: Any, t: Template) -> str:
    details = ev.CaseDetails(
        "LCS-204817",
        service_area="Children in Need",
        team="CIN Team",
        practitioner="Jo Reilly (SW)",
        practitioner_present=False,
    )
    return ws.write(ev.create_evaluation, t, details, PATTERN)


def view(ws: Any, eid: str) -> Any:
    with ws.store.reader() as session:
        return load_view(session, eid)


def todo(ws: Any, t: Template, eid: str) -> list[tuple[str, str]]:
    return [(m.target, m.message) for m in missing(view(ws, eid), t)]


def test_marks_and_evidence_are_responses_with_history(workspace: Any, tpl: Template) -> None:
    eid = start(workspace, tpl)
    workspace.write(ev.set_prompt, tpl, eid, "assessment_purpose_understood", mark="seen")
    workspace.write(
        ev.set_prompt, tpl, eid, "assessment_purpose_understood", evidence="Assessment, 3 March"
    )
    workspace.write(ev.set_prompt, tpl, eid, "assessment_purpose_shared", mark="not_seen")
    workspace.write(ev.set_prompt, tpl, eid, "assessment_purpose_shared", mark="")  # cleared
    answers = view(workspace, eid).responses
    seen = answers["assessment_purpose_understood"]
    assert (seen.grade, seen.evidence) == ("seen", "Assessment, 3 March")
    assert answers["assessment_purpose_shared"].grade == ""
    with workspace.store.reader() as session:
        fields = session.scalars(
            select(models.Change.field).where(
                models.Change.entity_type == "response", models.Change.evaluation_id == eid
            )
        ).all()
        assert sorted(fields) == ["_create", "_create", "evidence", "grade", "grade", "grade"]
        assert check_consistency(session) == []


@pytest.mark.parametrize(
    ("prompt_id", "values", "message"),
    [
        ("assessment_judgement", {"mark": "seen"}, "not a prompt of template"),
        ("nowhere", {"mark": "seen"}, "not a prompt of template"),
        ("assessment_purpose_shared", {"mark": "good"}, "'good' is not one of seen, not_seen"),
        ("assessment_purpose_shared", {"evidence": "x" * 50_001}, "Evidence: 50,001 characters"),
    ],
)
def test_bad_marks_are_refused_and_write_nothing(
    workspace: Any, tpl: Template, prompt_id: str, values: dict[str, str], message: str
) -> None:
    eid = start(workspace, tpl)
    before = view(workspace, eid).responses
    with pytest.raises(ValidationError, match=message):
        workspace.write(ev.set_prompt, tpl, eid, prompt_id, **values)
    assert view(workspace, eid).responses.keys() == before.keys()


def test_a_stage_not_reached_in_one_call(workspace: Any, tpl: Template) -> None:
    eid = start(workspace, tpl)
    assert (
        "assessment_judgement",
        "How good is the practice in the assessment? No grade given yet.",
    ) in todo(workspace, tpl, eid)
    workspace.write(ev.mark_not_reached, tpl, eid, "assessment_judgement")
    judgement = view(workspace, eid).responses["assessment_judgement"]
    assert (judgement.grade, judgement.na_reason) == (
        NOT_APPLICABLE,
        "The case has not reached this stage.",
    )
    targets = [target for target, _ in todo(workspace, tpl, eid)]
    # Neither the judgement nor its required prompt is asked for any more.
    assert "assessment_judgement" not in targets
    assert "assessment_purpose_shared" not in targets


def test_not_reached_only_for_a_stage(workspace: Any) -> None:
    text = PROVENANCE.replace("stage = true\n", "")
    template = load_template_text(text, "nostage.toml")
    workspace.templates.add(template)
    eid = start(workspace, template)
    with pytest.raises(ValidationError, match="not a stage"):
        workspace.write(ev.mark_not_reached, template, eid, "assessment_judgement")


def test_required_prompts_and_development_at_every_grade(workspace: Any, tpl: Template) -> None:
    eid = start(workspace, tpl)
    workspace.write(
        ev.set_response, tpl, eid, "assessment_judgement", grade="good", evidence="Clear."
    )
    assert (
        todo(workspace, tpl, eid).count(
            (
                "assessment_purpose_shared",
                "Parents/carers and children will be aware of the purpose from their first "
                "contact: not marked seen, not seen or not applicable.",
            )
        )
        == 1
    )
    # The optional prompt is never asked for.
    assert "assessment_purpose_understood" not in [t for t, _ in todo(workspace, tpl, eid)]
    workspace.write(ev.set_prompt, tpl, eid, "assessment_purpose_shared", mark="seen")
    workspace.write(outcomes.set_concern, eid, False, "")
    workspace.write(outcomes.set_overall, tpl, eid, overall_grade="good", summary_strengths="Warm.")
    # development_required: at every grade, good included (seed 004, Appendix 1).
    assert todo(workspace, tpl, eid) == [
        (
            "summary_development",
            "We would expect there always to be areas to be developed.",
        )
    ]
    workspace.write(outcomes.set_overall, tpl, eid, summary_development="Chronology.")
    assert todo(workspace, tpl, eid) == []


def test_a_prompts_mark_is_never_taken_for_a_grade(workspace: Any) -> None:
    """An action is required below good: a prompt's ``not_seen`` is not a grade below it."""
    text = PROVENANCE.replace(
        '[[rules]]\nkind = "development_required"',
        '[[rules]]\nkind = "action_required_below_grade"\ngrade = "good"\nfrom = "local"\n'
        'message = "An action is required for any grade below good."\n\n'
        '[[rules]]\nkind = "development_required"',
    )
    template = load_template_text(text, "actions.toml")
    workspace.templates.add(template)
    eid = start(workspace, template)
    workspace.write(ev.set_prompt, template, eid, "assessment_purpose_shared", mark="not_seen")
    assert "actions" not in [t for t, _ in todo(workspace, template, eid)]
    workspace.write(
        ev.set_response, template, eid, "assessment_judgement", grade="inadequate", evidence="."
    )
    assert "actions" in [t for t, _ in todo(workspace, template, eid)]
