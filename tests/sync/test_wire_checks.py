"""An aggregate's wire rows are checked a column at a time (``_changes_at_once``), falling
back to the change-by-change check at the first doubt: whatever a row holds, the outcome is
exactly the change-by-change check's (the same changes, or the same refusal)."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest

from qa_tui.sync.aggregates import (
    Aggregate,
    _changes_at_once,
    aggregate_from_wire,
    check_aggregate,
)
from qa_tui.sync.checking import check_lines
from qa_tui.sync.wire_values import MAX_COUNTER, WIRE_FIELDS, InvalidRecord, change_from_wire


def _id(name: str) -> str:  # fixed ids: the tests' names are the same in every process
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qa-tui-test:{name}"))


EVALUATION, DEVICE, RESPONSE = _id("evaluation"), _id("device"), _id("response")
CREATE_ID, GRADE_ID, AGAIN_ID = _id("create"), _id("grade"), _id("again")


def creation(type_name: str, **given: Any) -> str:
    """A creation's value (JSON) for a record of ``type_name``: ``given``, and for each other
    field it must carry the first of a few plain values its check takes."""
    from qa_tui.store.entities import ENTITY_TYPES
    from qa_tui.sync.wire_values import _CHECKS  # the fields a creation must carry

    fields = ENTITY_TYPES[type_name].create_fields
    checks = _CHECKS[type_name]
    value = {}
    for name in fields:
        for candidate in (given.get(name), "", 0, None, "2026-01-01", False):
            if name in given or checks[name](candidate):
                value[name] = given.get(name, candidate)
                break
    return json.dumps(value)


def _line() -> dict[str, Any]:
    """A valid format-2 line: an evaluation created, a response created, graded, regraded."""
    row = [CREATE_ID, "evaluation", EVALUATION, "_create", creation("evaluation"), None, "[]"]
    rows = [
        [*row, "Alex Auditor", DEVICE, 1, "2026-01-01T10:00:00.000+00:00"],
        [
            _id("response created"),
            "response",
            RESPONSE,
            "_create",
            creation("response", evaluation_id=EVALUATION, item_id="q1"),
            None,
            "[]",
            "Alex Auditor",
            DEVICE,
            2,
            "2026-01-01T10:00:01.000+00:00",
        ],
        [GRADE_ID, "response", RESPONSE, "grade", '"good"', None, "[]", "Alex Auditor", DEVICE, 3,
         "2026-01-01T10:00:02.000+00:00"],
        [AGAIN_ID, "response", RESPONSE, "grade", '"adequate"', '"good"', f'["{GRADE_ID}"]',
         "Alex Auditor", DEVICE, 4, "2026-01-01T10:00:03.000+00:00"],
    ]  # fmt: skip
    return {"e": EVALUATION, "c": rows, "l": [[AGAIN_ID, GRADE_ID]]}


def _one_by_one(line: dict[str, Any]) -> Aggregate:
    """What the change-by-change check makes of the line (the reference)."""
    changes = [change_from_wire(row, line["e"]) for row in line["c"]]
    return check_aggregate(Aggregate(line["e"], changes, [(a, b) for a, b in line["l"]]))


def _outcome(make: Any, line: dict[str, Any]) -> Any:
    try:
        aggregate = make(copy.deepcopy(line))
    except InvalidRecord as exc:  # anything else would reach the user as a traceback
        return type(exc), str(exc)
    return aggregate.changes, aggregate.links


# Wall times as qa-tui never writes them: the change log keeps a wall time as a number and
# gives back the text qa_tui.clock.stamp writes, so any other text would come back changed.
NOT_WALL_TIMES = [
    "2026-01-01T10:00:03+00:00",  # no milliseconds
    "2026-01-01T10:00:03.000000+00:00",  # microseconds
    "2026-01-01T10:00:03.000Z",
    "2026-01-01T11:00:03.000+01:00",  # not UTC
    "2026-01-01 10:00:03.000+00:00",
    "2026-02-30T10:00:03.000+00:00",  # the form, not a date
    "2026-01-01T24:00:03.000+00:00",
    "2026-01-01T10:00:03.000+00:00\n",
    "２０２６-01-01T10:00:03.000+00:00",  # digits, but not ASCII ones
]


@pytest.mark.parametrize("wall", NOT_WALL_TIMES)
def test_a_wall_time_not_as_qa_tui_writes_it_is_refused(wall: str) -> None:
    line = _line()
    line["c"][2][10] = wall
    with pytest.raises(InvalidRecord, match="bad time"):
        aggregate_from_wire(line)


class _Str(str):
    pass


class _Int(int):
    pass


MUTATIONS: list[tuple[int, int, Any]] = [
    *((0, col, v) for col in range(len(WIRE_FIELDS)) for v in (None, 7, [], {}, True, 1.5)),
    *((2, col, "") for col in range(len(WIRE_FIELDS))),
    (2, 0, "not-an-id"),
    (2, 0, CREATE_ID.upper()),
    (2, 0, CREATE_ID + "\n"),
    (2, 8, DEVICE + "x"),
    (2, 2, EVALUATION),  # a response record under the evaluation's id
    (0, 2, RESPONSE),  # the evaluation under another id than its aggregate's
    (2, 1, "no_such_type"),
    (2, 3, "x" * 65),
    (2, 3, "x" * 64),
    (2, 4, '"bad'),
    (2, 4, "[1, 2]"),
    (2, 4, '"' + "x" * 300 + '"'),
    (2, 4, '"tab\\there"'),
    (2, 5, 12),
    (2, 5, "x" * 10),
    (2, 6, "[1]"),
    (2, 6, '["not-an-id"]'),
    (2, 6, '"[]"'),
    (2, 6, "{}"),
    (2, 7, "x" * 201),
    (2, 7, "x" * 200),
    (2, 9, 0),
    (2, 9, -1),
    (2, 9, MAX_COUNTER),
    (2, 9, MAX_COUNTER + 1),
    (2, 9, True),
    (2, 9, 2.0),
    (2, 10, "x" * 33),
    (2, 10, "x" * 32),
    *((2, 10, wall) for wall in NOT_WALL_TIMES),
    (2, 0, _Str(GRADE_ID)),  # subclasses: the column check hands them to the reference
    (2, 9, _Int(3)),
    (2, 7, _Str("Alex Auditor")),
]


@pytest.mark.parametrize(("row", "col", "value"), MUTATIONS)
def test_a_changed_field_gets_exactly_the_change_by_change_outcome(
    row: int, col: int, value: Any
) -> None:
    line = _line()
    assert _changes_at_once(line["c"], line["e"]) is not None  # the line is valid
    assert _outcome(aggregate_from_wire, line) == _outcome(_one_by_one, line)
    line["c"][row][col] = value
    assert _outcome(aggregate_from_wire, line) == _outcome(_one_by_one, line)


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows.append(rows[0][:-1]),  # a row one field short
        lambda rows: rows.append((*rows[0],)),  # a tuple, not a list
        lambda rows: rows.append("row"),
        lambda rows: rows.clear(),
        lambda rows: rows.append(list(rows[2])),  # the same change twice
    ],
)
def test_malformed_rows_get_exactly_the_change_by_change_outcome(change: Any) -> None:
    line = _line()
    change(line["c"])
    assert _outcome(aggregate_from_wire, line) == _outcome(_one_by_one, line)


@pytest.mark.parametrize(("row", "col"), [(0, 0), (1, 2), (2, 8)])
def test_an_id_with_a_line_end_after_it_is_refused(row: int, col: int) -> None:
    """``$`` in a pattern also matches before a final newline: an id followed by one was
    accepted, and stored in 16 bytes it would come back without it (another id)."""
    line = _line()
    line["c"][row][col] += "\n"
    assert _outcome(aggregate_from_wire, line) == _outcome(_one_by_one, line)
    with pytest.raises(InvalidRecord, match="malformed"):
        aggregate_from_wire(line)


def _entry_at(position: str) -> dict[str, Any]:
    """The valid line with an entry (a Signs of Safety list's line) created and placed at
    ``position`` (the change's JSON value, as the wire carries it)."""
    line = _line()
    entry = _id("entry")
    created = json.dumps({"evaluation_id": EVALUATION, "item_id": "q1"})
    line["c"] += [
        [_id("entry created"), "entry", entry, "_create", created, None, "[]", "Alex Auditor",
         DEVICE, 5, "2026-01-01T10:00:04.000+00:00"],
        [_id("entry placed"), "entry", entry, "position", position, None, "[]", "Alex Auditor",
         DEVICE, 6, "2026-01-01T10:00:05.000+00:00"],
    ]  # fmt: skip
    return line


@pytest.mark.parametrize("position", ["NaN", "Infinity", "-Infinity", "1e400", str(1 << 63)])
def test_a_number_no_database_column_holds_is_refused(position: str) -> None:
    """JSON reads NaN, infinities and integers of any size; a database column holds none of
    them (SQLite stores NaN as NULL, a position's NOT NULL failed the merge as a collision; an
    integer of 64 bits or more failed it with a traceback): refused at verification, with
    the field named, whichever way the line is checked."""
    line = _entry_at(position)
    with pytest.raises(InvalidRecord, match="bad value for field 'position'"):
        aggregate_from_wire(copy.deepcopy(line))
    assert _outcome(aggregate_from_wire, line) == _outcome(_one_by_one, line)


@pytest.mark.parametrize("position", ["0", "-3", "2.5", str((1 << 63) - 1), "1e300"])
def test_a_number_a_column_holds_is_kept(position: str) -> None:
    aggregate = aggregate_from_wire(_entry_at(position))
    placed = [c for c in aggregate.changes if c["field"] == "position"]
    assert [json.loads(c["value"]) for c in placed] == [json.loads(position)]


def _drop_link(line: dict[str, Any]) -> None:
    line["l"].pop()


def _add_link(line: dict[str, Any]) -> None:
    line["l"].append([AGAIN_ID, CREATE_ID])


def _long_link(line: dict[str, Any]) -> None:
    line["l"][0].append(GRADE_ID)


def _number_link(line: dict[str, Any]) -> None:
    line["l"][0][1] = 7


def _stray_key(line: dict[str, Any]) -> None:
    line["x"] = 1


def _set(row: int, col: int, value: Any) -> Any:
    def change(line: dict[str, Any]) -> None:
        line["c"][row][col] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        *(_set(row, col, value) for row, col, value in MUTATIONS),
        _drop_link,
        _add_link,
        _long_link,
        _number_link,
        _stray_key,
        lambda line: None,  # the valid line
    ],
)
def test_a_line_checked_for_the_spool_gets_the_change_by_change_outcome(change: Any) -> None:
    """The verification checks a line a column at a time and keeps it without building its
    changes (qa_tui.sync.checking.check_lines): it accepts exactly what the change-by-change
    check accepts (as JSON carries the line), refuses the rest in that check's words, and
    says what the spool keeps of it (id, root type, changes, highest counter)."""
    line = _line()
    assert line["l"], "the valid line has links to change"
    change(line)
    text = json.dumps(line)
    carried = json.loads(text)
    ((kind, *rest),) = check_lines([text.encode()], 2, False)
    try:  # the reference: what reading the bundle makes of it (held to _one_by_one above)
        expected = aggregate_from_wire(copy.deepcopy(carried))
    except InvalidRecord as exc:
        assert (kind, *rest) == ("e", f"invalid record ({exc})")
        return
    assert kind == "a"
    head, links, demo, body = rest
    top = max(row[9] for row in carried["c"])
    assert head == (EVALUATION, "evaluation", len(carried["c"]), top)
    assert (links, demo, body) == (len(expected.links), False, None)


