"""The board's programme, headless: the Quality, Performance and Impact Board's meetings for
the year with their reporting deadlines (seed 000 §6.4), and the systemic actions it
commissioned, tracked to completion and reported back to it (§6.8-6.9, §6.13).

A meeting is the root of its own history; so is a systemic action, whose progress updates
belong to it (each update a record of its own, so two people's updates are both kept). The
action's status is the newest update's. Callers run these functions inside
``store.session()``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.record_writes import create_record, set_fields
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.store import models
from qa_tui.store.history import Actor
from qa_tui.vocab import ACTION_STATUSES, OPEN_ACTION_STATUSES

DEADLINE_DAYS = 14  # reports are due two weeks before the meeting unless said otherwise


def add_meeting(
    session: Session,
    actor: Actor,
    held_on: dt.date | str,
    title: str = "",
    report_deadline: dt.date | str | None = None,
    notes: str = "",
) -> str:
    """Schedule a board meeting; the reporting deadline is two weeks before unless given."""
    day = v.parse_date(held_on, "Date", "held_on")
    if day is None:
        raise ValidationError("Date: when does the board meet?", field="held_on")
    deadline = v.parse_date(report_deadline, "Reports due", "report_deadline")
    deadline = deadline or day - dt.timedelta(days=DEADLINE_DAYS)
    if deadline > day:
        raise ValidationError("Reports due: after the meeting", field="report_deadline")
    name = " ".join(v.text(title, "Title", "title", short=True).split())
    values = {
        "held_on": day,
        "title": name or f"Quality, Performance and Impact Board, {day.day} {day:%B %Y}",
        "report_deadline": deadline,
        "notes": v.text(notes, "Notes", "notes"),
    }
    meeting_id = str(uuid.uuid4())
    create_record(session, actor, "board_meeting", meeting_id, {}, values, meeting_id)
    return meeting_id


def meetings(session: Session, year: int) -> list[models.BoardMeeting]:
    """The board's meetings in ``year``, in date order."""
    m = models.BoardMeeting
    query = select(m).where(
        ~m.deleted, m.held_on >= dt.date(year, 1, 1), m.held_on <= dt.date(year, 12, 31)
    )
    return list(session.scalars(query.order_by(m.held_on)))


def add_action(
    session: Session,
    actor: Actor,
    description: str,
    owner: str,
    due_on: dt.date | str | None,
    plan_id: str = "",
) -> str:
    """Record a systemic action the board commissioned (optionally from a thematic
    evaluation, ``plan_id``); returns its id."""
    text = v.text(description, "Action", "description").strip()
    if not text:
        raise ValidationError("Action: say what is to change", field="description")
    who = " ".join(v.text(owner, "Owner", "owner", short=True).split())
    if not who:
        raise ValidationError("Owner: who is responsible?", field="owner")
    if plan_id and session.get(models.Plan, plan_id) is None:
        raise NotFoundError(f"No plan with id {plan_id}")
    values = {
        "description": text,
        "owner": who,
        "raised_on": actor.now().date(),
        "due_on": v.parse_date(due_on, "Due", "due_on"),
        "status": "open",
        "evidence": "",
        "plan_id": plan_id,
    }
    action_id = str(uuid.uuid4())
    create_record(session, actor, "board_action", action_id, {}, values, action_id)
    return action_id


def record_update(
    session: Session,
    actor: Actor,
    action_id: str,
    status: str,
    note: str,
    updated_on: dt.date | str | None = None,
    evidence: str | None = None,
) -> str:
    """Record progress on a systemic action (its status follows), and the evidence that the
    change made a difference when there is some; returns the update's id."""
    action = session.get(models.BoardAction, action_id)
    if action is None or action.deleted:
        raise NotFoundError(f"No board action with id {action_id}")
    v.choice(status, ACTION_STATUSES, "Status", "status")
    text = v.text(note, "Progress", "note").strip()
    if not text:
        raise ValidationError("Progress: say what has happened", field="note")
    day = v.parse_date(updated_on, "On", "updated_on") or actor.now().date()
    values = {"updated_on": day, "status": status, "note": text}
    update_id = create_record(
        session, actor, "board_action_update", action_id, {"action_id": action_id}, values
    )
    changes: dict[str, object] = {"status": status}
    if evidence is not None:
        changes["evidence"] = v.text(evidence, "Evidence", "evidence")
    set_fields(session, actor, "board_action", action_id, changes)
    return update_id


@dataclass(frozen=True)
class BoardActionRow:
    """A systemic action as the tracker shows it."""

    id: str
    description: str
    owner: str
    due_on: dt.date | None
    status: str
    overdue: bool
    last_update: str
    updates: int
    evidence: str
    plan_id: str


def board_actions(session: Session, today: dt.date) -> list[BoardActionRow]:
    """Every systemic action, open ones first by due date, with its newest update."""
    a, u = models.BoardAction, models.BoardActionUpdate
    updates: dict[str, list[models.BoardActionUpdate]] = {}
    for update in session.scalars(select(u).where(~u.deleted)):
        updates.setdefault(update.action_id, []).append(update)
    out = []
    for row in session.scalars(select(a).where(~a.deleted)):
        mine = sorted(updates.get(row.id, []), key=lambda x: (x.updated_on or today, x.created_at))
        is_open = row.status in OPEN_ACTION_STATUSES
        out.append(
            BoardActionRow(
                row.id,
                row.description,
                row.owner,
                row.due_on,
                row.status,
                bool(is_open and row.due_on and row.due_on < today),
                mine[-1].note if mine else "",
                len(mine),
                row.evidence,
                row.plan_id,
            )
        )
    far = dt.date(9999, 12, 31)
    return sorted(out, key=lambda r: (r.status not in OPEN_ACTION_STATUSES, r.due_on or far, r.id))
