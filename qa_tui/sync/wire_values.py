"""What a change on the wire may hold: its fields, its value (by record type and field), and
an aggregate's rows checked a column at a time.

Every change a bundle or a sync carries is checked here before anything is written
(:func:`check_change`, or :func:`checked_columns` for a whole aggregate's rows at once,
exactly as strict); :mod:`qa_tui.sync.aggregates` checks that an aggregate is whole.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import deque
from typing import Any

from sqlalchemy import Boolean, Date, Float, Integer, String

from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES, ROOT_TYPES
from qa_tui.store.json_scan import loads_whole

WIRE_FIELDS = (
    "id",
    "entity_type",
    "entity_id",
    "field",
    "value",
    "old_value",
    "supersedes",
    "author",
    "device_id",
    "counter",
    "wall_time",
)
MAX_COUNTER = 2**31 - 1  # an INTEGER column on PostgreSQL
_CONSTANTS = {"true": True, "false": False, "null": None}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# A wall time as qa-tui writes it (``qa_tui.clock.stamp``): the change log keeps it as a number
# and gives this text back (``qa_tui.store.codes.WallTime``), so no other form is taken.
_WALL = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00"
_WALL_TIMES = re.compile(rf"(?:{_WALL}\n)*{_WALL}\Z", re.ASCII)  # a column's, one per line


class InvalidRecord(ValueError):
    """A change or aggregate that breaks the rules; the message says which and why."""


def is_id(value: Any) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def _all_wall_times(walls: tuple[str, ...]) -> bool:
    """Whether every one of a column of texts is a wall time as qa-tui writes it (see
    :func:`_is_wall_time`): the form checked by one match over the column's lines (a text
    holding a line end fails ``fromisoformat``), each date and time read in C."""
    if _WALL_TIMES.match("\n".join(walls)) is None:
        return False
    try:
        deque(map(dt.datetime.fromisoformat, walls), maxlen=0)
    except ValueError:
        return False
    return True


def _is_wall_time(value: Any) -> bool:
    """Whether ``value`` is a wall time as qa-tui writes it: UTC to the millisecond, a real
    date and time (``2026-02-30`` has the form but is not one)."""
    return isinstance(value, str) and _all_wall_times((value,))


# --- what a field's JSON value may be -------------------------------------------------------


def _checker(column: Any) -> Any:
    kind = column.type
    if isinstance(kind, Boolean):
        return lambda v: v is None or isinstance(v, bool)
    if isinstance(kind, Integer):
        return lambda v: v is None or _whole_number(v)
    if isinstance(kind, Float) or column.key == "position":
        return lambda v: _whole_number(v) or (type(v) is float and math.isfinite(v))
    if isinstance(kind, Date):
        return _date_ok
    if isinstance(kind, String) and kind.length:
        limit = kind.length
        return lambda v: isinstance(v, str) and len(v) <= limit
    return lambda v: isinstance(v, str)


def _whole_number(value: Any) -> bool:
    """An integer a database column holds (64 bits): JSON's are unbounded, and a bigger one
    failed the merge's write with a traceback, not a refusal."""
    return isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < 1 << 63


def _date_ok(value: Any) -> bool:
    if value is None or value == "":
        return True
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


_CHECKS: dict[str, dict[str, Any]] = {
    name: {c.key: _checker(c) for c in e.model.__table__.columns}
    for name, e in ENTITY_TYPES.items()
}
# Record ids fixed at creation that must be well-formed ids (the root's id is checked apart).
for _name, _column in (
    ("session_moderator", "session_id"),
    ("blind_grade", "moderator_id"),
    ("blind_grade", "target_evaluation_id"),
    ("plan_member", "plan_id"),
    ("allocation", "plan_id"),
    ("board_action_update", "action_id"),
):
    _CHECKS[_name][_column] = is_id
