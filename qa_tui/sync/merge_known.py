"""Merging into evaluations a database already holds some history of (the rest of a merge,
records all new here, goes through the bulk path: :mod:`qa_tui.sync.merge`).

The incoming changes the database has are compared with what it holds: the same id with
different content is a collision and refuses the whole merge (:class:`BundleError`). The new
ones are inserted, with their links, and every field they touch is re-derived from all of that
field's changes (:func:`qa_tui.store.history.settle_field`), in the order records are created;
a record's ``updated_at`` follows its latest change, and the actions of the evaluations touched
get their status again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.bulk_encode import CHANGE_COLUMNS
from qa_tui.store.change_log import Link
from qa_tui.store.entities import CREATE, CREATION_ORDER, DELETED, ENTITY_TYPES
from qa_tui.store.history import settle_field
from qa_tui.store.tracking import refresh_actions, tracked_evaluations
from qa_tui.sync.aggregates import Aggregate
from qa_tui.sync.errors import BundleError
from qa_tui.sync.merge_report import MergeReport
from qa_tui.sync.wire_values import WIRE_FIELDS


def merge_known(session: Session, batch: list[Aggregate], report: MergeReport) -> None:
    """Merge aggregates of evaluations the database already has some history of, in the
    session's transaction (``report`` counts the new changes and what they touched)."""
    ids = [a.evaluation_id for a in batch]
    found = session.execute(_HELD, {"ids": ids}).mappings()
    # A change is its aggregate's (the change log's key): one id may be in two of them.
    held = {(row["evaluation_id"], row["id"]): models.given_change(dict(row)) for row in found}
    new_changes: list[dict[str, Any]] = []
    new_links: list[Link] = []
    touched: list[str] = []  # the root types of the aggregates given new changes
    for aggregate in batch:
        fresh = set()
        for change in aggregate.changes:
            old = held.get((aggregate.evaluation_id, change["id"]))
            if old is None:
                new_changes.append(change)
                fresh.add(change["id"])
            elif any(old[k] != change[k] for k in (*WIRE_FIELDS, "evaluation_id")):
                raise BundleError(
                    f"change {change['id']} collides with a different change already merged; "
                    "refused"
                )
        new_links.extend(link for link in aggregate.keyed_links() if link[1] in fresh)
        if fresh:
            touched.append(aggregate.root_type)
    if not new_changes:
        return
    connection = session.connection()
    writers = models.writer_ids(connection, {(c["author"], c["device_id"]) for c in new_changes})
    sources = models.source_ids(connection, {c["bundle_id"] for c in new_changes})
    rows = []
    for change in new_changes:
        row = {k: change.get(k) for k in CHANGE_COLUMNS}
        row["writer_id"] = writers[(change["author"], change["device_id"])]
        row["source_id"] = sources[change["bundle_id"]]
        row["value"] = models.kept_value(
            change["entity_type"], change["field"], change["evaluation_id"], change["value"]
        )
        rows.append(row)
    connection.execute(insert(models.Change), rows)
    if new_links:
        connection.execute(
            insert(models.ChangeLink),
            [{"evaluation_id": e, "change_id": a, "supersedes_id": b} for e, a, b in new_links],
        )
    report.new_changes += len(new_changes)
    for root_type in touched:
        report.touch(root_type)
    _rederive(session, ids, new_changes)
    refresh_actions(session, tracked_evaluations(new_changes))


def _held_query() -> Any:
    """The changes of some aggregates (their ids: the parameter ``ids``) as the wire has them
    (with their writers' author and device, joined), and their aggregate's id. Built once:
    a statement built for every batch is left in a cycle holding its ids, which a big merge's
    paused collector (:func:`~qa_tui.sync.merge.cycles_paused`) frees only at its end."""
    c, w = models.Change.__table__.c, models.Writer.__table__.c
    columns = [
        w[k] if k in ("author", "device_id") else c[k] for k in (*WIRE_FIELDS, "evaluation_id")
    ]
    return (
        select(*columns)
        .join_from(models.Change, models.Writer, w.id == c.writer_id, isouter=True)
        .where(c.evaluation_id.in_(bindparam("ids", expanding=True)))
    )


_HELD = _held_query()


