"""Conflicts: independent changes to the same thing, kept side by side until a person decides.

Two kinds, both derived from the history alone (so every database that holds the same changes
shows the same conflicts):

* ``edit``: a field has several heads with different values (two people changed it without
  seeing each other's change). The provisional winner is shown; both values are kept.
* ``delete``: a record is deleted while another device edited one of its fields without seeing
  the deletion (the deletion names the heads it saw). The record stays deleted — never silently
  resurrected — and the edit stays in the history, until someone decides.

A resolution is itself a change (superseding every head), so it syncs like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES
from qa_tui.store.history import (
    Actor,
    append_change,
    change_order_key,
    changes_of_field,
    field_changes,
    recompute_field,
    record_heads,
    winner_of,
)
from qa_tui.store.tracking import TRACKED_TYPES, refresh_actions
from qa_tui.sync.errors import SyncError
from qa_tui.sync.wire_values import InvalidRecord, check_value

_UNSET: Any = object()


@dataclass(frozen=True)
class Side:
    """One version in a conflict: its value and who made it, where and when."""

    change_id: str
    field: str
    value: Any
    author: str
    device_id: str
    wall_time: str
    counter: int


@dataclass(frozen=True)
class Conflict:
    """A conflict on one field of one record; ``sides[0]`` is the provisional winner."""

    id: str
    kind: str  # "edit" or "delete"
    evaluation_id: str
    case_reference: str
    entity_type: str
    entity_id: str
    field: str
    ancestor: Side | None
    sides: tuple[Side, ...]


def _side(change: models.Change) -> Side:
    return Side(
        change.id,
        change.field,
        json.loads(change.value),
        change.author,
        change.device_id,
        change.wall_time,
        change.counter,
    )


def _field_history(
    session: Session, entity_id: str, fld: str
) -> tuple[dict[str, models.Change], dict[str, set[str]]]:
    changes = {c.id: c for c in field_changes(session, entity_id, fld)}
    parents: dict[str, set[str]] = {cid: set() for cid in changes}
    aggregates = sorted({c.evaluation_id for c in changes.values()})  # one: a record's
    for a, b in session.execute(
        select(models.ChangeLink.change_id, models.ChangeLink.supersedes_id).where(
            models.ChangeLink.evaluation_id.in_(aggregates),
            models.ChangeLink.change_id.in_(list(changes)),
        )
    ):
        if b in changes:
            parents[a].add(b)
    return changes, parents


def _ancestors(start: str, parents: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(parents.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(parents.get(node, ()))
    return seen


def _case_refs(session: Session, ids: set[str]) -> dict[str, str]:
    """What names each aggregate for people: an evaluation's case reference, or a moderation
    session's title."""
    rows = session.execute(
        select(models.Evaluation.id, models.Evaluation.case_reference).where(
            models.Evaluation.id.in_(ids)
        )
    )
    found = {k: v for k, v in rows}
    sessions = session.execute(
        select(models.ModerationSession.id, models.ModerationSession.title).where(
            models.ModerationSession.id.in_(ids - set(found))
        )
    )
    found.update({k: f"Moderation session: {v or k}" for k, v in sessions})
    plans = session.execute(
        select(models.Plan.id, models.Plan.title).where(models.Plan.id.in_(ids - set(found)))
    )
    found.update({k: f"Plan: {v or k}" for k, v in plans})
    meetings = session.execute(
        select(models.BoardMeeting.id, models.BoardMeeting.title).where(
            models.BoardMeeting.id.in_(ids - set(found))
        )
    )
    found.update({k: f"Board meeting: {v or k}" for k, v in meetings})
    actions = session.execute(
        select(models.BoardAction.id, models.BoardAction.description).where(
            models.BoardAction.id.in_(ids - set(found))
        )
    )
    found.update({k: f"Board action: {' '.join(v.split())[:60] or k}" for k, v in actions})
    return found


def _edit_conflicts(session: Session, states: list[models.FieldState]) -> list[Conflict]:
    out = []
    for state in states:
        changes, parents = _field_history(session, state.entity_id, state.field)
        heads = sorted(
            (changes[h] for h in json.loads(state.heads)), key=change_order_key, reverse=True
        )
        if len({h.value for h in heads}) < 2:
            continue  # independent changes that agree are not a conflict to resolve
        common = set.intersection(*(_ancestors(h.id, parents) for h in heads))
        ancestor = max((changes[c] for c in common), key=change_order_key, default=None)
        out.append(
            Conflict(
                f"{state.entity_id}:{state.field}",
                "edit",
                state.evaluation_id,
                "",
                state.entity_type,
                state.entity_id,
                state.field,
                _side(ancestor) if ancestor else None,
                tuple(_side(h) for h in heads),
            )
        )
    return out