# A field's check by (record type, field), for the fields :func:`check_value` checks by
# their column alone (not a creation's, not a deletion's).
_FIELD_CHECKS: dict[tuple[str, str], Any] = {
    (name, fld): _CHECKS[name][fld]
    for name, e in ENTITY_TYPES.items()
    for fld in e.fields
    if fld not in (CREATE, DELETED) and fld in _CHECKS[name]
}


def check_value(etype_name: str, fld: str, value: Any, aggregate_id: str, entity_id: str) -> None:
    etype = ENTITY_TYPES[etype_name]
    checks = _CHECKS[etype_name]
    if fld == CREATE:
        if not isinstance(value, dict) or set(value) != set(etype.create_fields):
            raise InvalidRecord(
                f"{etype_name} {entity_id}: creation must carry exactly "
                f"{', '.join(etype.create_fields)}"
            )
        for name, item in value.items():
            if not checks[name](item):
                raise InvalidRecord(f"{etype_name} {entity_id}: bad {name} at creation")
        if not etype.is_root and value[etype.parent_key] != aggregate_id:
            owner = etype.root.replace("_", " ")
            raise InvalidRecord(f"{etype_name} {entity_id}: belongs to another {owner}")
    elif fld == DELETED:
        if not isinstance(value, bool):
            raise InvalidRecord(f"{etype_name} {entity_id}: deletion flag must be true or false")
    elif fld not in etype.fields or not checks[fld](value):
        raise InvalidRecord(f"{etype_name} {entity_id}: bad value for field {fld!r}")


# --- one change --------------------------------------------------------------------------


