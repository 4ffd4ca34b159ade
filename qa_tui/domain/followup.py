"""After an evaluation: actions tracked to completion, immediate concerns shared, acknowledged
and closed, and the feedback summary shared for the child's record (seed 000 §3.4, §4.8,
§6.11, §6.12).

Every step is a record of its own (an action update, a concern share or event, a summary
share), allowed on a completed evaluation, whose content stays read-only. Like the rest of the
domain, each function checks its input first (a :class:`ValidationError` naming the field) and
then records changes; callers run them in one transaction (``Workspace.write``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.record_writes import create_record, ensure_editable
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.store import models
from qa_tui.store.history import Actor
from qa_tui.store.queries import get_evaluation
from qa_tui.store.tracking import refresh_actions
from qa_tui.vocab import (
    ACTION_STATUSES,
    CONCERN_RECIPIENTS,
    SHARE_METHODS,
    SUMMARY_RECIPIENTS,
)

Recipient = tuple[str, str]  # (role, name)

# --- actions ----------------------------------------------------------------------------------


def record_action_update(
    session: Session,
    actor: Actor,
    action_id: str,
    status: str,
    note: str = "",
    updated_on: dt.date | str | None = None,
) -> str:
    """A dated progress update: the action's status from that day and a note.

    Allowed on a completed evaluation (seed 000 §6.12: tracked to completion). The date
    defaults to today. Returns the update's id.
    """
    clean_status = v.choice(status, ACTION_STATUSES, "Action status", "action_status")
    clean_note = v.text(note, "Progress note", "action_note")
    on = v.parse_date(updated_on, "Date of the update", "action_updated_on") or actor.now().date()
    action = session.get(models.Action, action_id)
    if action is None or action.deleted:
        raise NotFoundError(f"No action with id {action_id}")
    ensure_editable(session, action.evaluation_id, "action_update")
    fixed = {"evaluation_id": action.evaluation_id, "action_id": action_id}
    values = {"status": clean_status, "note": clean_note, "updated_on": on}
    update_id = create_record(session, actor, "action_update", action.evaluation_id, fixed, values)
    refresh_actions(session, [action.evaluation_id])
    return update_id


# --- immediate concerns -------------------------------------------------------------------------


def _concern_evaluation(session: Session, evaluation_id: str) -> models.Evaluation:
    evaluation = get_evaluation(session, evaluation_id)
    if not evaluation.immediate_concern:
        raise ValidationError(
            f"Evaluation {evaluation.case_reference} records no immediate concern",
            field="immediate_concern",
        )
    return evaluation


def _recipients(
    recipients: Sequence[Recipient], allowed: dict[str, str], what: str
) -> list[Recipient]:
    if not recipients:
        raise ValidationError(f"{what}: choose at least one recipient", field="recipient_role")
    out = []
    for role, name in recipients:
        out.append(
            (
                v.choice(role, allowed, "Recipient", "recipient_role"),
                v.text(name, "Recipient's name", "recipient_name", short=True).strip(),
            )
        )
    return out


class _Shares:
    """A document shared with recipients ``(role, name)`` on a day by a method, checked (the
    notice of an immediate concern and the feedback summary are shared alike)."""

    def __init__(
        self,
        recipients: Sequence[Recipient],
        allowed: dict[str, str],
        what: str,
        shared_on: dt.date | str | None,
        method: str,
    ) -> None:
        self.recipients = _recipients(recipients, allowed, what)
        self.shared_on = v.parse_date(shared_on, "Shared on", "shared_on")
        self.method = v.choice(method, SHARE_METHODS, "How it was shared", "share_method")

    def record(
        self, session: Session, actor: Actor, record_type: str, evaluation_id: str
    ) -> list[str]:
        """One record of ``record_type`` a recipient (shared today unless a day was given)."""
        fixed = {"evaluation_id": evaluation_id}
        common = {"shared_on": self.shared_on or actor.now().date(), "method": self.method}
        return [
            create_record(
                session,
                actor,
                record_type,
                evaluation_id,
                fixed,
                {"recipient_role": role, "recipient_name": name, **common},
            )
            for role, name in self.recipients
        ]


def record_concern_shares(
    session: Session,
    actor: Actor,
    evaluation_id: str,
    recipients: Sequence[Recipient],
    shared_on: dt.date | str | None,
    method: str,
) -> list[str]:
    """Record, in one step, that the written notice was shared with each recipient
    ``(role, name)`` on ``shared_on`` (default today) by ``method``."""
    shares = _Shares(recipients, CONCERN_RECIPIENTS, "Sharing the notice", shared_on, method)
    _concern_evaluation(session, evaluation_id)
    return shares.record(session, actor, "concern_share", evaluation_id)


def acknowledge_concern(
    session: Session,
    actor: Actor,
    evaluation_id: str,
    role: str,
    name: str,
    acknowledged_on: dt.date | str | None = None,
    note: str = "",
) -> str:
    """Record that a recipient (``role``, ``name``) acknowledged the concern's notice."""
    values = {
        "person_role": v.choice(role, CONCERN_RECIPIENTS, "Acknowledged by", "person_role"),
        "person_name": v.text(name, "Their name", "person_name", short=True).strip(),
        "happened_on": v.parse_date(acknowledged_on, "Acknowledged on", "happened_on")
        or actor.now().date(),
        "note": v.text(note, "Note", "note"),
    }
    _open_concern(session, evaluation_id)
    fixed = {"evaluation_id": evaluation_id, "kind": "acknowledged"}
    return create_record(session, actor, "concern_event", evaluation_id, fixed, values)


