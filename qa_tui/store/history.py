"""The append-only change history and the current state derived from it.

A change sets one field of one record. It names the changes it supersedes (the field's heads
when it was made), so the changes of one field form a graph. The field's *heads* are its changes
that no other change of the same field supersedes; one head is a settled value, several heads
are a conflict whose provisional winner is the head with the highest ``(counter, device_id,
id)``. Counters are Lamport clocks kept per database (``meta.clock``), never the wall clock.

Because heads and winners depend only on the *set* of changes, applying the same changes in
any order, or twice, gives the same state: the merge in :mod:`qa_tui.sync` builds on this.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, func, select
from sqlalchemy.orm import Session

from qa_tui.clock import Clock, stamp, utc_now
from qa_tui.ids import new_id
from qa_tui.store import models
from qa_tui.store.change_log import Link
from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES, entity_type
from qa_tui.store.handed_over import amend_mark


@dataclass(frozen=True)
class Actor:
    """Who makes changes, on which device, with which clock (injectable for tests)."""

    author: str
    device_id: str
    now: Clock = utc_now

    def timestamp(self) -> str:
        return stamp(self.now())


# One encoder for every call: json.dumps with options builds a new encoder each time, which
# dominated the cost of writing many changes (demo data, merges).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Canonical JSON: the same value always gives the same text."""
    return _CANONICAL.encode(value)


def heads_disagree(values: Iterable[str]) -> bool:
    """Whether a field's heads (their canonical JSON values) are a conflict to resolve.

    Independent changes that set the same value lose nothing: several heads, no conflict.
    """
    return len(set(values)) > 1


def change_order_key(change: models.Change) -> tuple[int, str, str]:
    """Provisional winner order among concurrent heads: counter, then device id, then id."""
    return (change.counter, change.device_id, change.id)


# --- the Lamport clock --------------------------------------------------------------------


def read_clock(session: Session) -> int:
    row = session.get(models.Meta, "clock")
    return int(row.value) if row else 0


def advance_clock(session: Session, at_least: int) -> int:
    """Move the clock forward to ``at_least`` (never back); returns the clock."""
    row = session.get(models.Meta, "clock")
    if row is None:
        row = models.Meta(key="clock", value="0")
        session.add(row)
    value = max(int(row.value), at_least)
    row.value = str(value)
    return value


def tick(session: Session) -> int:
    """The next counter for a local change."""
    return advance_clock(session, read_clock(session) + 1)


def winner_of(session: Session, state: models.FieldState) -> models.Change | None:
    """A field's provisional winner, found by its whole key (aggregate, record, field, id):
    the change log has no index on the id alone."""
    key = {
        "evaluation_id": state.evaluation_id,
        "entity_id": state.entity_id,
        "field": state.field,
        "id": state.winner_id,
    }
    return session.get(models.Change, key)


def changes_of_field(state: models.FieldState) -> tuple[Any, ...]:
    """The conditions that find a field's changes through the change log's key."""
    c = models.Change
    return (
        c.evaluation_id == state.evaluation_id,
        c.entity_id == state.entity_id,
        c.field == state.field,
    )


# --- recording local changes --------------------------------------------------------------


def heads_of(changes: Sequence[models.Change]) -> list[models.Change]:
    """A field's heads among all its changes, in winner order (the provisional winner last):
    the changes no other change of the same field supersedes (a deletion's links to other
    fields do not count). Empty if the field was never set."""
    if len(changes) <= 1:
        return list(changes)
    ids = {c.id for c in changes}
    superseded = {s for c in changes for s in json.loads(c.supersedes) if s in ids}
    return sorted((c for c in changes if c.id not in superseded), key=change_order_key)


def field_heads(
    session: Session, evaluation_id: str, entity_id: str, field: str
) -> list[models.Change]:
    """One field's heads (winner last) from its changes, read through the change log's key.

    Most fields have no ``field_states`` row (see :class:`models.FieldState`): their one head
    is derived here, from the field's few changes, which the key keeps side by side."""
    c = models.Change
    return heads_of(
        list(
            session.scalars(
                select(c).where(
                    c.evaluation_id == evaluation_id, c.entity_id == entity_id, c.field == field
                )
            )
        )
    )


def record_heads(
    session: Session, evaluation_id: str, entity_id: str
) -> dict[str, list[models.Change]]:
    """Every field of one record with its heads (winner last), from the record's changes."""
    c = models.Change
    by_field: dict[str, list[models.Change]] = {}
    query = select(c).where(c.evaluation_id == evaluation_id, c.entity_id == entity_id)
    for change in session.scalars(query):
        by_field.setdefault(change.field, []).append(change)
    return {fld: heads_of(changes) for fld, changes in sorted(by_field.items())}


