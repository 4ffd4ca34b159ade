"""Steps 6–8 of the journey, headless: actions, immediate concerns and their written notice,
and the overall judgement.

Like :mod:`qa_tui.domain.evaluation`, each function validates first (a
:class:`ValidationError` naming the field) and then records changes; callers run them inside
``store.session()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.record_writes import (
    create_record,
    ensure_editable,
    remove_record,
    set_fields,
)
from qa_tui.errors import ValidationError
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.history import Actor
from qa_tui.store.tracking import refresh_actions
from qa_tui.vocab import ACTION_STATUSES


def _clean_action(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field == "description":
            out[field] = v.text(value, "Action", "action_description")
        elif field == "owner":
            out[field] = v.text(value, "Owner", "action_owner", short=True)
        elif field == "due_date":
            out[field] = v.parse_date(value, "Due date", "action_due_date")
        elif field == "completed_on":
            out[field] = v.parse_date(value, "Completed on", "action_completed_on")
        elif field == "status":
            out[field] = v.choice(value, ACTION_STATUSES, "Action status", "action_status")
        elif field == "progress":
            out[field] = v.text(value, "Progress", "action_progress")
        else:
            raise ValidationError(f"{field}: not a field of an action", field=field)
    return out


def add_action(
    session: Session,
    actor: Actor,
    evaluation_id: str,
    description: str,
    owner: str,
    due_date: dt.date | str | None,
) -> str:
    """An agreed action: what, who owns it, by when (seed 000 §6.12: tracked to completion)."""
    values = _clean_action({"description": description, "owner": owner, "due_date": due_date})
    if not values["description"].strip():
        raise ValidationError("Action: say what needs to be done", field="action_description")
    values["status"] = "open"
    ensure_editable(session, evaluation_id, "new_action")
    fixed = {"evaluation_id": evaluation_id}
    action_id = create_record(session, actor, "action", evaluation_id, fixed, values)
    refresh_actions(session, [evaluation_id])
    return action_id


def update_action(session: Session, actor: Actor, /, action_id: str, **values: Any) -> int:
    """Change an action. What, who and by when are fields of the action (read-only once the
    evaluation is completed); a new status or progress note is a dated progress update
    (:func:`qa_tui.domain.followup.record_action_update`), allowed after completion too.
    Returns how many changes were recorded."""
    from qa_tui.domain.followup import record_action_update

    clean = _clean_action(values)
    tracking = {k: clean.pop(k) for k in ("status", "progress", "completed_on") if k in clean}
    recorded = set_fields(session, actor, "action", action_id, clean) if clean else 0
    if "due_date" in clean:
        action = session.get(models.Action, action_id)
        refresh_actions(session, [action.evaluation_id] if action else [])
    if tracking:
        action = session.get(models.Action, action_id)
        if action is None or action.deleted:
            raise ValidationError("That action no longer exists", field="action_status")
        status = tracking.get("status", action.current_status)
        note = tracking.get("progress", "")
        record_action_update(session, actor, action_id, status, note, tracking.get("completed_on"))
        recorded += 1
    return recorded


def remove_action(session: Session, actor: Actor, action_id: str) -> None:
    remove_record(session, actor, "action", action_id)


def set_concern(
    session: Session, actor: Actor, evaluation_id: str, flag: bool | None, description: str
) -> int:
    """Step 7: whether there are immediate concerns, and what they are."""
    values = {
        "immediate_concern": v.optional_bool(flag, "Immediate concerns", "immediate_concern"),
        "concern_description": v.text(description, "Concern", "concern_description"),
    }
    return set_fields(session, actor, "evaluation", evaluation_id, values)


def record_concern_share(
    session: Session,
    actor: Actor,
    evaluation_id: str,
    recipient_role: str,
    recipient_name: str,
    shared_on: dt.date | str | None,
    method: str,
) -> str:
    """Record that the written notice of an immediate concern was shared with someone (several
    at once: :func:`qa_tui.domain.followup.record_concern_shares`)."""
    from qa_tui.domain.followup import record_concern_shares

    recipients = [(recipient_role, recipient_name)]
    return record_concern_shares(session, actor, evaluation_id, recipients, shared_on, method)[0]


def set_overall(
    session: Session, actor: Actor, /, template: Template, evaluation_id: str, **values: Any
) -> int:
    """Step 8: overall judgement, its reason if not applicable, strengths and development."""
    clean: dict[str, Any] = {}
    for field, value in values.items():
        if field == "overall_grade":
            if value not in ("", None) and value not in template.scale.ids():
                raise ValidationError(
                    f"Overall judgement: {value!r} is not on the grading scale", field=field
                )
            clean[field] = value or ""
        elif field in ("overall_na_reason", "summary_strengths", "summary_development"):
            clean[field] = v.text(value, field.replace("_", " ").capitalize(), field)
        else:
            raise ValidationError(f"{field}: not part of the overall judgement", field=field)
    return set_fields(session, actor, "evaluation", evaluation_id, clean)