def close_concern(
    session: Session,
    actor: Actor,
    evaluation_id: str,
    outcome: str,
    closed_on: dt.date | str | None = None,
) -> str:
    """Close the concern with its outcome (what was done about it)."""
    text = v.text(outcome, "Outcome", "note")
    if not text.strip():
        raise ValidationError("Outcome: say what was done about the concern", field="note")
    values = {
        "person_role": "",
        "person_name": actor.author,
        "happened_on": v.parse_date(closed_on, "Closed on", "happened_on") or actor.now().date(),
        "note": text,
    }
    _open_concern(session, evaluation_id)
    fixed = {"evaluation_id": evaluation_id, "kind": "closed"}
    return create_record(session, actor, "concern_event", evaluation_id, fixed, values)


def _open_concern(session: Session, evaluation_id: str) -> None:
    from sqlalchemy import func, select

    evaluation = _concern_evaluation(session, evaluation_id)
    e = models.ConcernEvent
    closed = session.scalar(
        select(func.count()).where(e.evaluation_id == evaluation_id, e.kind == "closed", ~e.deleted)
    )
    if closed:
        raise ValidationError(
            f"The concern on {evaluation.case_reference} is already closed", field="note"
        )


# --- the feedback summary ------------------------------------------------------------------------


def record_summary_shares(
    session: Session,
    actor: Actor,
    evaluation_id: str,
    recipients: Sequence[Recipient],
    shared_on: dt.date | str | None,
    method: str,
) -> list[str]:
    """Record that a completed evaluation's feedback summary went to each recipient (the
    child's electronic record, the practitioner, team manager, service manager)."""
    shares = _Shares(recipients, SUMMARY_RECIPIENTS, "Sharing the summary", shared_on, method)
    require_completed(session, evaluation_id)
    return shares.record(session, actor, "summary_share", evaluation_id)


def require_completed(session: Session, evaluation_id: str) -> models.Evaluation:
    """The evaluation, if completed; a one-line error for a draft or a reopened one."""
    evaluation = get_evaluation(session, evaluation_id)
    if evaluation.status != "completed":
        raise ValidationError(
            f"Evaluation {evaluation.case_reference} is not completed (it is "
            f"{evaluation.status}): the feedback summary is for a completed evaluation",
            field="status",
        )
    return evaluation


# --- where a concern stands -----------------------------------------------------------------------


@dataclass
class ConcernState:
    """An immediate concern's lifecycle as recorded so far."""

    raised: bool
    shared: dict[str, list[models.ConcernShare]] = field(default_factory=dict)  # by role
    acknowledgements: list[models.ConcernEvent] = field(default_factory=list)
    closures: list[models.ConcernEvent] = field(default_factory=list)

    @property
    def unshared_roles(self) -> list[str]:
        return [role for role in CONCERN_RECIPIENTS if role not in self.shared]

    @property
    def stage(self) -> str:
        """raised, shared, acknowledged or closed (empty: no concern)."""
        return concern_stage(
            self.raised,
            len(CONCERN_RECIPIENTS) - len(self.unshared_roles),
            bool(self.acknowledgements),
            bool(self.closures),
        )


def concern_stage(raised: bool, shared_roles: int, acknowledged: bool, closed: bool) -> str:
    """The lifecycle stage from counts (also computed in SQL by the lists: keep in step)."""
    if not raised:
        return ""
    if closed:
        return "closed"
    if acknowledged:
        return "acknowledged"
    return "shared" if shared_roles else "raised"


def stage_words(stage: str, shared_roles: int) -> str:
    """The stage in words for lists (never colour alone): 'Shared 2 of 4', 'Raised', …"""
    total = len(CONCERN_RECIPIENTS)
    if stage == "shared" and shared_roles < total:
        return f"Shared {shared_roles} of {total}"
    if stage == "acknowledged" and shared_roles < total:
        return f"Acknowledged, shared {shared_roles} of {total}"
    return {"raised": "Raised, not shared", "shared": "Shared with all 4"}.get(
        stage, stage.capitalize()
    )


def concern_state(
    evaluation: models.Evaluation,
    shares: Sequence[models.ConcernShare],
    events: Sequence[models.ConcernEvent],
) -> ConcernState:
    """The concern's state from the evaluation's shares and events (deleted ones left out)."""
    state = ConcernState(bool(evaluation.immediate_concern))
    for share in shares:
        state.shared.setdefault(share.recipient_role, []).append(share)
    state.acknowledgements = [e for e in events if e.kind == "acknowledged"]
    state.closures = [e for e in events if e.kind == "closed"]
    return state
