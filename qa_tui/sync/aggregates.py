"""Aggregates: the unit a bundle or a sync carries, and the check that each is valid.

An aggregate is the *full* history of one root record and the records that belong to it: an
evaluation with its participants, responses, entries, moderations, …; or a moderation session
with its moderators and blind grades (:mod:`qa_tui.store.entities` says which type belongs to
which root). Every change of an aggregate carries the root's id in ``evaluation_id`` (read:
"aggregate id"); the root's type is the type of its ``_create`` change. Carrying whole
histories makes every bundle self-contained, so bundles can be merged in any order.

On the wire (format 2) a change is a list in :data:`WIRE_FIELDS` order; its ``evaluation_id``
is the aggregate's and its ``bundle_id`` is set by the database that receives it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from typing import Any

from sqlalchemy import Boolean, Date, Float, Integer, String

from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES, ROOT_TYPES

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


# What each kind of root record is called in a sentence: one, then several.
ROOT_NOUNS = {
    "evaluation": ("evaluation", "evaluations"),
    "moderation_session": ("moderation session", "moderation sessions"),
    "plan": ("plan", "plans"),
    "board_meeting": ("board meeting", "board meetings"),
    "board_action": ("board action", "board actions"),
}


def roots_in_words(counts: dict[str, int]) -> str:
    """How many root records of each kind, in a sentence: "30 evaluations, 20 moderation
    sessions and 1 plan" (the kinds there are some of, in the order of :data:`ROOT_NOUNS`;
    "0 evaluations" when there are none at all)."""
    named = [
        f"{count} {nouns[0] if count == 1 else nouns[1]}"
        for kind, nouns in ROOT_NOUNS.items()
        if (count := counts.get(kind, 0))
    ]
    for kind in sorted(counts.keys() - ROOT_NOUNS.keys()):  # a kind this list lacks
        if counts[kind]:
            named.append(f"{counts[kind]} {kind.replace('_', ' ')} records")
    if not named:
        return "0 evaluations"
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


@dataclass
class Aggregate:
    """One root record's full history: change dicts (``CHANGE`` columns) and supersede links.

    ``evaluation_id`` is the root's id (an evaluation's, or a moderation session's): the name
    is the wire format's and the ``changes`` column's.
    """

    evaluation_id: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def root_type(self) -> str:
        """The type of the root record (``evaluation`` if the history does not say)."""
        for change in self.changes:
            if change["entity_id"] == self.evaluation_id:
                return str(change["entity_type"])
        return "evaluation"

    def to_wire(self) -> dict[str, Any]:
        """The format-2 line for this aggregate."""
        return {
            "e": self.evaluation_id,
            "c": [[c[k] for k in WIRE_FIELDS] for c in self.changes],
            "l": [list(link) for link in self.links],
        }


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
# A field's check by (record type, field), for the fields :func:`_check_value` checks by
# their column alone (not a creation's, not a deletion's).
_FIELD_CHECKS: dict[tuple[str, str], Any] = {
    (name, fld): _CHECKS[name][fld]
    for name, e in ENTITY_TYPES.items()
    for fld in e.fields
    if fld not in (CREATE, DELETED) and fld in _CHECKS[name]
}


def _check_value(etype_name: str, fld: str, value: Any, aggregate_id: str, entity_id: str) -> None:
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
    return _parse(text)


# The scanner (C) of a decoder with json.loads's settings (its own, json._default_decoder).
_SCAN: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # noqa: B009


def _parse(text: str) -> Any:
    """``json.loads(text)`` without its two Python calls around the scanner, for a text the
    scanner reads whole from its first character; anything else (space around it, something
    after it, not JSON) goes to ``json.loads``, which reads it or says why not."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


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
    if etype not in ENTITY_TYPES:
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
    _check_value(etype, fld, value, change["evaluation_id"], change["entity_id"])
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


# --- a whole aggregate -------------------------------------------------------------------


