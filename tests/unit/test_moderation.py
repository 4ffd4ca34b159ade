"""Moderation in the core: agreement from two grades, validation, history, read-only rules."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qa_tui.domain import moderation as mod
from qa_tui.domain.lifecycle import complete
from qa_tui.errors import ReadOnlyError, ValidationError
from qa_tui.framework.model import NOT_APPLICABLE, Template
from qa_tui.store import models
from qa_tui.store.history import check_consistency
from tests.unit.test_domain import dump, fill, new_eval, tpl  # noqa: F401  (tpl is a fixture)


@pytest.fixture
def completed(workspace: Any, tpl: Template) -> str:  # noqa: F811
    evaluation_id = new_eval(workspace)
    fill(workspace, tpl, evaluation_id)
    workspace.write(complete, tpl, evaluation_id)
    return evaluation_id


def test_agreement_follows_from_the_two_grades(tpl: Template) -> None:  # noqa: F811
    scale = tpl.scale
    assert mod.agreement(scale, "good", "good") == "agree"
    assert mod.agreement(scale, "good", "outstanding") == "higher"
    assert mod.agreement(scale, "good", "inadequate") == "lower"
    assert mod.agreement(scale, NOT_APPLICABLE, "good") == "different"
    assert mod.agreement(scale, "good", NOT_APPLICABLE) == "different"
    assert mod.agreement(scale, "good", "") == ""


def test_a_moderation_of_a_completed_evaluation_is_kept(
    workspace: Any,
    tpl: Template,  # noqa: F811
    completed: str,
) -> None:
    mid = workspace.write(
        mod.start_moderation, completed, "Sam Moderator", "Head of Service", "2026-11-30", "Nov"
    )
    workspace.write(mod.judge, tpl, mid, "assessment", "", "", "agree")
    workspace.write(
        mod.judge, tpl, mid, "planning", "inadequate", "No plan for [b]contact[/b].", "lower"
    )
    workspace.write(mod.judge, tpl, mid, mod.OVERALL, "good", "Strong direct work.", "higher")
    workspace.write(mod.update_moderation, mid, learning_points="Plans need dates.\x1b[31m")
    with workspace.store.reader() as session:
        (view,) = mod.moderation_views(session, tpl, completed)
        assert check_consistency(session) == []
    assert view.moderation.moderator == "Sam Moderator"
    assert view.moderation.moderated_on.isoformat() == "2026-11-30"
    assert view.moderation.learning_points == "Plans need dates.\x1b[31m"
    assert [
        (j.item_id, j.auditor_grade, j.moderated_grade, j.agreement) for j in view.judgements
    ] == [
        ("assessment", "good", "good", "agree"),
        ("planning", "requires_improvement", "inadequate", "lower"),
        (mod.OVERALL, "requires_improvement", "good", "higher"),
    ]
    assert view.judgements[1].rationale == "No plan for [b]contact[/b]."
    assert view.counts() == {"agree": 1, "higher": 1, "lower": 1, "different": 0}


def test_judging_an_item_again_changes_the_same_record(
    workspace: Any,
    tpl: Template,  # noqa: F811
    completed: str,
) -> None:
    mid = workspace.write(mod.start_moderation, completed, "Sam Moderator")
    first = workspace.write(mod.judge, tpl, mid, "planning", "inadequate", "Too thin.")
    again = workspace.write(mod.judge, tpl, mid, "planning", "requires_improvement", "")
    assert first == again == mod.judgement_id(mid, "planning")
    workspace.write(mod.withdraw_judgement, mid, "planning")
    with workspace.store.reader() as session:
        assert mod.moderation_views(session, tpl, completed)[0].judgements == []
    workspace.write(mod.judge, tpl, mid, "planning", "good", "Better on a second read.")
    with workspace.store.reader() as session:
        (judgement,) = mod.moderation_views(session, tpl, completed)[0].judgements
        history = session.scalars(
            select(models.Change.field).where(models.Change.entity_id == first)
        ).all()
        assert check_consistency(session) == []
    assert (judgement.moderated_grade, judgement.agreement) == ("good", "higher")
    assert history.count("moderated_grade") == 3 and history.count("_deleted") == 2


@pytest.mark.parametrize(
    ("item", "grade", "rationale", "expected", "message"),
    [
        ("planning", "inadequate", "", None, "Rationale: say why"),
        ("planning", "excellent", "x", None, "not on the grading scale"),
        ("planning", "", "", None, "Moderated grade: choose a grade"),
        ("planning", "good", "Better.", "lower", "you chose disagree: moderated lower"),
        ("planning", "requires_improvement", "", "higher", "is agree"),
        ("assessment", "inadequate", "x", "agree", "you chose agree"),
        ("planning", "good", "x", "maybe", "not agree, higher or lower"),
        ("working_well", "good", "x", None, "not a graded item"),
        ("no_such_item", "good", "x", None, "not a graded item"),
    ],
)
def test_bad_judgements_are_refused_and_write_nothing(
    workspace: Any,
    tpl: Template,  # noqa: F811
    completed: str,
    item: str,
    grade: str,
    rationale: str,
    expected: str | None,
    message: str,
) -> None:
    mid = workspace.write(mod.start_moderation, completed, "Sam Moderator")
    before = dump(workspace)
    with pytest.raises(ValidationError, match=message):
        workspace.write(mod.judge, tpl, mid, item, grade, rationale, expected)
    assert dump(workspace) == before


def test_not_applicable_against_a_grade_accepts_either_disagreement(
    workspace: Any,
    tpl: Template,  # noqa: F811
    completed: str,
) -> None:
    mid = workspace.write(mod.start_moderation, completed, "Sam Moderator")
    workspace.write(mod.judge, tpl, mid, "planning", NOT_APPLICABLE, "No plan yet.", "lower")
    with workspace.store.reader() as session:
        (judgement,) = mod.moderation_views(session, tpl, completed)[0].judgements
    assert judgement.agreement == "different"


def test_only_a_completed_evaluation_can_be_moderated(workspace: Any, tpl: Template) -> None:  # noqa: F811
    evaluation_id = new_eval(workspace)
    with pytest.raises(ValidationError, match="only a completed evaluation can be moderated"):
        workspace.write(mod.start_moderation, evaluation_id, "Sam Moderator")
    fill(workspace, tpl, evaluation_id)
    workspace.write(complete, tpl, evaluation_id)
    with pytest.raises(ValidationError, match="say who is moderating"):
        workspace.write(mod.start_moderation, evaluation_id, "  ")
    with pytest.raises(ValidationError, match="Moderated on"):
        workspace.write(mod.start_moderation, evaluation_id, "Sam", "", "2026-02-30")


def test_moderating_leaves_the_evaluation_read_only(
    workspace: Any,
    tpl: Template,  # noqa: F811
    completed: str,
) -> None:
    from qa_tui.domain import evaluation as ev

    mid = workspace.write(mod.start_moderation, completed, "Sam Moderator")
    workspace.write(mod.judge, tpl, mid, "planning", "inadequate", "Thin.")
    with pytest.raises(ReadOnlyError):
        workspace.write(ev.set_response, tpl, completed, "planning", grade="inadequate")
    workspace.write(mod.remove_moderation, mid)
    with workspace.store.reader() as session:
        assert mod.moderation_views(session, tpl, completed) == []