def _json(text: str) -> Any:
    """``json.loads(text)``, faster for the commonest texts a change holds: a plain string
    (no escape, no quote, no control character: its JSON is the text in quotes), an empty
    list, a flag or nothing, and a list of one id (a change superseding one head). Anything
    else, and anything these tests do not fully settle, goes to the real parser."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        inner = text[1:-1]
        if "\\" not in inner and '"' not in inner and inner.isprintable():
            return inner
    elif text == "[]":
        return []
    elif text in _CONSTANTS:
        return _CONSTANTS[text]
    elif len(text) == 40 and text.startswith('["') and text.endswith('"]') and is_id(text[2:38]):
        return [text[2:38]]
    return loads_whole(text)


def change_from_wire(row: Any, evaluation_id: str) -> dict[str, Any]:
    """A validated change dict from its wire list (InvalidRecord if anything is wrong)."""
    if not isinstance(row, list) or len(row) != len(WIRE_FIELDS):
        raise InvalidRecord("change is not a list of the expected fields")
    change = dict(zip(WIRE_FIELDS, row, strict=True))
    change["evaluation_id"] = evaluation_id
    return check_change(change)


def check_change(change: dict[str, Any]) -> dict[str, Any]:
    """Check one change dict's shape and value; returns it.

    Written for speed: every change of a bundle passes here (local names, no helper calls
    but for the JSON and the value's type).
    """
    get = change.get
    for key in ("id", "entity_id", "device_id"):
        value = get(key)
        if not (isinstance(value, str) and _UUID.match(value)):
            raise InvalidRecord(f"change has a malformed {key}: {str(value)[:40]!r}")
    etype = get("entity_type")
    if not isinstance(etype, str) or etype not in ENTITY_TYPES:  # a list is not hashable
        raise InvalidRecord(f"change {change['id']}: unknown record type {str(etype)[:40]!r}")
    if ENTITY_TYPES[etype].is_root and change["entity_id"] != change["evaluation_id"]:
        what = str(etype).replace("_", " ")
        raise InvalidRecord(f"change {change['id']}: {what} id does not match its aggregate")
    fld, raw, links = get("field"), get("value"), get("supersedes")
    if not isinstance(fld, str) or len(fld) > 64:
        raise InvalidRecord("change has a bad field name")
    if not isinstance(raw, str) or len(raw) > 10**8:
        raise InvalidRecord("change has a bad value")
    if not isinstance(links, str) or len(links) > 10**7:
        raise InvalidRecord("change has a bad supersedes list")
    try:
        value, supersedes = _json(raw), _json(links)
    except json.JSONDecodeError:
        raise InvalidRecord(f"change {change['id']}: value is not valid JSON") from None
    check_value(etype, fld, value, change["evaluation_id"], change["entity_id"])
    if not isinstance(supersedes, list) or not all(is_id(s) for s in supersedes):
        raise InvalidRecord(f"change {change['id']}: bad supersedes list")
    old, author, wall_time = get("old_value"), get("author"), get("wall_time")
    if old is not None and (not isinstance(old, str) or len(old) > 10**8):
        raise InvalidRecord("change has a bad old value")
    if not isinstance(author, str) or len(author) > 200:
        raise InvalidRecord("change has a bad author")
    if not _is_wall_time(wall_time):
        raise InvalidRecord(f"change {change['id']}: bad time {str(wall_time)[:40]!r}")
    counter = get("counter")
    if not isinstance(counter, int) or isinstance(counter, bool) or not 0 < counter <= MAX_COUNTER:
        raise InvalidRecord(f"change {change['id']}: bad counter")
    change["_supersedes"] = supersedes
    return change


_ROOTS = frozenset(ROOT_TYPES)
_KNOWN_TYPES = frozenset(ENTITY_TYPES)


def checked_columns(
    rows: list[Any], evaluation_id: str, keep_values: bool = False
) -> tuple[tuple[tuple[Any, ...], ...], list[list[str]], dict[int, Any]] | None:
    """An aggregate's wire rows checked as :func:`change_from_wire` checks each, a column at
    a time where it can (C loops over the whole aggregate instead of Python's over every
    change): their columns (in :data:`WIRE_FIELDS` order), each row's supersedes list, and
    (with ``keep_values``) each creation's value as parsed, by row number; None at the first
    doubt.

    Exactly as strict: every check below is one of ``check_change``'s, or stricter (exact
    ``str``/``int``/``list`` types, as JSON makes them, where it takes subclasses).
    """
    width = len(WIRE_FIELDS)
    if not rows or set(map(type, rows)) != {list} or set(map(len, rows)) != {width}:
        return None
    columns = tuple(zip(*rows, strict=True))
    ids, etypes, entity_ids, fields, values, olds, sups, authors, devices, counters, walls = columns
    strings = (ids, etypes, entity_ids, fields, values, sups, authors, devices, walls)
    if any(set(map(type, column)) != {str} for column in strings):
        return None
    if not all(map(_UUID.match, {*ids, *entity_ids, *devices})):
        return None
    if not _KNOWN_TYPES.issuperset(etypes) or set(map(type, counters)) != {int}:
        return None
    if max(map(len, fields)) > 64 or max(map(len, values)) > 10**8:
        return None
    if max(map(len, sups)) > 10**7 or max(map(len, authors)) > 200:
        return None
    if not _all_wall_times(walls):
        return None
    if not 0 < min(counters) <= max(counters) <= MAX_COUNTER:
        return None
    given = [o for o in olds if o is not None]
    if set(map(type, given)) - {str} or max(map(len, given), default=0) > 10**8:
        return None
    if any(e != evaluation_id for t, e in zip(etypes, entity_ids, strict=True) if t in _ROOTS):
        return None
    listed: list[list[str]] = []
    created: dict[int, Any] = {}
    field_checks = _FIELD_CHECKS
    for number, row in enumerate(rows):
        etype, fld, links = row[1], row[3], row[6]
        try:
            value = _json(row[4])
            check = field_checks.get((etype, fld))
            if check is None:  # a creation, a deletion, or a field the type does not have
                check_value(etype, fld, value, evaluation_id, row[2])
            elif not check(value):
                return None
            if links == "[]":
                supersedes = []
            else:
                supersedes = _json(links)
                if type(supersedes) is not list or not all(map(is_id, supersedes)):
                    return None
        except (json.JSONDecodeError, InvalidRecord):
            return None
        listed.append(supersedes)
        if keep_values and fld == CREATE:
            created[number] = value
    return columns, listed, created
