"""Migration 0016 (the change log's ids in 16 bytes or ``uuid``, the change log keyed by
aggregate, record, field and id) on a copy of a database as the qa-tui before it wrote it, on
SQLite and on PostgreSQL: every row kept with the same ids, the conflicts and the state read as
before, the field queries find their rows through the new key (no scan), and a downgrade gives
the text ids, the old key and the old index back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from qa_tui.ids import id_bytes
from qa_tui.store.db import make_engine
from qa_tui.store.history import recompute_field
from qa_tui.store.migrate import alembic_config, open_store
from qa_tui.store.views import load_view
from qa_tui.sync.conflicts import list_conflicts
from tests.sync.helpers import (
    conflicts,
    consistent,
    copy_as_old,
    field_states_before_0017,
    full_dump,
)
from tests.sync.test_merge_plans import _scans, _watch
from tests.sync.test_migration_0012 import _made_by_0011

OLD_INDEX = "ix_changes_aggregate_entity_field"


def _copy_at_0015(source: Path, url: str) -> None:
    """``url``: a database at schema 0015 holding every row of ``source``, written as the
    qa-tui before 0016 wrote them (the change log's ids as text)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0015")
    engine.dispose()
    made = open_store(f"sqlite:///{source}", migrate=False)
    states = field_states_before_0017(made)  # one row per field before 0017
    made.dispose()
    into, out = create_engine(url), create_engine(f"sqlite:///{source}")
    with into.begin() as write, out.connect() as read:
        copy_as_old(read, write, {"field_states": states})  # ids as text, as 0015 kept them
    into.dispose()
    out.dispose()


def _first_ids(url: str) -> list[tuple[object, object]]:
    """The first change's id and its first link's, as the database holds them."""
    engine = create_engine(url)
    with engine.connect() as connection:
        first = "SELECT {0} FROM {1} ORDER BY {0} LIMIT 1"  # min() takes no uuid on PostgreSQL 15
        change = connection.execute(text(first.format("id", "changes"))).scalar()
        link = connection.execute(text(first.format("change_id", "change_links"))).scalar()
    engine.dispose()
    return [(type(change).__name__, change), (type(link).__name__, link)]


def _indexes(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {str(i["name"]) for i in inspect(connection).get_indexes("changes")}
    engine.dispose()
    return found


def _check(url: str, ids: list[str], source: Path) -> None:
    before_store = open_store(f"sqlite:///{source}", migrate=False)
    rows, found = full_dump(before_store), conflicts(before_store)
    before_store.dispose()
    assert [c.field for c in found] == ["team"]
    old_ids = _first_ids(url)
    assert [kind for kind, _value in old_ids] == ["str", "str"]  # text, as 0015 kept them
    assert OLD_INDEX in _indexes(url)

    upgraded = open_store(url)  # migrates (a SQLite file after a backup)
    new_ids = _first_ids(url)
    if url.startswith("sqlite"):
        assert new_ids == [("bytes", id_bytes(str(v))) for _kind, v in old_ids]
        sql = _table_sql(Path(url.removeprefix("sqlite:///")))
        assert "WITHOUT ROWID" in sql and "PRIMARY KEY (evaluation_id, entity_id, field, id)" in sql
        # the old tables' pages given back when they are a quarter of the file or more
        assert _pragma(url, "freelist_count") * 4 < _pragma(url, "page_count")
    else:  # psycopg reads a uuid column as uuid.UUID
        assert [(kind, str(v)) for kind, v in new_ids] == [("UUID", v) for _k, v in old_ids]
    assert OLD_INDEX not in _indexes(url)  # the key leads with the same columns
    assert [r for r in full_dump(upgraded) if r[0] != "alembic_version"] == [
        r for r in rows if r[0] != "alembic_version"
    ]
    assert conflicts(upgraded) == found and consistent(upgraded) == []
    if url.startswith("sqlite"):  # the field queries find their rows by the key
        plans = _watch(upgraded)
        with upgraded.session() as session:
            assert [c.field for c in list_conflicts(session, ids[0])] == ["team"]
            assert recompute_field(session, ids[0], "team") is not None
            view = load_view(session, ids[1])
            assert [a.description for a in view.actions] == ["Visit weekly"]
        assert any("FROM changes" in s for s in plans)
        assert _scans(plans) == [], _scans(plans)
    upgraded.dispose()

    engine = make_engine(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0015")
    engine.dispose()
    assert _first_ids(url) == old_ids and OLD_INDEX in _indexes(url)


def test_0016_upgrades_a_sqlite_database(sqlite_db, tmp_path: Path) -> None:
    source, ids = _made_by_0011(sqlite_db, tmp_path)
    old = tmp_path / "old.db"
    _copy_at_0015(source, f"sqlite:///{old}")
    _check(f"sqlite:///{old}", ids, source)
    assert "WITHOUT ROWID" not in _table_sql(old)  # downgraded: the table as it was


def test_0016_upgrades_a_postgresql_database(sqlite_db, tmp_path: Path, pg_server) -> None:
    source, ids = _made_by_0011(sqlite_db, tmp_path)
    url = pg_server.create_database("t_before_0016")
    _copy_at_0015(source, url)
    _check(url, ids, source)


def _pragma(url: str, name: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        (value,) = db.execute(f"PRAGMA {name}").fetchone()
    db.close()
    return int(value)


def _table_sql(path: Path) -> str:
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT sql FROM sqlite_master WHERE name = 'changes'").fetchone()
    db.close()
    return " ".join(str(found[0]).split())
