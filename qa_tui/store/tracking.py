"""An action's current status, derived from its progress updates.

Each progress update (``action_updates``) is a record of its own, so updates made on a laptop
and on the QA desk are all kept. The action's current status is the latest update's, *latest*
meaning the highest ``(date of the update, Lamport counter of its creation, device id, id)``:
the same on every database that holds the same updates, whatever order they arrived in. An
action with no updates keeps the status, completion date and progress it was agreed with.

The result is stored in the action's ``current_status``, ``status_on``, ``status_note`` and
``status_by`` columns so lists filter and sort on it in the database. Every path that adds
updates or changes an action's own status calls :func:`refresh_actions` for the evaluations
it touched (local writes, bulk inserts, merges, conflict resolutions);
:func:`tracking_problems` checks the stored columns against the updates, for
:func:`qa_tui.store.history.check_consistency`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.entities import CREATE

BATCH = 500
NO_DUE_DATE = dt.date(9999, 12, 31)  # where actions without a due date sort
TRACKED_TYPES = frozenset({"action", "action_update"})


@dataclass(frozen=True)
class Tracked:
    """An action's current status as derived: what the tracker shows."""

    current_status: str
    status_on: dt.date | None
    status_note: str
    status_by: str
    due_key: dt.date = NO_DUE_DATE


@dataclass(frozen=True)
class UpdateKey:
    """One update as ordered: its date, then its creation's counter, device and id."""

    updated_on: dt.date | None
    counter: int
    device_id: str
    update_id: str

    def order(self) -> tuple[dt.date, int, str, str]:
        return (self.updated_on or dt.date.min, self.counter, self.device_id, self.update_id)


def derive(
    agreed: tuple[str, dt.date | None, str, dt.date | None],
    updates: Sequence[tuple[UpdateKey, str, str, str]],
) -> Tracked:
    """The current status from the action's agreed ``(status, completed_on, progress,
    due_date)`` and its updates ``(key, status, note, author)``: the latest update wins."""
    due_key = agreed[3] or NO_DUE_DATE
    if not updates:
        status, completed_on, progress, _due = agreed
        return Tracked(status, completed_on if status == "done" else None, progress, "", due_key)
    key, status, note, author = max(updates, key=lambda u: u[0].order())
    return Tracked(status, key.updated_on, note, author, due_key)


_STORED = (
    models.Action.id,
    models.Action.current_status,
    models.Action.status_on,
    models.Action.status_note,
    models.Action.status_by,
    models.Action.due_key,
)


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


def derived_for(session: Session, evaluation_ids: Sequence[str]) -> dict[str, Tracked]:
    """``{action_id: Tracked}`` for every action of the given evaluations, from the updates.

    An update counts for the action it names only within its own evaluation (an action's
    updates are its aggregate's, as they are made): an update naming another evaluation's
    action, which a bundle can carry, changes nothing — whichever evaluations are derived
    together."""
    out: dict[str, Tracked] = {}
    a, u, c = models.Action, models.ActionUpdate, models.Change
    for chunk in _chunks(sorted(set(evaluation_ids))):
        agreed = {
            (row.evaluation_id, row.id): (row.status, row.completed_on, row.progress, row.due_date)
            for row in session.execute(
                select(
                    a.evaluation_id, a.id, a.status, a.completed_on, a.progress, a.due_date
                ).where(a.evaluation_id.in_(chunk))
            )
        }
        updates: dict[tuple[str, str], list[tuple[UpdateKey, str, str, str]]] = {}
        # Each update's creation change (its counter and device order the updates). The
        # change log keeps ids as 16 bytes: it is joined to the updates here, not in SQL.
        made: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for made_row in session.execute(
            select(c.evaluation_id, c.entity_id, c.counter, models.Writer.device_id)
            .join_from(c, models.Writer, models.Writer.id == c.writer_id, isouter=True)
            .where(
                c.evaluation_id.in_(chunk),
                c.entity_type == "action_update",
                c.field == CREATE,
            )
        ):
            made.setdefault((made_row.evaluation_id, made_row.entity_id), []).append(
                (made_row.counter, made_row.device_id)
            )
        query = select(
            u.action_id, u.id, u.evaluation_id, u.status, u.note, u.updated_on, u.created_by
        ).where(u.evaluation_id.in_(chunk), ~u.deleted)
        for row in session.execute(query):
            for counter, device_id in made.get((row.evaluation_id, row.id), []):
                key = UpdateKey(row.updated_on, counter, device_id, row.id)
                updates.setdefault((row.evaluation_id, row.action_id), []).append(
                    (key, row.status, row.note, row.created_by)
                )
        for (evaluation_id, action_id), values in agreed.items():
            out[action_id] = derive(values, updates.get((evaluation_id, action_id), []))
    return out


def refresh_actions(session: Session, evaluation_ids: Iterable[str]) -> int:
    """Store the derived current status of every action of these evaluations; returns how
    many actions changed."""
    ids = sorted(set(evaluation_ids))
    if not ids:
        return 0
    session.flush()
    a = models.Action
    stored: dict[str, Tracked] = {}
    for chunk in _chunks(ids):
        rows = session.execute(select(*_STORED).where(a.evaluation_id.in_(chunk)))
        stored.update({r.id: Tracked(*r[1:]) for r in rows})
    changed: list[dict[str, Any]] = []
    for action_id, tracked in derived_for(session, ids).items():
        if stored.get(action_id) != tracked:
            changed.append({"b_id": action_id, **vars(tracked)})
    if changed:
        table = cast(Table, models.Action.__table__)
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                current_status=bindparam("current_status"),
                status_on=bindparam("status_on"),
                status_note=bindparam("status_note"),
                status_by=bindparam("status_by"),
                due_key=bindparam("due_key"),
            )
        )
        session.connection().execute(statement, changed)
        # ORM objects of these actions loaded in this session would show the old values.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, models.Action):
                session.expire(obj, [c.key for c in _STORED[1:]])
    return len(changed)


def tracked_evaluations(changes: Iterable[dict[str, Any]]) -> set[str]:
    """The evaluations whose actions' status these (new) changes may alter."""
    return {c["evaluation_id"] for c in changes if c["entity_type"] in TRACKED_TYPES}


def tracking_problems(session: Session) -> list[str]:
    """Actions whose stored current status differs from what their updates say."""
    a = models.Action
    ids = list(session.scalars(select(a.evaluation_id).distinct()))
    derived = derived_for(session, ids)
    problems = []
    for row in session.execute(select(*_STORED)):
        have = Tracked(*row[1:])
        want = derived.get(row.id)
        if want != have:
            problems.append(f"('action', {row.id!r}) tracking: stored {have}, updates say {want}")
    return problems
