"""Migration 0009 (indexes slimmed to what queries use) on a copy of a database made before it:
every row kept, the old indexes gone and the partial index over conflicts in their place, the
conflicts found through it as before; downgrading puts the old indexes back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from qa_tui.domain import evaluation as ev
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import alembic_config, open_store
from tests.sync import helpers as h

OLD = {
    "ix_changes_device_counter",
    "ix_field_states_conflict",
    "ix_field_states_evaluation_conflict",
}


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        names = {r[0] for r in rows}
    db.close()
    return names


def _copy_at_0008(source: Path, target: Path) -> None:
    """``target``: a database at schema 0008 holding every row of ``source`` (0009 changes no
    table, only indexes), as the qa-tui before it wrote it."""
    engine = make_engine(f"sqlite:///{target}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0008")
    engine.dispose()
    made = open_store(f"sqlite:///{source}", migrate=False)
    states = h.field_states_before_0017(made)  # one row per field before 0017
    made.dispose()
    into, out = create_engine(f"sqlite:///{target}"), create_engine(f"sqlite:///{source}")
    with into.begin() as write, out.connect() as read:
        # before 0010 every field state lists its heads
        listed = [{**r, "heads": r["heads"] or f'["{r["winner_id"]}"]'} for r in states]
        h.copy_as_old(read, write, {"field_states": listed})
    into.dispose()
    out.dispose()


def _one_head_as_null(dumped: tuple) -> tuple:
    """A table's dump as 0010 stores it: a field state with one head lists no heads."""
    name, rows = dumped
    if name != "field_states":
        return dumped
    slim = [(*r[:4], "None" if r[4] == f'["{r[5]}"]' else r[4], *r[5:]) for r in rows]
    return name, sorted(slim)


def test_0009_upgrades_a_database_with_conflicts(sqlite_db, tmp_path: Path) -> None:
    a = h.Laptop(sqlite_db(), tmp_path, "Alex Auditor")
    b = h.Laptop(sqlite_db(), tmp_path, "Sam Senior")
    ids = [a.new_evaluation(f"ABC-{10000 + n}") for n in range(3)]
    h.copy_into(b.store, a.store)
    a.do(ev.update_details, ids[0], {"team": "Locality West"}, ".*")
    b.do(ev.update_details, ids[0], {"team": "Locality East"}, ".*")
    h.copy_into(a.store, b.store)
    source = Path(a.store.url.removeprefix("sqlite:///"))
    a.store.dispose()
    b.store.dispose()
    old = tmp_path / "old.db"
    _copy_at_0008(source, old)
    assert _indexes(old) >= OLD
    # What the database holds, read from the rows it was made from (today's models read the
    # change log as today's qa-tui stores it, not as 0008 did).
    before = open_store(f"sqlite:///{source}", migrate=False)
    rows, found = h.full_dump(before), h.conflicts(before)
    before.dispose()
    assert [c.field for c in found] == ["team"]
    upgraded = open_store(f"sqlite:///{old}")  # migrates, after a backup
    assert not (OLD & _indexes(old)) and "ix_field_states_conflicts" in _indexes(old)
    assert h.full_dump(upgraded) == rows
    assert h.conflicts(upgraded) == found and h.consistent(upgraded) == []
    with upgraded.engine.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT entity_id FROM field_states "
            'WHERE evaluation_id = ? AND "conflict" = 1',
            (ids[0],),
        ).all()
    assert "ix_field_states_conflicts" in str(plan)
    upgraded.dispose()
    engine = make_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0008")
    engine.dispose()
    assert _indexes(old) >= OLD and "ix_field_states_conflicts" not in _indexes(old)
