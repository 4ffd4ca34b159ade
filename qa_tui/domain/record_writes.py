"""Creating, changing and removing records, always through the change history."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.orm import Session

from qa_tui.errors import NotFoundError, ReadOnlyError
from qa_tui.ids import new_id
from qa_tui.store import models
from qa_tui.store.entities import CREATE, DELETED, entity_type
from qa_tui.store.history import Actor, dumps, record_change, record_heads
from qa_tui.store.queries import get_evaluation

RESPONSE_NAMESPACE = uuid.UUID("6f1c7a52-0d5e-4b8e-9a57-3f0f3c2b9d11")

# Fields that stay editable on a completed evaluation: actions are tracked to completion
# after the evaluation closes (progress updates), the immediate concern is shared,
# acknowledged and closed, the feedback summary is shared, and moderation happens once the
# evaluation is complete. The evaluation's own content stays read-only.
EDITABLE_WHEN_COMPLETE = {
    "action": {"status", "completed_on", "progress"},
    "concern_share": None,
    "action_update": None,
    "concern_event": None,
    "summary_share": None,
    "moderation": None,
    "moderation_judgement": None,
}


def response_id(evaluation_id: str, item_id: str) -> str:
    """One response per item per evaluation, the same id on every device (so edits merge)."""
    return str(uuid.uuid5(RESPONSE_NAMESPACE, f"{evaluation_id}/{item_id}"))


def ensure_editable(
    session: Session, evaluation_id: str, etype: str, fields: set[str] | None = None
) -> models.Evaluation:
    """Refuse changes to a completed evaluation, except those allowed after completion."""
    evaluation = get_evaluation(session, evaluation_id)
    if evaluation.status != "completed":
        return evaluation
    if etype in EDITABLE_WHEN_COMPLETE:
        allowed = EDITABLE_WHEN_COMPLETE[etype]
        if allowed is None or (fields is not None and fields <= allowed):
            return evaluation
    raise ReadOnlyError(
        f"Evaluation {evaluation.case_reference} is completed and read-only; reopen it to change it"
    )


def create_record(
    session: Session,
    actor: Actor,
    etype: str,
    aggregate_id: str,
    fixed: dict[str, Any],
    values: dict[str, Any],
    entity_id: str | None = None,
) -> str:
    """Create a record (its ``_create`` change, then one change per initial value) in the
    aggregate ``aggregate_id`` (an evaluation, or a moderation session)."""
    entity_id = entity_id or new_id()
    kind = entity_type(etype)
    record_change(session, actor, etype, entity_id, aggregate_id, CREATE, fixed)
    for field, value in values.items():
        record_change(
            session, actor, etype, entity_id, aggregate_id, field, kind.codec(field).to_json(value)
        )
    return entity_id


def set_fields(
    session: Session, actor: Actor, etype: str, entity_id: str, values: dict[str, Any]
) -> int:
    """Change fields of an existing record; returns how many changes were recorded."""
    kind = entity_type(etype)
    row = session.get(kind.model, entity_id)
    if row is None or row.deleted:
        raise NotFoundError(f"No {etype.replace('_', ' ')} with id {entity_id}")
    aggregate_id = kind.aggregate_of(row)
    ensure_writable(session, kind.root, aggregate_id, etype, set(values))
    recorded = 0
    for field, value in values.items():
        json_value = kind.codec(field).to_json(value)
        if record_change(session, actor, etype, entity_id, aggregate_id, field, json_value):
            recorded += 1
    return recorded


def remove_record(session: Session, actor: Actor, etype: str, entity_id: str) -> None:
    """Mark a record deleted (a change like any other, so it merges and can conflict)."""
    kind = entity_type(etype)
    row = session.get(kind.model, entity_id)
    if row is None or row.deleted:
        raise NotFoundError(f"No {etype.replace('_', ' ')} with id {entity_id}")
    aggregate_id = kind.aggregate_of(row)
    ensure_writable(session, kind.root, aggregate_id, etype, {DELETED})
    change = record_change(session, actor, etype, entity_id, aggregate_id, DELETED, True)
    if change is not None:
        _also_supersede_other_fields(session, change)


# Fields of a closed moderation session that can still change: reopening it.
SESSION_REOPEN_FIELDS = {"status", "closed_at"}


def ensure_writable(
    session: Session, root: str, aggregate_id: str, etype: str, fields: set[str]
) -> None:
    """Refuse a change the aggregate's root does not allow (a completed evaluation, a closed
    moderation session), whichever record of the aggregate it is to."""
    if root == "evaluation":
        ensure_editable(session, aggregate_id, etype, fields)
        return
    if root == "moderation_session":
        found = session.get(models.ModerationSession, aggregate_id)
        if found is None or found.deleted:
            raise NotFoundError(f"No moderation session with id {aggregate_id}")
        closed = found.status == "closed"
        if closed and not (etype == "moderation_session" and fields <= SESSION_REOPEN_FIELDS):
            raise ReadOnlyError(
                f"Moderation session {found.title or found.id} is closed; reopen it to change it"
            )
    if root == "plan":
        plan = session.get(models.Plan, aggregate_id)
        if plan is None or plan.deleted:
            raise NotFoundError(f"No plan with id {aggregate_id}")
        # A closed plan is the record of what happened; only reopening it (its status)
        # and starting an evaluation from one of its allocations still change it.
        allowed = {"plan": {"status"}, "allocation": {"started_evaluation_id"}}.get(etype, set())
        if plan.status == "closed" and not fields <= allowed:
            raise ReadOnlyError(f"Plan {plan.title or plan.id} is closed; reopen it to change it")


def _also_supersede_other_fields(session: Session, deletion: models.Change) -> None:
    """Record which heads of the record's other fields the deletion saw.

    Heads are computed per field, so these links change no field's value; they let a merge
    tell an edit the deleting user saw from one made concurrently elsewhere (a conflict).
    """
    fields = record_heads(session, deletion.evaluation_id, deletion.entity_id)
    extra = sorted(
        {h.id for fld, heads in fields.items() if fld not in (CREATE, DELETED) for h in heads}
    )
    if not extra:
        return
    deletion.supersedes = dumps(sorted({*json.loads(deletion.supersedes), *extra}))
    session.add_all(
        models.ChangeLink(
            evaluation_id=deletion.evaluation_id, change_id=deletion.id, supersedes_id=h
        )
        for h in extra
    )
