"""The change log's names and times as numbers (``qa_tui.store.codes``, migration 0019): every
record type and field has a number, no number ever moves, and a wall time comes back exactly."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from qa_tui.clock import millis_stamp, stamp, stamp_millis
from qa_tui.store.codes import (
    FIELD,
    FIELD_NAMES,
    RECORD_TYPE,
    RECORD_TYPES,
    UnknownName,
)
from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES

SQLITE = sqlite.dialect()

# The names as 0019 numbered them: a database written since holds these numbers, so the
# first names never change and never move (new names go at the end).
FIRST = {
    RECORD_TYPES: (23, "e3f7fea5eee1b88765f215673626f6b5ad77e95bbf9ad967b5f838a23f964591"),
    FIELD_NAMES: (90, "f50bc657ac91067a2763709cdcebed59ce4a8d85329972fdcb0efdeae68440b2"),
}


def test_every_record_type_and_field_has_a_number() -> None:
    assert set(ENTITY_TYPES) <= set(RECORD_TYPES)
    fields = {CREATE, DELETED} | {f for e in ENTITY_TYPES.values() for f in e.fields}
    assert fields <= set(FIELD_NAMES)
    assert len(set(RECORD_TYPES)) == len(RECORD_TYPES)
    assert len(set(FIELD_NAMES)) == len(FIELD_NAMES)
    assert max(len(FIELD_NAMES), len(RECORD_TYPES)) < 2**15  # a SMALLINT


@pytest.mark.parametrize("names", [RECORD_TYPES, FIELD_NAMES], ids=["types", "fields"])
def test_no_number_has_moved(names: tuple[str, ...]) -> None:
    count, digest = FIRST[names]
    assert hashlib.sha256("\n".join(names[:count]).encode()).hexdigest() == digest


def test_the_numbers_keep_the_names_order() -> None:
    """The change log's key holds the field's number: numbered as the names sort, its rows
    stay in the order they had (a record's creation and deletion first)."""
    assert list(FIELD_NAMES[:90]) == sorted(FIELD_NAMES[:90])
    assert FIELD_NAMES[:2] == (CREATE, DELETED)


def test_a_name_goes_in_and_comes_out() -> None:
    for code, names in ((RECORD_TYPE, RECORD_TYPES), (FIELD, FIELD_NAMES)):
        for n, name in enumerate(names):
            assert code.process_bind_param(name, SQLITE) == n
            assert code.process_result_value(n, SQLITE) == name
    with pytest.raises(UnknownName, match="unknown field 'no_such_field'"):
        FIELD.process_bind_param("no_such_field", SQLITE)


@given(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)))
def test_a_wall_time_comes_back_exactly(moment: dt.datetime) -> None:
    written = stamp(moment.replace(tzinfo=dt.UTC))
    assert millis_stamp(stamp_millis(written)) == written


def test_wall_times_in_milliseconds() -> None:
    assert stamp_millis("1970-01-01T00:00:00.000+00:00") == 0
    assert stamp_millis("2026-07-11T11:22:20.123+00:00") == 1_783_768_940_123
    assert millis_stamp(-1) == "1969-12-31T23:59:59.999+00:00"
    assert stamp_millis("2026-07-11T12:22:20.123+01:00") == 1_783_768_940_123
    with pytest.raises(ValueError, match="without its offset"):
        stamp_millis("2026-07-11T11:22:20.123")