def record_change(
    session: Session,
    actor: Actor,
    entity_type_name: str,
    entity_id: str,
    evaluation_id: str,
    field: str,
    value: Any,
) -> models.Change | None:
    """Append a local change setting ``field`` to ``value`` and apply it to the state.

    The new change supersedes every current head of the field, so a local edit also settles a
    conflict the user could see. Setting a field to the value it already has records nothing.
    When the field's value is this author's own change on this device that has not been handed
    over yet, that change is amended instead (a new value, counter and time; the same id), so a
    text autosaved at every pause leaves one change per hand-over, not one per pause.
    """
    heads = field_heads(session, evaluation_id, entity_id, field)
    old: Any = None
    if heads:
        old = json.loads(heads[-1].value)
        if old == value and not heads_disagree(h.value for h in heads):
            return None
        unsent = _unsent_own_change(session, actor, entity_type_name, field, heads)
        if unsent is not None:  # amended in place: it has not left this database
            unsent.value = dumps(value)
            unsent.counter = tick(session)
            unsent.wall_time = actor.timestamp()
            apply_value(session, unsent, value)
            return unsent
    change = append_change(
        session,
        actor,
        (entity_type_name, entity_id, evaluation_id, field),
        value,
        [h.id for h in heads],
        dumps(old) if heads else None,
    )
    store_state(session, change.entity_id, field, [change])
    apply_value(session, change, value)
    return change


def _unsent_own_change(
    session: Session,
    actor: Actor,
    type_name: str,
    field: str,
    heads: list[models.Change],
) -> models.Change | None:
    """The field's winner if the next save may amend it: the field's only head, a free-text
    field (the ones autosaved as they are typed: evidence, entries, notes; a grade, a date or a
    flag keeps one change a save), made here by the same author, superseded by nothing (not
    even a deletion) and not handed over (:mod:`qa_tui.store.handed_over`: newer than the mark,
    no hand-over running)."""
    if len(heads) != 1 or not _free_text(type_name, field):
        return None
    change = heads[0]
    if (
        change.author != actor.author
        or change.device_id != actor.device_id
        or change.source_id is not None  # brought here by a bundle or a sync
    ):
        return None
    later = select(models.ChangeLink.change_id).where(
        models.ChangeLink.evaluation_id == change.evaluation_id,
        models.ChangeLink.supersedes_id == change.id,
    )
    if session.scalar(later.limit(1)) is not None:
        return None
    mark = amend_mark(session)
    return change if mark is not None and change.counter > mark else None


def _free_text(type_name: str, field: str) -> bool:
    column = entity_type(type_name).model.__table__.columns.get(field)
    return column is not None and isinstance(column.type, Text)


def append_change(
    session: Session,
    actor: Actor,
    where: tuple[str, str, str, str],
    value: Any,
    supersedes: Iterable[str],
    old_value: str | None,
) -> models.Change:
    """Add one change (``where`` = record type, record id, evaluation id, field) by ``actor``,
    superseding ``supersedes``, with its links; the caller settles the field's state."""
    entity_type_name, entity_id, evaluation_id, field = where
    heads = sorted(supersedes)
    change = models.Change(
        id=new_id(),
        entity_type=entity_type_name,
        entity_id=entity_id,
        evaluation_id=evaluation_id,
        field=field,
        value=dumps(value),
        old_value=old_value,
        supersedes=dumps(heads),
        author=actor.author,
        device_id=actor.device_id,
        counter=tick(session),
        wall_time=actor.timestamp(),
    )
    session.add(change)
    session.add_all(
        models.ChangeLink(evaluation_id=evaluation_id, change_id=change.id, supersedes_id=h)
        for h in heads
    )
    return change


# --- applying changes to the current state ------------------------------------------------


def apply_value(session: Session, change: models.Change, value: Any) -> None:
    """Write one winning change's value into the typed current-state tables."""
    etype = entity_type(change.entity_type)
    row = session.get(etype.model, change.entity_id)
    if change.field == CREATE:
        if row is None:
            fixed = {name: value[name] for name in etype.create_fields}
            made = models.provenance(etype.model, change.author, change.device_id, change.wall_time)
            row = etype.model(id=change.entity_id, deleted=False, **made, **fixed)
            session.add(row)
            session.flush()
        return
    if row is None:
        raise LookupError(f"{change.entity_type} {change.entity_id} has no creation change")
    column = "deleted" if change.field == DELETED else change.field
    setattr(row, column, etype.codec(change.field).to_column(value))
    models.touch(row, change.wall_time)


# A field's state is looked up unless the caller read it already (``None``: it has none).
_LOOK_UP: Any = object()
# The fields whose state is kept whatever their heads (see keeps_state).
STATE_FIELDS = frozenset((CREATE, DELETED))