def _created(type_name: str, record: str, counter: int, **given: Any) -> list[Any]:
    """The wire row of a record's creation (its change id made from its record's); its
    ``evaluation_id`` is :data:`EVALUATION` where its type has one."""
    value = creation(type_name, evaluation_id=EVALUATION, **given)
    return [
        _id(f"{record} created"), type_name, record, "_create", value, None, "[]",
        "Alex Auditor", DEVICE, counter, f"2026-01-01T10:01:{counter:02d}.000+00:00",
    ]  # fmt: skip


@pytest.mark.parametrize("kind", ["action_update", "scale", "moderation_judgement"])
@pytest.mark.parametrize("names", ["its own", "no record", "a response"])
def test_a_record_naming_a_record_not_of_its_evaluation_is_refused(kind: str, names: str) -> None:
    """An action update names its action, a scale its participant, a judgement its
    moderation: a record of the same evaluation, of that type. Naming a record the line does
    not hold, or one of another type, is refused (the column check and the change-by-change
    check alike, with the same words); naming its own is kept."""
    from qa_tui.sync.aggregates import SIBLINGS

    field_name, wanted = SIBLINGS[kind]
    line = _line()
    target = _id(f"the {wanted}")
    line["c"].append(_created(wanted, target, 10))
    named = {"its own": target, "no record": _id("nobody"), "a response": RESPONSE}[names]
    line["c"].append(_created(kind, _id(f"the {kind}"), 11, **{field_name: named}))
    outcome = _outcome(aggregate_from_wire, line)
    assert outcome == _outcome(_one_by_one, line)
    if names == "its own":
        assert outcome[0][-1]["entity_type"] == kind  # kept
    else:
        assert outcome[0] is InvalidRecord
        said = {"action": "an action", "participant": "a participant", "moderation": "a moderation"}
        assert f"names {said[wanted]} that is not its evaluation's" in outcome[1]