def check_aggregate(aggregate: Aggregate, links_given: bool = True) -> Aggregate:
    """Check an aggregate is whole and consistent; fills ``links`` from supersedes if absent.

    Every change belongs to the aggregate, ids are unique, every superseded change is in the
    aggregate, the links are exactly the supersedes lists, every record has a creation change
    agreeing on its type (two creations of one record must be identical), the root has one,
    and every record is of a type that belongs to that kind of root.
    """
    if not is_id(aggregate.evaluation_id) or not aggregate.changes:
        raise InvalidRecord("evaluation aggregate without an id or without changes")
    if links_given and _whole_at_once(aggregate):
        return aggregate
    ids: set[str] = set()
    types: dict[str, str] = {}
    creations: dict[str, str] = {}
    expected: set[tuple[str, str]] = set()
    for change in aggregate.changes:
        if change["id"] in ids:
            raise InvalidRecord(f"change {change['id']} appears twice")
        ids.add(change["id"])
        entity = change["entity_id"]
        if types.setdefault(entity, change["entity_type"]) != change["entity_type"]:
            raise InvalidRecord(f"record {entity} has changes of two record types")
        if (
            change["field"] == CREATE
            and creations.setdefault(entity, change["value"]) != change["value"]
        ):
            raise InvalidRecord(f"record {entity} is created twice with different content")
        expected.update((change["id"], s) for s in change.pop("_supersedes"))
    root = types.get(aggregate.evaluation_id)
    if aggregate.evaluation_id not in creations or root not in ROOT_TYPES:
        raise InvalidRecord(f"evaluation {aggregate.evaluation_id} has no creation change")
    strays = sorted({t for t in types.values() if ENTITY_TYPES[t].root != root})
    if strays:
        raise InvalidRecord(f"a {strays[0]} record cannot belong to a {root} aggregate")
    missing = set(types) - set(creations)
    if missing:
        raise InvalidRecord(f"record {min(missing)} has changes but no creation change")
    if any(s not in ids for _c, s in expected):
        raise InvalidRecord("a change supersedes a change outside its evaluation's history")
    if not links_given:
        aggregate.links = sorted(expected)
    elif {tuple(x) for x in aggregate.links} != expected or len(aggregate.links) != len(expected):
        raise InvalidRecord("links do not match the changes' supersedes lists")
    aggregate.links = [(a, b) for a, b in aggregate.links]
    return aggregate


_IDS = itemgetter("id")
_ENTITIES = itemgetter("entity_id")
_TYPES = itemgetter("entity_type")
_FIELDS = itemgetter("field")
_VALUES = itemgetter("value")
_SUPERSEDES = itemgetter("_supersedes")
_UNLINK = methodcaller("pop", "_supersedes")
_ROOT_OF = {name: etype.root for name, etype in ENTITY_TYPES.items()}


def _whole_at_once(aggregate: Aggregate) -> bool:
    """:func:`check_aggregate`'s checks of an aggregate with its links given, a column at a
    time (C loops over its changes, a Python one over its creations and supersedes lists):
    True (the supersedes lists dropped, the links as pairs) if it passes them all; False at
    the first doubt, having changed nothing, for the change-by-change check to find the
    fault and say why. Never True where that check would refuse."""
    changes, evaluation_id = aggregate.changes, aggregate.evaluation_id
    ids = list(map(_IDS, changes))
    entities = list(map(_ENTITIES, changes))
    kinds = list(map(_TYPES, changes))
    types = dict(zip(entities, kinds, strict=True))
    if len(set(ids)) != len(ids) or len(set(zip(entities, kinds, strict=True))) != len(types):
        return False  # a change twice; a record with changes of two types
    made = [
        (entity, value)
        for entity, name, value in zip(
            entities, map(_FIELDS, changes), map(_VALUES, changes), strict=True
        )
        if name == CREATE
    ]
    creations = dict(made)
    if len(set(made)) != len(creations):
        return False  # a record created twice with different content
    root = types.get(evaluation_id)
    if evaluation_id not in creations or root not in ROOT_TYPES:
        return False
    if {_ROOT_OF[t] for t in set(kinds)} != {root} or not creations.keys() >= types.keys():
        return False  # a stray record type; a record without its creation
    expected = {
        (change_id, superseded)
        for change_id, supersedes in zip(ids, map(_SUPERSEDES, changes), strict=True)
        for superseded in supersedes
    }
    known = set(ids)
    if any(s not in known for _c, s in expected):
        return False
    try:
        pairs = [(a, b) for a, b in aggregate.links]
        if set(pairs) != expected or len(pairs) != len(expected):
            return False
    except (TypeError, ValueError):  # not pairs (of texts)
        return False
    deque(map(_UNLINK, changes), maxlen=0)
    aggregate.links = pairs
    return True


