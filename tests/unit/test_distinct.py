"""Distinct: whether an id was taken before, kept as 8-byte hashes; equal hashes are told
apart by asking where the ids are kept, so it is exact."""

from __future__ import annotations

import uuid

from qa_tui.sync.distinct import Distinct


def test_each_id_is_new_once_and_a_repeat_is_caught_after_the_table_grows() -> None:
    taken: list[str] = []
    seen = Distinct(lambda value: value in taken, size=4)
    ids = [str(uuid.uuid4()) for _ in range(5000)]
    for value in ids:
        assert seen.first_time(value)
        taken.append(value)
    assert len(seen.table) >= 2 * len(ids)  # grown, at most half full
    assert not seen.first_time(ids[0])
    assert not seen.first_time(ids[-1])
    assert seen.first_time(str(uuid.uuid4()))


def test_ids_of_equal_hash_are_told_apart_by_where_they_are_kept(monkeypatch) -> None:
    """Two different ids whose hashes collide are both new; only the true repeat is not, and
    the place they are kept is asked only on a collision."""
    import qa_tui.sync.distinct as distinct

    monkeypatch.setattr(distinct, "hash", lambda value: 7, raising=False)  # every id collides
    taken: list[str] = []
    asked: list[str] = []

    def earlier(value: str) -> bool:
        asked.append(value)
        return value in taken

    seen = Distinct(earlier)
    for value in ("a", "b", "c"):
        assert seen.first_time(value)
        taken.append(value)
    assert asked == ["b", "c", "c"]  # b met a's hash; c met a's and b's
    assert not seen.first_time("b")
