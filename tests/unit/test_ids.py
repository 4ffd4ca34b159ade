"""New ids begin with the time they were made (qa_tui.ids): valid UUIDs, unique, in time order."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from qa_tui.ids import id_at, id_for_moment, new_id

MILLIS = st.integers(min_value=0, max_value=(1 << 48) - 1)
BITS = st.integers(min_value=0, max_value=(1 << 128) - 1)


def test_a_new_id_is_a_version_7_uuid_made_now() -> None:
    before = dt.datetime.now(dt.UTC).timestamp() * 1000
    made = uuid.UUID(new_id())
    after = dt.datetime.now(dt.UTC).timestamp() * 1000
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before - 1 <= made.int >> 80 <= after + 1


def test_new_ids_do_not_repeat() -> None:
    made = {new_id() for _ in range(20_000)}  # many in the same millisecond
    assert len(made) == 20_000


@given(MILLIS, BITS)
def test_the_text_is_the_uuid_of_its_time_and_bits(millis: int, bits: int) -> None:
    text = id_at(millis, bits)
    value = uuid.UUID(text)
    assert str(value) == text
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert value.int >> 80 == millis
    assert value.int & ((1 << 62) - 1) == bits & ((1 << 62) - 1)
    assert (value.int >> 64) & 0xFFF == (bits >> 62) & 0xFFF


@given(MILLIS, MILLIS, BITS, BITS)
def test_an_id_made_later_sorts_after_whatever_its_random_bits(
    first: int, second: int, bits_a: int, bits_b: int
) -> None:
    if first < second:
        assert id_at(first, bits_a) < id_at(second, bits_b)


def test_the_demo_makes_the_same_id_for_the_same_moment_and_draws() -> None:
    moment = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
    one, two = random.Random(7), random.Random(7)
    assert id_for_moment(moment, one.getrandbits(128)) == id_for_moment(
        moment, two.getrandbits(128)
    )
    assert uuid.UUID(id_for_moment(moment, 0)).int >> 80 == int(moment.timestamp() * 1000)