def aggregate_from_wire(line: Any, keep_values: bool = False) -> Aggregate:
    """A validated aggregate from a format-2 line; with ``keep_values``, each creation keeps
    its value as parsed while it was checked, under ``"_value"`` (the merge's preparation
    reads it instead of parsing it again: :func:`qa_tui.store.bulk_derive.derive_rows`)."""
    if not isinstance(line, dict) or set(line) != {"e", "c", "l"}:
        raise InvalidRecord("record line is not an evaluation aggregate")
    evaluation_id = line["e"]
    if not is_id(evaluation_id) or not isinstance(line["c"], list):
        raise InvalidRecord("evaluation aggregate with a malformed id")
    links = line["l"]
    if not isinstance(links, list) or not all(
        isinstance(x, list) and len(x) == 2 and all(isinstance(i, str) for i in x) for x in links
    ):
        raise InvalidRecord("links are not pairs of change ids")
    changes = _changes_at_once(line["c"], evaluation_id, keep_values)
    if changes is None:  # something is wrong: find the first change at fault, and say why
        changes = [change_from_wire(row, evaluation_id) for row in line["c"]]
    return check_aggregate(Aggregate(evaluation_id, changes, [(a, b) for a, b in links]))


_ROOTS = frozenset(ROOT_TYPES)
_KNOWN_TYPES = frozenset(ENTITY_TYPES)


def _changes_at_once(
    rows: list[Any], evaluation_id: str, keep_values: bool = False
) -> list[dict[str, Any]] | None:
    """The changes of an aggregate's wire rows, checked as :func:`change_from_wire` checks
    each, a column at a time where it can (C loops over the whole aggregate instead of
    Python's over every change); None at the first doubt, for ``change_from_wire`` to find
    the change at fault and say why.

    Exactly as strict: every check below is one of ``check_change``'s, or stricter (exact
    ``str``/``int``/``list`` types, as JSON makes them, where it takes subclasses).
    """
    width = len(WIRE_FIELDS)
    if not rows or set(map(type, rows)) != {list} or set(map(len, rows)) != {width}:
        return None
    ids, etypes, entity_ids, fields, values, olds, sups, authors, devices, counters, walls = zip(
        *rows, strict=True
    )
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
    changes = []
    field_checks = _FIELD_CHECKS
    for row in rows:
        etype, fld, links = row[1], row[3], row[6]
        try:
            value = _json(row[4])
            check = field_checks.get((etype, fld))
            if check is None:  # a creation, a deletion, or a field the type does not have
                _check_value(etype, fld, value, evaluation_id, row[2])
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
        change = dict(zip(WIRE_FIELDS, row, strict=False))  # every row's width was checked
        change["evaluation_id"] = evaluation_id
        change["_supersedes"] = supersedes
        if keep_values and row[3] == CREATE:
            change["_value"] = value
        changes.append(change)
    return changes


def aggregate_from_verified(line: dict[str, Any]) -> Aggregate:
    """The aggregate of a format-2 line that :func:`aggregate_from_wire` already accepted
    (the same bytes, pinned by their digest): built without checking it again."""
    evaluation_id = line["e"]
    changes = []
    for row in line["c"]:
        change = dict(zip(WIRE_FIELDS, row, strict=True))
        change["evaluation_id"] = evaluation_id
        changes.append(change)
    return Aggregate(evaluation_id, changes, [(a, b) for a, b in line["l"]])


def aggregate_from_v1(line: Any) -> Aggregate:
    """Upgrade a format-1 line (changes as objects, links implied by supersedes)."""
    if not isinstance(line, dict) or not isinstance(line.get("changes"), list):
        raise InvalidRecord("record line is not a format-1 evaluation aggregate")
    evaluation_id = line.get("evaluation_id")
    if not is_id(evaluation_id):
        raise InvalidRecord("evaluation aggregate with a malformed id")
    changes = []
    for raw in line["changes"]:
        if not isinstance(raw, dict) or set(raw) != set(WIRE_FIELDS):
            raise InvalidRecord("format-1 change does not have the expected fields")
        changes.append(check_change({**raw, "evaluation_id": evaluation_id}))
    return check_aggregate(Aggregate(str(evaluation_id), changes), links_given=False)


def aggregate_to_v1(aggregate: Aggregate) -> dict[str, Any]:
    """The format-1 line (kept so that tests can make old bundles)."""
    return {
        "evaluation_id": aggregate.evaluation_id,
        "changes": [{k: c[k] for k in WIRE_FIELDS} for c in aggregate.changes],
    }
