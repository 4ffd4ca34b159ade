"""Writing many new records at once: the fast path for demo data and for merging bundles.

:func:`insert_new` takes changes (as plain dicts) for records the database does not hold yet,
inserts them with ``executemany``, and derives the current state in memory with the same rules
as :mod:`qa_tui.store.history` (heads, provisional winner, conflict), so the result is exactly
what applying the changes one by one would give.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES, EntityType
from qa_tui.store.history import dumps

CHANGE_COLUMNS = tuple(c.key for c in models.Change.__table__.columns)


def _defaults(model: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in model.__table__.columns:
        default = column.default
        out[column.key] = default.arg if default is not None and default.is_scalar else None
    return out


_ROW_DEFAULTS = {name: _defaults(e.model) for name, e in ENTITY_TYPES.items()}


def _order_key(change: dict[str, Any]) -> tuple[int, str, str]:
    return (change["counter"], change["device_id"], change["id"])


def derive_rows(
    changes: list[dict[str, Any]], links: Iterable[tuple[str, str]]
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Typed rows (per entity type) and field-state rows for new records, from their changes."""
    superseded_by: dict[str, set[str]] = defaultdict(set)
    for change_id, superseded_id in links:
        superseded_by[superseded_id].add(change_id)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        groups[(change["entity_id"], change["field"])].append(change)
    rows: dict[str, dict[str, Any]] = {}
    types: dict[str, EntityType] = {}
    states: list[dict[str, Any]] = []
    pending: list[tuple[str, str, Any]] = []
    for (entity_id, field), group in groups.items():
        ids = {c["id"] for c in group}
        heads = sorted((c for c in group if not (superseded_by.get(c["id"], set()) & ids)), key=_order_key)
        winner = heads[-1]
        etype = ENTITY_TYPES[winner["entity_type"]]
        types[entity_id] = etype
        latest = max(c["wall_time"] for c in group)
        states.append(
            {
                "entity_id": entity_id,
                "field": field,
                "entity_type": etype.name,
                "evaluation_id": winner["evaluation_id"],
                "heads": dumps(sorted(h["id"] for h in heads)),
                "winner_id": winner["id"],
                "conflict": len(heads) > 1,
            }
        )
        value = json.loads(winner["value"])
        if field == CREATE:
            row = rows.setdefault(entity_id, dict(_ROW_DEFAULTS[etype.name]))
            row.update({name: value[name] for name in etype.create_fields})
            row.update(
                id=entity_id,
                created_by=winner["author"],
                created_device=winner["device_id"],
                created_at=winner["wall_time"],
                deleted=row.get("deleted") or False,
            )
        else:
            pending.append((entity_id, field, value))
        row = rows.setdefault(entity_id, dict(_ROW_DEFAULTS[etype.name]))
        row["updated_at"] = max(row.get("updated_at") or "", latest)
    for entity_id, field, value in pending:
        etype = types[entity_id]
        column = "deleted" if field == DELETED else field
        rows[entity_id][column] = etype.codec(field).to_column(value)
    missing = [eid for eid, row in rows.items() if row.get("created_at") is None]
    if missing:
        raise LookupError(f"changes for record {missing[0]} without its creation change")
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entity_id, row in rows.items():
        by_type[types[entity_id].name].append(row)
    return by_type, states


def insert_new(
    session: Session, changes: list[dict[str, Any]], links: list[tuple[str, str]]
) -> None:
    """Insert changes, their links and the derived state of records that are all new here."""
    if not changes:
        return
    connection = session.connection()
    connection.execute(
        insert(models.Change), [{k: c.get(k) for k in CHANGE_COLUMNS} for c in changes]
    )
    if links:
        connection.execute(
            insert(models.ChangeLink), [{"change_id": a, "supersedes_id": b} for a, b in links]
        )
    by_type, states = derive_rows(changes, links)
    for name, etype in ENTITY_TYPES.items():
        if by_type.get(name):
            connection.execute(insert(etype.model), by_type[name])
    connection.execute(insert(models.FieldState), states)
