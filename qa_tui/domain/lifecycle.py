"""Completing (read-only from then on) and reopening (deliberate, with a recorded reason)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.completion import missing
from qa_tui.domain.record_writes import create_record, set_fields
from qa_tui.errors import ValidationError
from qa_tui.framework.model import Template
from qa_tui.store.history import Actor, record_change
from qa_tui.store.queries import get_evaluation
from qa_tui.store.views import load_view


def complete(session: Session, actor: Actor, template: Template, evaluation_id: str) -> None:
    """Complete the evaluation if nothing is missing; it is read-only from then on."""
    evaluation = get_evaluation(session, evaluation_id)
    if evaluation.status == "completed":
        raise ValidationError("This evaluation is already completed", field="status")
    problems = missing(load_view(session, evaluation_id), template)
    if problems:
        first = problems[0].message
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationError(f"Cannot complete yet: {first}{more}", field=problems[0].target)
    fixed = {"evaluation_id": evaluation_id, "kind": "completed", "reason": ""}
    create_record(session, actor, "lifecycle_event", evaluation_id, fixed, {})
    set_fields(
        session,
        actor,
        "evaluation",
        evaluation_id,
        {"status": "completed", "completed_at": actor.timestamp()},
    )


def reopen(session: Session, actor: Actor, evaluation_id: str, reason: str) -> None:
    """Reopen a completed evaluation; the reason is kept with who reopened it and when."""
    evaluation = get_evaluation(session, evaluation_id)
    if evaluation.status != "completed":
        raise ValidationError("Only a completed evaluation can be reopened", field="status")
    reason = v.text(reason, "Reason for reopening", "reason").strip()
    if not reason:
        raise ValidationError("Reason for reopening: required", field="reason")
    fixed = {"evaluation_id": evaluation_id, "kind": "reopened", "reason": reason}
    create_record(session, actor, "lifecycle_event", evaluation_id, fixed, {})
    # Directly through the history: set_fields would (rightly) refuse a completed evaluation.
    record_change(session, actor, "evaluation", evaluation_id, evaluation_id, "status", "reopened")