def keeps_state(field: str, heads: Sequence[models.Change]) -> bool:
    """Whether a field has a ``field_states`` row: a record's creation and deletion always
    (the record's aggregate and id, its deletion conflicts), any other field only while it has
    several heads (see :class:`models.FieldState`)."""
    return len(heads) > 1 or field in STATE_FIELDS


def store_state(
    session: Session,
    entity_id: str,
    field: str,
    heads: Sequence[models.Change],
    state: models.FieldState | None = _LOOK_UP,
) -> None:
    """Store a field's heads (winner last) and conflict flag, or drop its row when one head is
    all there is to say (:func:`keeps_state`)."""
    if state is _LOOK_UP:
        state = session.get(models.FieldState, (entity_id, field))
    if not keeps_state(field, heads):
        if state is not None:
            session.delete(state)
        return
    winner = heads[-1]
    if state is None:
        state = models.FieldState(
            entity_id=entity_id,
            field=field,
            entity_type=winner.entity_type,
            evaluation_id=winner.evaluation_id,
        )
        session.add(state)
    state.set_heads([h.id for h in heads], winner.id)
    state.conflict = heads_disagree(h.value for h in heads)


def settle_field(
    session: Session,
    entity_id: str,
    field: str,
    changes: Sequence[models.Change],
    superseded: set[str],
    state: models.FieldState | None = _LOOK_UP,
) -> models.Change:
    """Store a field's heads, provisional winner and conflict flag; return the winner.

    ``changes`` are all the field's changes and ``superseded`` the ids among them that another
    change of the same field supersedes (a deletion's links to other fields do not count);
    ``state`` the field's row if the caller read it (``None``: it has none).
    Used by :func:`recompute_field` and by the merge, which loads changes in batches.
    """
    heads = sorted((c for c in changes if c.id not in superseded), key=change_order_key)
    store_state(session, entity_id, field, heads, state)
    return heads[-1]


def aggregate_of(session: Session, entity_id: str) -> str | None:
    """The aggregate (``evaluation_id``) a record's changes are in, from its creation's state."""
    state = session.get(models.FieldState, (entity_id, CREATE))
    return state.evaluation_id if state is not None else None


def field_changes(session: Session, entity_id: str, field: str) -> list[models.Change]:
    """Every change of one field of one record, found through the aggregate's index."""
    return list(
        session.scalars(
            select(models.Change).where(
                models.Change.evaluation_id == aggregate_of(session, entity_id),
                models.Change.entity_id == entity_id,
                models.Change.field == field,
            )
        )
    )


def recompute_field(session: Session, entity_id: str, field: str) -> models.Change | None:
    """Derive a field's heads, winner and conflict flag from all its changes, and apply the
    winner (returned; ``None`` if the field has no change)."""
    changes = field_changes(session, entity_id, field)
    if not changes:
        return None
    ids = {c.id for c in changes}
    superseded = set(
        session.scalars(
            select(models.ChangeLink.supersedes_id).where(
                models.ChangeLink.evaluation_id == changes[0].evaluation_id,
                models.ChangeLink.change_id.in_(ids),
                models.ChangeLink.supersedes_id.in_(ids),
            )
        )
    )
    winner = settle_field(session, entity_id, field, changes, superseded)
    apply_value(session, winner, json.loads(winner.value))
    model = entity_type(winner.entity_type).model
    row = session.get(model, entity_id) if models.keeps_updated_at(model) else None
    if row is not None:
        models.touch(row, max(c.wall_time for c in changes))
    return winner


# --- rebuilding and checking --------------------------------------------------------------


# A record's state by (entity type, id): its columns, named as in the typed tables.
State = dict[tuple[str, str], dict[str, Any]]


def _fields_of(
    changes: Iterable[models.Change], links: Iterable[Link]
) -> dict[tuple[str, str], tuple[list[models.Change], list[models.Change]]]:
    """Every field of the history, ``(record id, field)`` → (its changes, its heads in winner
    order): the heads are the changes no other change of the same field supersedes (a link
    is its aggregate's: :class:`~qa_tui.store.change_log.ChangeLink`)."""
    by_key: dict[tuple[str, str], list[models.Change]] = {}
    for change in changes:
        by_key.setdefault((change.entity_id, change.field), []).append(change)
    superseding: dict[tuple[str, str], set[str]] = {}
    for evaluation_id, change_id, superseded_id in links:
        superseding.setdefault((evaluation_id, superseded_id), set()).add(change_id)
    fields = {}
    for key, group in by_key.items():
        ids = {c.id for c in group}
        heads = [c for c in group if not (superseding.get((c.evaluation_id, c.id), set()) & ids)]
        fields[key] = (group, sorted(heads, key=change_order_key))
    return fields


