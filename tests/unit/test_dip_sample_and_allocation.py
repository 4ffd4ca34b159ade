"""Dip samples (reproducible, stratified in proportion, a changed frame detected, a sample
larger than its frame refused) and allocation rules (property tests: every case allocated
once, the balance bound, outside own line, never a manager's own supervisee)."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_tui.domain.allocation import (
    AllocationError,
    CaseToAllocate,
    Manager,
    Rules,
    allocate,
    capacity,
    key,
)
from qa_tui.domain.dip_sample import Unit, draw_sample, fingerprint, shares
from qa_tui.domain.sampling import draw
from qa_tui.errors import ValidationError

TEAMS = ["Locality North", "Locality South", "Disabled Children", "Leaving Care"]


def _frame(n: int) -> list[Unit]:
    return [Unit(f"LCS-{i:06d}", f"LCS-{i:06d}", TEAMS[i % 7 % 4]) for i in range(n)]


def test_the_same_seed_draws_the_same_sample_and_another_seed_another() -> None:
    frame = _frame(2000)
    one = draw_sample("cases", frame, 50, 4711, "team")
    again = draw_sample("cases", list(reversed(frame)), 50, 4711, "team")
    assert [u.key for u in one.drawn] == [u.key for u in again.drawn]
    other = draw_sample("cases", frame, 50, 4712, "team")
    assert {u.key for u in other.drawn} != {u.key for u in one.drawn}


def test_a_simple_sample_is_the_moderation_draw() -> None:
    frame = _frame(300)
    simple = draw_sample("cases", frame, 20, 99)
    assert [u.key for u in simple.drawn] == draw([u.key for u in frame], 20, 99)


def test_stratified_shares_are_proportional_and_add_up() -> None:
    frame = _frame(7000)
    sizes = Counter(u.stratum for u in frame)
    drawn = draw_sample("cases", frame, 500, 1, "team")
    assert len(drawn.drawn) == 500 == len({u.key for u in drawn.drawn})
    for team, (in_frame, taken) in drawn.strata.items():
        assert in_frame == sizes[team]
        assert abs(taken - 500 * in_frame / 7000) < 1
        assert Counter(u.stratum for u in drawn.drawn)[team] == taken
    assert drawn.describe() == "500 of 7,000 imported cases, stratified by team, seed 1"


@given(st.lists(st.integers(0, 50), min_size=1, max_size=8), st.integers(0, 400))
def test_shares_never_exceed_a_stratum_and_sum_to_the_size(sizes: list[int], size: int) -> None:
    named = {f"s{i}": n for i, n in enumerate(sizes)}
    size = min(size, sum(sizes))
    out = shares(named, size)
    assert sum(out.values()) == size
    assert all(out[k] <= named[k] for k in named)


def test_a_changed_frame_is_detected_by_its_fingerprint() -> None:
    frame = _frame(100)
    before = draw_sample("cases", frame, 10, 5).fingerprint
    assert fingerprint(list(reversed(frame))) == before
    assert fingerprint(frame[:-1]) != before
    moved = [*frame[:-1], Unit(frame[-1].key, frame[-1].key, "Elsewhere")]
    assert fingerprint(moved) != before


def test_a_sample_larger_than_its_frame_says_so() -> None:
    with pytest.raises(ValidationError, match="asked for, but the frame holds only 10"):
        draw_sample("cases", _frame(10), 11, 1, where={"team": "Locality North"})


# --- allocation --------------------------------------------------------------------------

managers_st = st.lists(
    st.tuples(st.sampled_from(TEAMS), st.sets(st.integers(0, 11), max_size=3)),
    min_size=1,
    max_size=8,
)
cases_st = st.lists(st.tuples(st.sampled_from(TEAMS), st.integers(0, 11)), max_size=40)


@given(managers_st, cases_st, st.booleans(), st.booleans(), st.booleans())
def test_allocation_rules_hold_whenever_an_allocation_is_made(
    people: list[tuple[str, set[int]]],
    work: list[tuple[str, int]],
    balanced: bool,
    outside: bool,
    not_supervisee: bool,
) -> None:
    managers = [
        Manager(f"Manager {i}", team, frozenset(key(f"Worker {w}") for w in sup))
        for i, (team, sup) in enumerate(people)
    ]
    cases = [CaseToAllocate(f"LCS-{i:06d}", t, f"Worker {w}") for i, (t, w) in enumerate(work)]
    rules = Rules(balanced, outside, not_supervisee)
    try:
        found = allocate(cases, managers, rules)
    except AllocationError as exc:
        assert exc.rule in ("balanced", "outside_line", "not_supervisee")
        if exc.nearest is not None:  # what it proposes does work
            allocate(cases, managers, exc.nearest)
        return
    assert sorted(found) == sorted(c.reference for c in cases)  # every case exactly once
    by_ref = {c.reference: c for c in cases}
    by_name = {m.name: m for m in managers}
    loads = Counter(found.values())
    if balanced:
        assert max(loads.values(), default=0) <= capacity(len(cases), len(managers), rules)
    if not_supervisee:
        assert all(key(by_ref[r].worker) not in by_name[m].supervises for r, m in found.items())
    if outside:
        for m in managers:
            theirs = [by_ref[r] for r, who in found.items() if who == m.name]
            assert any(c.team != m.team for c in theirs)


def test_300_cases_to_60_managers_balanced_within_one() -> None:
    managers = [Manager(f"Manager {i}", TEAMS[i % 4], frozenset({key(f"W{i}")})) for i in range(60)]
    cases = [CaseToAllocate(f"LCS-{i:06d}", TEAMS[i % 3], f"W{i % 60}") for i in range(300)]
    found = allocate(cases, managers)
    loads = Counter(found.values())
    assert set(loads.values()) == {5} and math.ceil(300 / 60) == 5


def test_an_impossible_rule_is_named_with_the_nearest_that_works() -> None:
    managers = [Manager("Manager A", "Locality North"), Manager("Manager B", "Locality North")]
    cases = [CaseToAllocate(f"LCS-00000{i}", "Locality North") for i in range(4)]
    with pytest.raises(AllocationError, match="outside their own line cannot hold") as caught:
        allocate(cases, managers)
    assert caught.value.rule == "outside_line"
    assert caught.value.nearest == Rules(outside_line=False)
    supervised = [Manager("Manager A", "X", frozenset({key("Worker Z")}))]
    with pytest.raises(AllocationError, match="supervises the worker of LCS-000001"):
        allocate([CaseToAllocate("LCS-000001", "Y", "worker  z")], supervised)