@pytest.mark.parametrize("names", ["its own", "no record", "the session"])
def test_a_blind_grade_naming_a_moderator_not_of_its_session_is_refused(names: str) -> None:
    """A blind grade names one of its session's moderators: naming a record the session's
    line does not hold (another session's moderator), or one of another type, is refused by
    both checks with the same words; naming its own moderator is kept."""
    session = EVALUATION  # the aggregate's id, whatever its root's type
    moderator = _id("the moderator")
    named = {"its own": moderator, "no record": _id("another session's"), "the session": session}
    grade = {
        "session_id": session,
        "moderator_id": named[names],
        "target_evaluation_id": _id("an evaluation"),
        "item_id": "planning",
    }
    line = {
        "e": session,
        "c": [
            _created("moderation_session", session, 1),
            _created("session_moderator", moderator, 2, session_id=session),
            _created("blind_grade", _id("the grade"), 3, **grade),
        ],
        "l": [],
    }
    outcome = _outcome(aggregate_from_wire, line)
    assert outcome == _outcome(_one_by_one, line)
    if names == "its own":
        assert outcome[0][-1]["entity_type"] == "blind_grade"  # kept
    else:
        assert outcome[0] is InvalidRecord
        said = "names a session moderator that is not its moderation session's"
        assert said in outcome[1]
