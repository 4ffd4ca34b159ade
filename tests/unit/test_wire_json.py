"""The fast JSON reading of a bundle's changes (``wire_values._json``) gives exactly what
``json.loads`` gives, and refuses exactly what it refuses."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qa_tui.store.history import dumps
from qa_tui.sync.wire_values import _json

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(VALUES)
def test_every_value_reads_as_json_reads_it(value) -> None:
    text = dumps(value)
    assert _json(text) == json.loads(text)


@given(st.text())
@example("NaN")  # a float that equals nothing: compared by repr
def test_any_text_reads_or_fails_as_json_does(text: str) -> None:
    for candidate in (text, f'"{text}"', f'["{text}"]'):
        try:
            expected = json.loads(candidate)
        except json.JSONDecodeError:
            with pytest.raises(json.JSONDecodeError):
                _json(candidate)
        else:  # by repr: "NaN" reads as a float that equals nothing, itself included
            assert repr(_json(candidate)) == repr(expected)


def test_the_fast_paths() -> None:
    one = str(uuid.uuid4())
    assert _json("[]") == [] and _json(f'["{one}"]') == [one]
    assert _json('"Child A seen at home"') == "Child A seen at home"
    for refused in ('"tab\there"', '"line\nbreak"', '["not an id, forty characters long.."]'):
        try:
            json.loads(refused)
        except json.JSONDecodeError:
            with pytest.raises(json.JSONDecodeError):
                _json(refused)
        else:
            assert _json(refused) == json.loads(refused)