def _delete_conflicts(session: Session, deletion_state: models.FieldState) -> list[Conflict]:
    entity_id = deletion_state.entity_id
    deletions = [
        c
        for c in session.scalars(
            select(models.Change).where(
                *changes_of_field(deletion_state),
                models.Change.id.in_(json.loads(deletion_state.heads)),
            )
        )
        if json.loads(c.value) is True
    ]
    winner = winner_of(session, deletion_state)
    if winner is None or json.loads(winner.value) is not True:
        return []
    seen = set(
        session.scalars(
            select(models.ChangeLink.supersedes_id).where(
                models.ChangeLink.evaluation_id.in_(sorted({d.evaluation_id for d in deletions})),
                models.ChangeLink.change_id.in_([d.id for d in deletions]),
            )
        )
    )
    out = []
    for fld, heads in record_heads(session, deletion_state.evaluation_id, entity_id).items():
        if fld in (CREATE, DELETED):
            continue
        unseen = [h.id for h in heads if h.id not in seen]
        if not unseen:
            continue
        changes, _parents = _field_history(session, entity_id, fld)
        known = [changes[s] for s in seen if s in changes]
        ancestor = max(known, key=change_order_key, default=None)
        edits = sorted((changes[h] for h in unseen), key=change_order_key, reverse=True)
        out.append(
            Conflict(
                f"{entity_id}:{fld}:deleted",
                "delete",
                deletion_state.evaluation_id,
                "",
                deletion_state.entity_type,
                entity_id,
                fld,
                _side(ancestor) if ancestor else None,
                (_side(winner), *(_side(e) for e in edits)),
            )
        )
    return out


def list_conflicts(session: Session, evaluation_id: str | None = None) -> list[Conflict]:
    """Every open conflict (optionally of one evaluation), in a stable order.

    The result depends only on the set of changes the database holds, so two databases that
    merged the same bundles in different orders list the same conflicts.
    """
    query = select(models.FieldState).where(models.FieldState.conflict)  # the partial index
    deleted = select(models.FieldState).where(models.DELETIONS)  # the partial index
    if evaluation_id is not None:
        query = query.where(models.FieldState.evaluation_id == evaluation_id)
        deleted = deleted.where(models.FieldState.evaluation_id == evaluation_id)
    found = _edit_conflicts(session, list(session.scalars(query)))
    for state in session.scalars(deleted):
        found.extend(_delete_conflicts(session, state))
    refs = _case_refs(session, {c.evaluation_id for c in found})
    found = [
        Conflict(
            c.id,
            c.kind,
            c.evaluation_id,
            refs.get(c.evaluation_id, ""),
            c.entity_type,
            c.entity_id,
            c.field,
            c.ancestor,
            c.sides,
        )
        for c in found
    ]
    return sorted(found, key=lambda c: (c.case_reference, c.evaluation_id, c.id))


def _find(session: Session, conflict_id: str) -> Conflict:
    entity_id = conflict_id.split(":", 1)[0]
    state = session.scalar(
        select(models.FieldState).where(models.FieldState.entity_id == entity_id).limit(1)
    )
    if state is not None:
        for conflict in list_conflicts(session, state.evaluation_id):
            if conflict.id == conflict_id:
                return conflict
    raise SyncError(f"no open conflict {conflict_id!r} (see: qa-tui conflicts)")


def _record(session: Session, actor: Actor, conflict: Conflict, fld: str, value: Any) -> str:
    """Append a change to ``fld`` that supersedes its heads and every head of the record."""
    heads: set[str] = set()
    fields = record_heads(session, conflict.evaluation_id, conflict.entity_id)
    for name, field_heads in fields.items():
        if name == fld or (fld == DELETED and name != CREATE):
            heads.update(h.id for h in field_heads)
    old = fields[fld][-1] if fields.get(fld) else None
    where = (conflict.entity_type, conflict.entity_id, conflict.evaluation_id, fld)
    change = append_change(session, actor, where, value, heads, old.value if old else None)
    session.flush()
    recompute_field(session, conflict.entity_id, fld)
    if conflict.entity_type in TRACKED_TYPES:
        refresh_actions(session, [conflict.evaluation_id])
    return change.id


def resolve_conflict(
    session: Session,
    actor: Actor,
    conflict_id: str,
    *,
    pick: str | None = None,
    value: Any = _UNSET,
) -> str:
    """Settle a conflict: ``pick`` a side's change id, or give a merged ``value`` (JSON form).

    For a ``delete`` conflict, picking the deletion keeps the record deleted and picking the
    edit restores the record (with that edit). Returns the id of the resolving change.
    """
    conflict = _find(session, conflict_id)
    chosen = next((s for s in conflict.sides if s.change_id == pick), None)
    if pick is not None and chosen is None:
        raise SyncError(f"{pick!r} is not one of the sides of conflict {conflict_id}")
    if (pick is None) == (value is _UNSET):
        raise SyncError("resolve a conflict by picking one side or giving a merged value")
    if conflict.kind == "delete":
        if chosen is None:
            raise SyncError("a deletion conflict is resolved by picking a side, not a value")
        return _record(session, actor, conflict, DELETED, chosen.field == DELETED)
    new_value = chosen.value if chosen is not None else value
    try:
        check_value(
            conflict.entity_type,
            conflict.field,
            new_value,
            conflict.evaluation_id,
            conflict.entity_id,
        )
    except InvalidRecord as exc:
        raise SyncError(f"merged value refused: {exc}") from None
    if conflict.entity_type not in ENTITY_TYPES:
        raise SyncError(f"unknown record type {conflict.entity_type}")
    return _record(session, actor, conflict, conflict.field, new_value)
