"""Migration 0019 (the change log's record types, field names and wall times as numbers; the
field states' ids in 16 bytes or as ``uuid``) on a copy of a database as the qa-tui before it
wrote it, on SQLite and on PostgreSQL: the columns hold numbers, every row reads back exactly
as before (each wall time to the millisecond), the conflicts and the deletions are found as
before (the deletions' partial index names the number), and a downgrade gives the text back
exactly as 0018 kept it."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from qa_tui.errors import StoreError
from qa_tui.store import models
from qa_tui.store.codes import FIELD_CODES, RECORD_TYPE_CODES
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import alembic_config, open_store
from tests.sync.helpers import conflicts, consistent, copy_as_old, full_dump
from tests.sync.test_merge_plans import _scans, _watch
from tests.sync.test_migration_0012 import _made_by_0011

_CHANGES = "SELECT entity_type, field, wall_time FROM changes ORDER BY id"
_STATES = (
    "SELECT entity_id, field, entity_type, winner_id FROM field_states ORDER BY entity_id, field"
)


def _to(url: str, revision: str, *, down: bool = False) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)
    engine.dispose()


def _raw(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(text(sql))]
    engine.dispose()
    return rows


def _at_0018(url: str, source: Path) -> None:
    """``url``: a database at 0018 holding ``source``'s rows as 0018 kept them."""
    _to(url, "0018")
    into, out = create_engine(url), create_engine(f"sqlite:///{source}")
    with into.begin() as write, out.connect() as read:
        copy_as_old(read, write)  # names, times and ids as text, as 0018 kept them
    into.dispose()
    out.dispose()


def _check(url: str, source: Path) -> None:
    _at_0018(url, source)
    made = open_store(f"sqlite:///{source}", migrate=False)
    rows, found = full_dump(made), conflicts(made)
    made.dispose()
    old_changes, old_states = _raw(url, _CHANGES), _raw(url, _STATES)
    assert {type(v).__name__ for r in old_changes for v in r} == {"str"}
    assert all(len(str(r[2])) == 29 for r in old_changes)

    store = open_store(url)  # 0018 -> 0019 (a SQLite file after a backup)
    assert full_dump(store) == rows  # every row reads back exactly
    assert conflicts(store) == found and [c.field for c in found] == ["team"]
    assert consistent(store) == []
    store.dispose()
    new_changes = _raw(url, _CHANGES)
    assert [(r[0], r[1]) for r in new_changes] == [
        (RECORD_TYPE_CODES[str(t)], FIELD_CODES[str(f)]) for t, f, _w in old_changes
    ]
    assert {type(r[2]).__name__ for r in new_changes} == {"int"}
    ids_kind = "bytes" if url.startswith("sqlite") else "UUID"
    assert {type(r[0]).__name__ for r in _raw(url, _STATES)} == {ids_kind}
    # the removed action's deletion, under the number the partial index names
    deleted = FIELD_CODES["_deleted"]
    assert _raw(url, f"SELECT count(*) FROM field_states WHERE field = {deleted}") == [(1,)]

    _to(url, "0018", down=True)
    assert _raw(url, _CHANGES) == old_changes  # the text back, to the character
    assert _raw(url, _STATES) == old_states
    _to(url, "0019")  # and up again
    up = open_store(url)
    assert full_dump(up) == rows and conflicts(up) == found
    up.dispose()


def test_0019_on_sqlite(sqlite_db, tmp_path: Path) -> None:
    source, _ids = _made_by_0011(sqlite_db, tmp_path, deleted=True)
    _check(f"sqlite:///{tmp_path / 'old.db'}", source)


def test_0019_on_postgresql(sqlite_db, pg_server, tmp_path: Path) -> None:
    source, _ids = _made_by_0011(sqlite_db, tmp_path, deleted=True)
    _check(pg_server.create_database("t_0019"), source)


def test_a_name_this_version_does_not_know_stops_the_upgrade(sqlite_db, tmp_path: Path) -> None:
    source, _ids = _made_by_0011(sqlite_db, tmp_path)
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0018(url, source)
    engine = create_engine(url)
    with engine.begin() as connection:  # as a later version's field, merged before a downgrade
        connection.execute(text("UPDATE changes SET field = 'retired_field' WHERE field = 'team'"))
    engine.dispose()
    with pytest.raises(StoreError, match="field this version of qa-tui does not know"):
        open_store(url)
    assert _raw(url, "SELECT version_num FROM alembic_version") == [("0018",)]
    assert _raw(url, "SELECT count(*) FROM changes WHERE field = 'retired_field'") != [(0,)]


def test_the_deletions_are_found_through_their_partial_index(sqlite_db, tmp_path: Path) -> None:
    source, ids = _made_by_0011(sqlite_db, tmp_path, deleted=True)
    store = open_store(f"sqlite:///{source}")
    plans = _watch(store)
    with store.reader() as session:
        query = select(models.FieldState).where(models.DELETIONS)
        deleted = session.scalars(query.where(models.FieldState.evaluation_id == ids[1])).all()
    assert [d.field for d in deleted] == ["_deleted"]
    assert "ix_field_states_deletions" in str(plans) and _scans(plans) == []
    store.dispose()
