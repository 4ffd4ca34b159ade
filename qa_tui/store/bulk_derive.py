"""The current state of new records, derived in memory from their changes (for
:mod:`qa_tui.store.bulk`): the same rules as :mod:`qa_tui.store.history` (heads, provisional
winner, conflict), so the rows are exactly what applying the changes one by one would give.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import ColumnDefault, Table

from qa_tui.store import models
from qa_tui.store.change_log import Link
from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES, PLAIN, EntityType
from qa_tui.store.history import STATE_FIELDS, heads_disagree
from qa_tui.store.json_scan import loads_whole


def model_table(model: type[models.Base]) -> Table:
    return cast(Table, model.__table__)


def _defaults(model: type[models.Base]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in model_table(model).columns:
        default = column.default
        out[column.key] = None  # no default, or one computed when the row is made
        if isinstance(default, ColumnDefault) and default.is_scalar:
            out[column.key] = default.arg
    return out


_ROW_DEFAULTS = {name: _defaults(e.model) for name, e in ENTITY_TYPES.items()}
# The record types whose tables keep ``updated_at`` (models.Provenance).
_UPDATED = frozenset(name for name, row in _ROW_DEFAULTS.items() if "updated_at" in row)


def _order_key(change: dict[str, Any]) -> tuple[int, str, str]:
    return (change["counter"], change["device_id"], change["id"])


def _group(
    changes: list[dict[str, Any]],
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for change in changes:
        key = (change["entity_id"], change["field"])
        group = groups.get(key)
        if group is None:
            groups[key] = [change]
        else:
            group.append(change)
    return groups


def _heads(
    group: list[dict[str, Any]], superseded_by: dict[tuple[str, str], set[str]]
) -> list[dict[str, Any]]:
    """The changes of one field that no other change of it supersedes, in winner order."""
    if len(group) == 1:
        return group
    ids = {c["id"] for c in group}
    aggregate = group[0]["evaluation_id"]
    return sorted(
        (c for c in group if not (superseded_by.get((aggregate, c["id"]), set()) & ids)),
        key=_order_key,
    )


_CONSTANTS = {"true": True, "false": False, "null": None}
_UNPARSED = object()


def _loads(text: str) -> Any:
    # Most values are plain strings: with no escapes and no inner quote, the JSON of a string is
    # exactly the text in quotes; then flags and nothing; then an object the scanner reads
    # whole from its first character (anything else goes to the real parser, which checks it).
    inner = text[1:-1]
    if len(text) > 1 and text[0] == text[-1] == '"' and "\\" not in inner and '"' not in inner:
        return inner
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if text[:1] == "{":  # a creation's object (a quarter of a million in a big merge)
        return loads_whole(text)
    return json.loads(text)


def _state_row(
    entity_id: str, field: str, type_name: str, heads: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ``field_states`` row of one field: its heads and provisional winner (the last).

    ``heads`` is stored only when there are several (see :class:`models.FieldState`).
    """
    return {
        "entity_id": entity_id,
        "field": field,
        "entity_type": type_name,
        "evaluation_id": heads[-1]["evaluation_id"],
        "heads": None if len(heads) == 1 else models.heads_json([h["id"] for h in heads]),
        "winner_id": heads[-1]["id"],
        "conflict": len(heads) > 1 and heads_disagree(h["value"] for h in heads),
    }


class SharedRecordId(ValueError):
    """Changes that make two records of one id: in two aggregates, or of two types."""

    def __init__(self, entity_id: str) -> None:
        super().__init__(f"record id {entity_id} is used by two records")
        self.entity_id = entity_id


def derive_rows(
    changes: list[dict[str, Any]], links: Iterable[Link]
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Typed rows (per entity type) and field-state rows for new records, from their changes
    (a field state for each record's creation and deletion and each field with several
    heads: :func:`qa_tui.store.history.keeps_state`). :class:`SharedRecordId` if two of the
    records share an id (two aggregates each checked alone can: every record has a creation,
    so its creations say it)."""
    superseded_by: dict[tuple[str, str], set[str]] = defaultdict(set)
    for evaluation_id, change_id, superseded_id in links:  # a link is its aggregate's
        superseded_by[(evaluation_id, superseded_id)].add(change_id)
    rows: dict[str, tuple[dict[str, Any], EntityType]] = {}
    states: list[dict[str, Any]] = []
    codecs = _CODECS
    for (entity_id, field), group in _group(changes).items():
        # Most fields were set once: one change, its own head (the loop's cost is per change).
        if field == CREATE and len(group) > 1 and _owners(group) > 1:
            raise SharedRecordId(entity_id)
        heads = group if len(group) == 1 else _heads(group, superseded_by)
        winner = heads[-1]
        found = rows.get(entity_id)
        if found is None:
            etype = ENTITY_TYPES[winner["entity_type"]]
            row = dict(_ROW_DEFAULTS[etype.name])
            rows[entity_id] = (row, etype)
        else:
            row, etype = found
            if etype.name != winner["entity_type"]:
                raise SharedRecordId(entity_id)
        if len(heads) > 1 or field in STATE_FIELDS:  # as history.keeps_state
            states.append(_state_row(entity_id, field, etype.name, heads))
        value = winner.get("_value", _UNPARSED)  # a creation parsed when it was checked
        if value is _UNPARSED:
            value = _loads(winner["value"])
        if field == CREATE:
            row.update({name: value[name] for name in etype.create_fields})
            row.update(
                models.provenance(
                    etype.model, winner["author"], winner["device_id"], winner["wall_time"]
                ),
                id=entity_id,
            )
        elif field == DELETED:
            row["deleted"] = value
        else:
            key = (etype.name, field)
            to_column = codecs[key] if key in codecs else _to_column(etype, field)
            row[field] = value if to_column is None else to_column(value)
        if etype.name in _UPDATED:  # the tables that keep it (models.Provenance)
            latest = winner["wall_time"] if len(group) == 1 else max(c["wall_time"] for c in group)
            if row["updated_at"] is None or latest > row["updated_at"]:
                row["updated_at"] = latest
    missing = [entity_id for entity_id, (row, _) in rows.items() if row.get("id") is None]
    if missing:
        raise LookupError(f"changes for record {missing[0]} without its creation change")
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row, etype in rows.values():
        by_type[etype.name].append(row)
    return by_type, states


def _owners(group: list[dict[str, Any]]) -> int:
    """How many records (aggregate and type) the changes of one field are of."""
    return len({(c["evaluation_id"], c["entity_type"]) for c in group})


_CODECS: dict[tuple[str, str], Callable[[Any], Any] | None] = {}


def _to_column(etype: EntityType, field: str) -> Callable[[Any], Any] | None:
    """A field's JSON-to-column conversion; None where it is the value itself."""
    key = (etype.name, field)
    if key not in _CODECS:
        to_column = etype.codec(field).to_column
        _CODECS[key] = None if to_column is PLAIN.to_column else to_column
    return _CODECS[key]