def _rederive(session: Session, evaluation_ids: list[str], new: list[dict[str, Any]]) -> None:
    """Re-derive every field the new changes touch, from all that field's changes."""
    touched = {(c["entity_id"], c["field"]) for c in new}
    entities = {c["entity_id"] for c in new}
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    rows = session.execute(
        select(models.Change).where(
            models.Change.evaluation_id.in_(evaluation_ids),
            models.Change.entity_id.in_(entities),
        )
    ).scalars()
    for change in rows:
        if (change.entity_id, change.field) in touched:
            groups[(change.entity_id, change.field)].append(change)
    all_ids = [c.id for group in groups.values() for c in group]
    links: set[Link] = set()
    link = models.ChangeLink
    for start in range(0, len(all_ids), 5000):
        links.update(
            session.execute(
                select(link.evaluation_id, link.change_id, link.supersedes_id).where(
                    link.evaluation_id.in_(evaluation_ids),
                    link.change_id.in_(all_ids[start : start + 5000]),
                )
            )
        )
    rank = {name: i for i, name in enumerate(CREATION_ORDER)}
    order = sorted(
        groups,
        key=lambda k: (rank[groups[k][0].entity_type], k[0], k[1] != CREATE, k[1]),
    )
    held = _preload(session, groups)  # referenced while they are used (a weak identity map)
    states = {(s.entity_id, s.field): s for s in held if isinstance(s, models.FieldState)}
    with session.no_autoflush:  # each field's gets find what they need in the session
        for key in order:
            _apply_field(session, key, groups[key], links, states.get(key))
        latest: dict[str, tuple[str, str]] = {}  # entity id -> (latest wall time, its type)
        for item in new:
            when = max(latest.get(item["entity_id"], ("", ""))[0], item["wall_time"])
            latest[item["entity_id"]] = (when, item["entity_type"])
        for entity_id, (when, type_name) in latest.items():
            etype = ENTITY_TYPES[type_name]
            if not models.keeps_updated_at(etype.model):
                continue
            row = session.get(etype.model, entity_id)
            if row is not None:
                models.touch(row, when)
    del held


def _preload(session: Session, groups: dict[tuple[str, str], list[Any]]) -> list[Any]:
    """The field states and records of the touched records, read in a few queries: each
    field's ``session.get`` then finds them in the session, instead of a query and an
    autoflush each (most of a small merge's time into evaluations the database holds); a
    field of these records with no state read here has none."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for (entity_id, _fld), group in groups.items():
        by_type[group[0].entity_type].add(entity_id)
    entities = sorted({entity_id for entity_id, _fld in groups})
    held: list[Any] = []
    for start in range(0, len(entities), 5000):
        chunk = entities[start : start + 5000]
        held.extend(
            session.scalars(select(models.FieldState).where(models.FieldState.entity_id.in_(chunk)))
        )
    for type_name, ids in by_type.items():
        model = ENTITY_TYPES[type_name].model
        ordered = sorted(ids)
        for start in range(0, len(ordered), 5000):
            chunk = ordered[start : start + 5000]
            held.extend(session.scalars(select(model).where(model.id.in_(chunk))))
    return held


def _apply_field(
    session: Session,
    key: tuple[str, str],
    group: list[Any],
    links: set[Link],
    state: models.FieldState | None,
) -> None:
    entity_id, fld = key
    owners = {(c.evaluation_id, c.entity_type) for c in group}
    if state is not None:
        owners.add((state.evaluation_id, state.entity_type))
    if len(owners) > 1:  # one id for records of two aggregates, or of two types
        raise BundleError(f"record id {entity_id} is already used by another record; refused")
    ids = {c.id for c in group}
    # Only links within the field count: a deletion also names other fields' heads it saw.
    aggregate = group[0].evaluation_id  # links are their aggregate's (ChangeLink)
    in_field = {b for e, a, b in links if e == aggregate and a in ids and b in ids}
    winner = settle_field(session, entity_id, fld, group, in_field, state)
    etype = ENTITY_TYPES[winner.entity_type]
    value = json.loads(winner.value)
    row = session.get(etype.model, entity_id)
    if row is not None and etype.aggregate_of(row) != winner.evaluation_id:
        raise BundleError(f"record id {entity_id} is already used in another evaluation; refused")
    if fld == CREATE:
        made = models.provenance(etype.model, winner.author, winner.device_id, winner.wall_time)
        if row is None:
            row = etype.model(
                id=entity_id, deleted=False, **{name: value[name] for name in etype.create_fields}
            )
            session.add(row)
        else:
            made.pop("updated_at", None)  # the record's latest change's
        for name, made_value in made.items():
            setattr(row, name, made_value)
        session.flush()
        return
    if row is None:
        raise BundleError(f"{etype.name} {entity_id} has changes but no creation; refused")
    column = "deleted" if fld == DELETED else fld
    setattr(row, column, etype.codec(fld).to_column(value))
