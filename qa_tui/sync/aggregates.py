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

import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, methodcaller
from typing import Any

from qa_tui.store.change_log import Link
from qa_tui.store.entities import CREATE, ENTITY_TYPES, ROOT_TYPES
from qa_tui.sync.wire_values import (
    WIRE_FIELDS,
    InvalidRecord,
    change_from_wire,
    check_change,
    checked_columns,
    is_id,
)

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

    def keyed_links(self) -> list[Link]:
        """Its links as the change log keeps them: each with the aggregate's id
        (:class:`~qa_tui.store.change_log.ChangeLink`)."""
        return [(self.evaluation_id, a, b) for a, b in self.links]

    def to_wire(self) -> dict[str, Any]:
        """The format-2 line for this aggregate."""
        return {
            "e": self.evaluation_id,
            "c": [[c[k] for k in WIRE_FIELDS] for c in self.changes],
            "l": [list(link) for link in self.links],
        }


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
    stranger = _naming_a_stranger(types, creations)
    if stranger is not None:
        kind, named = types[stranger].replace("_", " "), SIBLINGS[types[stranger]][1]
        article = "an" if named[0] in "aeiou" else "a"
        raise InvalidRecord(
            f"{kind} {stranger} names {article} {named.replace('_', ' ')} "
            f"that is not its {aggregate.root_type.replace('_', ' ')}'s"
        )
    aggregate.links = [(a, b) for a, b in aggregate.links]
    return aggregate


# Records that name, at their creation, another record of their own aggregate: the field, and
# the type of the record it names. (A reference to another aggregate — a blind grade's target
# evaluation, a moderation's session — is by design, and not here.) A blind grade's moderator
# is one of its session's (``qa_tui.domain.sessions.set_blind_grade`` refuses any other): one
# named from another session would count among this session's graders.
SIBLINGS = {
    "action_update": ("action_id", "action"),
    "scale": ("participant_id", "participant"),
    "moderation_judgement": ("moderation_id", "moderation"),
    "blind_grade": ("moderator_id", "session_moderator"),
}


def _naming_a_stranger(types: dict[str, str], creations: dict[str, Any]) -> str | None:
    """The first record (by id) whose creation names a record its aggregate does not hold,
    or one of another type; None if there is none. ``creations``: each record's creation
    value as the wire has it (JSON text)."""
    for entity in sorted(e for e, kind in types.items() if kind in SIBLINGS):
        field_name, wanted = SIBLINGS[types[entity]]
        try:
            named = json.loads(creations[entity]).get(field_name)
        except (TypeError, ValueError, AttributeError, KeyError):
            return entity
        if not isinstance(named, str) or types.get(named) != wanted:
            return entity
    return None


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
    time (:func:`whole_columns`): True (the supersedes lists dropped, the links as pairs) if
    it passes them all; False at the first doubt, having changed nothing, for the
    change-by-change check to find the fault and say why. Never True where that check would
    refuse."""
    changes = aggregate.changes
    whole = whole_columns(
        aggregate.evaluation_id,
        (
            list(map(_IDS, changes)),
            list(map(_TYPES, changes)),
            list(map(_ENTITIES, changes)),
            list(map(_FIELDS, changes)),
            list(map(_VALUES, changes)),
        ),
        list(map(_SUPERSEDES, changes)),
        aggregate.links,
    )
    if whole is None:
        return False
    deque(map(_UNLINK, changes), maxlen=0)
    aggregate.links = whole[0]
    return True


def whole_columns(
    evaluation_id: str,
    columns: tuple[Sequence[str], Sequence[str], Sequence[str], Sequence[str], Sequence[str]],
    supersedes: Sequence[list[str]],
    links: Any,
) -> tuple[list[tuple[str, str]], str] | None:
    """:func:`check_aggregate`'s checks of an aggregate with its links given, on its
    changes' columns (ids, record types, record ids, fields, values; and each one's
    supersedes list): its links as pairs and its root's type if it passes them all, None at
    the first doubt. C loops over its changes, a Python one over its creations and
    supersedes lists."""
    ids, kinds, entities, fields, values = columns
    types = dict(zip(entities, kinds, strict=True))
    if len(set(ids)) != len(ids) or len(set(zip(entities, kinds, strict=True))) != len(types):
        return None  # a change twice; a record with changes of two types
    made = [
        (entity, value)
        for entity, name, value in zip(entities, fields, values, strict=True)
        if name == CREATE
    ]
    creations = dict(made)
    if len(set(made)) != len(creations):
        return None  # a record created twice with different content
    root = types.get(evaluation_id)
    if evaluation_id not in creations or root not in ROOT_TYPES:
        return None
    if {_ROOT_OF[t] for t in set(kinds)} != {root} or not creations.keys() >= types.keys():
        return None  # a stray record type; a record without its creation
    expected = {
        (change_id, superseded)
        for change_id, listed in zip(ids, supersedes, strict=True)
        for superseded in listed
    }
    known = set(ids)
    if any(s not in known for _c, s in expected):
        return None
    try:
        pairs = [(a, b) for a, b in links]
        if set(pairs) != expected or len(pairs) != len(expected):
            return None
    except (TypeError, ValueError):  # not pairs (of texts)
        return None
    if _naming_a_stranger(types, creations) is not None:
        return None
    return pairs, root


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


def _changes_at_once(
    rows: list[Any], evaluation_id: str, keep_values: bool = False
) -> list[dict[str, Any]] | None:
    """The changes of an aggregate's wire rows, checked as :func:`change_from_wire` checks
    each (by :func:`checked_columns`); None at the first doubt, for ``change_from_wire`` to
    find the change at fault and say why."""
    checked = checked_columns(rows, evaluation_id, keep_values)
    if checked is None:
        return None
    _columns, supersedes, created = checked
    changes = []
    for number, (row, listed) in enumerate(zip(rows, supersedes, strict=True)):
        change = dict(zip(WIRE_FIELDS, row, strict=False))  # every row's width was checked
        change["evaluation_id"] = evaluation_id
        change["_supersedes"] = listed
        if number in created:
            change["_value"] = created[number]
        changes.append(change)
    return changes


def aggregate_from_verified(line: dict[str, Any]) -> Aggregate:
    """The aggregate of a format-2 line that :func:`aggregate_from_wire` already accepted
    (the same bytes, pinned by their digest): built without checking it again."""
    evaluation_id = line["e"]
    changes = list(map(dict, map(zip, repeat(WIRE_FIELDS), line["c"])))  # in C: as verified
    for change in changes:
        change["evaluation_id"] = evaluation_id
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
