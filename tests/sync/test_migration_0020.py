"""Migration 0020 (the change log's author and device as the number of a ``writers`` row) on a
copy of a database as the qa-tui before it wrote it, on SQLite and on PostgreSQL: each
(author, device) pair is one writer, every change reads back exactly its author and device,
the conflicts and the consistency checks are as before, and a downgrade gives every column
of the change log back exactly as 0019 kept it; then up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from qa_tui.errors import StoreError
from qa_tui.store import models
from qa_tui.store.migrate import open_store
from tests.sync.helpers import conflicts, consistent, copy_as_old, full_dump
from tests.sync.test_migration_0012 import _made_by_0011
from tests.sync.test_migration_0019 import _raw, _to

_COLUMNS = (
    "id, entity_type, entity_id, evaluation_id, field, value, old_value, supersedes, author, "
    "device_id, counter, wall_time, bundle_id"
)
_CHANGES = f"SELECT {_COLUMNS} FROM changes ORDER BY id"


def _at_0019(url: str, source: Path) -> None:
    """``url``: a database at 0019 holding ``source``'s rows as 0019 kept them (each change
    with its author and device)."""
    _to(url, "0019")
    into, out = create_engine(url), create_engine(f"sqlite:///{source}")
    with into.begin() as write, out.connect() as read:
        copy_as_old(read, write)
    into.dispose()
    out.dispose()


def _writers_of_changes(url: str) -> dict[str, tuple[str, str]]:
    store = open_store(url, migrate=False)
    with store.reader() as session:
        found = {c.id: (c.author, c.device_id) for c in session.scalars(select(models.Change))}
    store.dispose()
    return found


def _columns(url: str) -> list[str]:
    engine = create_engine(url)
    names = [c["name"] for c in inspect(engine).get_columns("changes")]
    engine.dispose()
    return names


def _check(url: str, source: Path) -> None:
    _at_0019(url, source)
    made = open_store(f"sqlite:///{source}", migrate=False)
    rows, found = full_dump(made), conflicts(made)
    made.dispose()
    expected = _writers_of_changes(f"sqlite:///{source}")
    old_changes = _raw(url, _CHANGES)
    old_columns = _columns(url)
    pairs = {(r[8], r[9]) for r in old_changes}
    assert len(pairs) == 2 and len(old_changes) == len(expected) > 20  # two laptops' changes

    store = open_store(url)  # 0019 -> 0020 (a SQLite file after a backup)
    assert full_dump(store) == rows  # every row reads back exactly
    assert conflicts(store) == found and [c.field for c in found] == ["team"]
    assert {s.author for s in found[0].sides} == {"Alex Auditor", "Sam Senior"}
    assert consistent(store) == []
    store.dispose()
    assert _writers_of_changes(url) == expected  # each change: its author and device
    assert "author" not in _columns(url) and "writer_id" in _columns(url)
    writers = _raw(url, "SELECT id, author, device_id FROM writers ORDER BY id")
    assert len(writers) == len(pairs)  # each pair once
    numbers = {r[0] for r in _raw(url, "SELECT DISTINCT writer_id FROM changes")}
    assert numbers == {w[0] for w in writers}

    _to(url, "0019", down=True)
    assert _columns(url) == old_columns
    assert _raw(url, _CHANGES) == old_changes  # every column back, exactly
    assert "writers" not in inspect(create_engine(url)).get_table_names()
    _to(url, "0020")  # and up again
    up = open_store(url)
    assert full_dump(up) == rows and conflicts(up) == found and consistent(up) == []
    up.dispose()
    assert _writers_of_changes(url) == expected


def test_0020_on_sqlite(sqlite_db, tmp_path: Path) -> None:
    source, _ids = _made_by_0011(sqlite_db, tmp_path, deleted=True)
    _check(f"sqlite:///{tmp_path / 'old.db'}", source)


def test_0020_on_postgresql(sqlite_db, pg_server, tmp_path: Path) -> None:
    source, _ids = _made_by_0011(sqlite_db, tmp_path, deleted=True)
    _check(pg_server.create_database("t_0020"), source)


def test_an_author_too_long_stops_the_upgrade(sqlite_db, tmp_path: Path) -> None:
    source, _ids = _made_by_0011(sqlite_db, tmp_path)
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0019(url, source)
    engine = create_engine(url)
    with engine.begin() as connection:  # only a forged change could hold one (SQLite keeps it)
        connection.execute(
            text("UPDATE changes SET author = :a WHERE counter = 1"), {"a": "x" * 201}
        )
    engine.dispose()
    with pytest.raises(StoreError, match="longer than 200 characters"):
        open_store(url)
    assert _raw(url, "SELECT version_num FROM alembic_version") == [("0019",)]
    assert _raw(url, "SELECT count(*) FROM changes WHERE length(author) = 201") != [(0,)]


def test_writers_are_numbered_once_by_edits_and_merges(sqlite_db, tmp_path: Path) -> None:
    """Local edits (the ORM) and merges (the bulk writer, the known path) share the writers:
    one row per (author, device), whatever way a change came in."""
    source, _ids = _made_by_0011(sqlite_db, tmp_path, deleted=True)
    url = f"sqlite:///{source}"
    writers = _raw(url, "SELECT author FROM writers ORDER BY author")
    assert writers == [("Alex Auditor",), ("Sam Senior",)]
    assert _raw(url, "SELECT count(DISTINCT writer_id) FROM changes") == [(2,)]


def test_a_change_whose_writer_is_missing_is_a_consistency_problem(tmp_path: Path) -> None:
    """A change naming a writer the database lacks cannot be read whole: the consistency
    check names it (and how many), rather than failing on its missing author."""
    from sqlalchemy import update

    from tests.sync.helpers import Laptop

    laptop = Laptop(f"sqlite:///{tmp_path / 'qa.db'}", tmp_path, "Ann Auditor")
    try:
        laptop.new_evaluation()
        assert consistent(laptop.store) == []
        with laptop.store.session() as session:
            count = len(session.scalars(select(models.Change.id)).all())
            session.execute(update(models.Change).values(writer_id=999))
        problems = consistent(laptop.store)
        assert len(problems) == 1, problems
        assert problems[0].startswith(f"{count} changes name a writer the database does not")
        assert problems[0].count("(writer 999)") == 5 and count > 5
    finally:
        laptop.store.dispose()