def derive_state(changes: Iterable[models.Change], links: Iterable[Link]) -> State:
    """Compute the current state of every record from the history alone (no typed tables).

    Returns ``{(entity_type, entity_id): {column: value}}``, the columns named as in the typed
    tables; used to prove that the stored state is exactly what the history says.
    """
    state: State = {}
    latest: dict[str, str] = {}
    for (entity_id, field), (group, heads) in _fields_of(changes, links).items():
        winner = heads[-1]
        etype = ENTITY_TYPES[winner.entity_type]
        record = state.setdefault((etype.name, entity_id), {})
        latest[entity_id] = max([latest.get(entity_id, ""), *(c.wall_time for c in group)])
        value = json.loads(winner.value)
        if field == CREATE:
            record.update({name: value[name] for name in etype.create_fields})
            made = models.provenance(etype.model, winner.author, winner.device_id, winner.wall_time)
            made.pop("updated_at", None)  # the record's latest change's (below)
            record.update(made)
        elif field == DELETED:
            record["deleted"] = bool(value)
        else:
            record[field] = etype.codec(field).to_column(value)
    for (type_name, entity_id), record in state.items():
        if models.keeps_updated_at(ENTITY_TYPES[type_name].model):
            record["updated_at"] = latest[entity_id]
    return state


def stored_state(session: Session) -> State:
    """The typed tables' contents in the same shape as :func:`derive_state` returns."""
    result: State = {}
    for etype in ENTITY_TYPES.values():
        for row in session.scalars(select(etype.model)):
            result[(etype.name, row.id)] = {
                c.key: getattr(row, c.key) for c in etype.model.__table__.columns if c.key != "id"
            }
    return result


def check_consistency(session: Session) -> list[str]:
    """Differences between the stored state and the state derived from history (empty: none)."""
    orphans = writer_problems(session)
    if orphans:  # the history cannot be read whole: its authors are missing
        return orphans
    changes = session.scalars(select(models.Change)).all()
    link = models.ChangeLink
    links: list[Link] = [
        (e, a, b)
        for e, a, b in session.execute(
            select(link.evaluation_id, link.change_id, link.supersedes_id)
        )
    ]
    derived = derive_state(changes, links)
    stored = stored_state(session)
    problems = []
    for key in sorted(set(derived) | set(stored)):
        want, have = derived.get(key), stored.get(key)
        if want is None or have is None:
            problems.append(f"{key}: {'not derived' if want is None else 'not stored'}")
            continue
        for column, value in want.items():
            if have.get(column) != value:
                problems.append(f"{key}.{column}: stored {have.get(column)!r}, history {value!r}")
    from qa_tui.store.tracking import tracking_problems  # derived from the records above

    return problems + field_state_problems(session, changes, links) + tracking_problems(session)


def writer_problems(session: Session, show: int = 5) -> list[str]:
    """Changes whose writer (author and device, migration 0020) the database does not hold:
    a few named, and how many there are."""
    c, w = models.Change.__table__.c, models.Writer.__table__.c
    orphaned = (
        select(c.id, c.writer_id)
        .select_from(models.Change.__table__)
        .outerjoin(models.Writer.__table__, w.id == c.writer_id)
        .where(w.id.is_(None))
    )
    found = session.execute(orphaned.limit(show)).all()
    if not found:
        return []
    count = session.scalar(select(func.count()).select_from(orphaned.subquery())) or 0
    named = ", ".join(f"{change_id} (writer {number})" for change_id, number in found)
    return [f"{count} changes name a writer the database does not hold: {named}"]


def field_state_problems(
    session: Session, changes: Iterable[models.Change], links: Iterable[Link]
) -> list[str]:
    """Differences between the stored ``field_states`` and what the history says they are:
    a row for each record's creation and deletion and for each field with several heads
    (its heads, winner and conflict flag), and no other row."""
    want: dict[tuple[str, str], tuple[str, str, str, str, bool]] = {}
    for (entity_id, field), (_group, heads) in _fields_of(changes, links).items():
        if keeps_state(field, heads):
            winner = heads[-1]
            want[(entity_id, field)] = (
                winner.entity_type,
                winner.evaluation_id,
                models.heads_json([h.id for h in heads]),
                winner.id,
                heads_disagree(h.value for h in heads),
            )
    have = {
        (s.entity_id, s.field): (s.entity_type, s.evaluation_id, s.heads, s.winner_id, s.conflict)
        for s in session.scalars(select(models.FieldState))
    }
    return [
        f"field state {key}: stored {have.get(key)!r}, history {want.get(key)!r}"
        for key in sorted(set(want) | set(have))
        if want.get(key) != have.get(key)
    ]


def max_counter(session: Session) -> int:
    return session.scalar(select(func.max(models.Change.counter))) or 0
