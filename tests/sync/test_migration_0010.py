"""Migration 0010 (field states slimmed) on a copy of a database as the qa-tui before it wrote
it, on SQLite and on PostgreSQL: every row kept, a field with one head stores no head list (the
winner alone) while conflicts and agreeing heads keep theirs, the conflicts and the state read
as before; on SQLite the table has no rowid; downgrading gives the old rows back."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from qa_tui.domain import evaluation as ev
from qa_tui.store import models
from qa_tui.store.codes import FIELD_NAMES
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import alembic_config, open_store
from tests.sync.helpers import (
    Laptop,
    as_name,
    as_text,
    conflicts,
    consistent,
    copy_as_old,
    copy_into,
    field_states_before_0017,
    full_dump,
)


def _made_by_0009(sqlite_db: Callable[[], str], tmp_path: Path) -> tuple[Path, list[str]]:
    """A database with a conflict (team), agreeing heads (practitioner) and single heads."""
    a = Laptop(sqlite_db(), tmp_path, "Alex Auditor")
    b = Laptop(sqlite_db(), tmp_path, "Sam Senior")
    ids = [a.new_evaluation(f"ABC-{10000 + n}") for n in range(3)]
    copy_into(b.store, a.store)
    a.do(ev.update_details, ids[0], {"team": "Locality West"}, ".*")
    b.do(ev.update_details, ids[0], {"team": "Locality East"}, ".*")
    a.do(ev.update_details, ids[1], {"practitioner": "Practitioner B"}, ".*")
    b.do(ev.update_details, ids[1], {"practitioner": "Practitioner B"}, ".*")
    copy_into(a.store, b.store)
    source = Path(a.store.url.removeprefix("sqlite:///"))
    a.store.dispose()
    b.store.dispose()
    return source, ids


def _copy_at_0009(source: Path, url: str) -> None:
    """``url``: a database at schema 0009 holding every row of ``source``, each field state
    listing its heads as the qa-tui before 0010 wrote them."""
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009")
    engine.dispose()
    made = open_store(f"sqlite:///{source}", migrate=False)
    states = field_states_before_0017(made)  # one row per field before 0017
    made.dispose()
    into, out = create_engine(url), create_engine(f"sqlite:///{source}")
    with into.begin() as write, out.connect() as read:
        listed = [{**r, "heads": r["heads"] or f'["{r["winner_id"]}"]'} for r in states]
        copy_as_old(read, write, {"field_states": listed})
    into.dispose()
    out.dispose()


def _heads_column(url: str) -> list[tuple[str, str, str | None, str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT entity_id, field, heads, winner_id FROM field_states")
        ).all()
    engine.dispose()
    return sorted((as_text(r[0]), as_name(r[1], FIELD_NAMES), r[2], as_text(r[3])) for r in rows)


def _check_upgrade(url: str, ids: list[str], source: Path) -> None:
    # What the database holds before, read from the rows it was made from (today's models
    # read the change log's ids as 0016 stores them, not as 0009 did).
    before = open_store(f"sqlite:///{source}", migrate=False)
    rows, found = full_dump(before), conflicts(before)
    old_heads = _heads_column(url)
    before.dispose()
    assert [c.field for c in found] == ["team"]
    assert all(h is not None for _e, _f, h, _w in old_heads)
    upgraded = open_store(url)  # migrates (a SQLite file after a backup)
    if url.startswith("sqlite:///"):  # the key is the table
        assert "WITHOUT ROWID" in _table_sql(Path(url.removeprefix("sqlite:///")))
    new_heads = _heads_column(url)
    several = {(e, f) for e, f, h, w in old_heads if h != f'["{w}"]'}
    assert {(ids[0], "team"), (ids[1], "practitioner")} <= several
    # Only single heads lose their list, and only because it repeated the winner.
    assert [(e, f, h) for e, f, h, _w in new_heads if h is not None] == [
        (e, f, h) for e, f, h, _w in old_heads if (e, f) in several
    ]
    # At the head (0017) a field with one head has no row, but a creation or deletion.
    kept = [r for r in old_heads if (r[0], r[1]) in several or r[1] in ("_create", "_deleted")]
    assert [r[:2] for r in new_heads] == [r[:2] for r in kept] and len(old_heads) > 40
    with upgraded.reader() as session:
        states = session.scalars(select(models.FieldState))
        heads = {(s.entity_id, s.field): s.heads for s in states}
    assert heads == {(e, f): h for e, f, h, _w in kept}  # the model reads them as before
    same = [r for r in full_dump(upgraded) if r[0] not in ("alembic_version", "field_states")]
    assert same == [r for r in rows if r[0] not in ("alembic_version", "field_states")]
    assert conflicts(upgraded) == found and consistent(upgraded) == []
    upgraded.dispose()
    engine = make_engine(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0009")
    engine.dispose()
    assert _heads_column(url) == old_heads


def test_0010_upgrades_a_sqlite_database(sqlite_db, tmp_path: Path) -> None:
    source, ids = _made_by_0009(sqlite_db, tmp_path)
    old = tmp_path / "old.db"
    _copy_at_0009(source, f"sqlite:///{old}")
    assert "WITHOUT ROWID" not in _table_sql(old)
    _check_upgrade(f"sqlite:///{old}", ids, source)
    assert "WITHOUT ROWID" not in _table_sql(old)  # downgraded


def test_0010_upgrades_a_postgresql_database(sqlite_db, tmp_path: Path, pg_server) -> None:
    source, ids = _made_by_0009(sqlite_db, tmp_path)
    url = pg_server.create_database("t_before_0010")
    _copy_at_0009(source, url)
    _check_upgrade(url, ids, source)


def _table_sql(path: Path) -> str:
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT sql FROM sqlite_master WHERE name = 'field_states'").fetchone()
    db.close()
    return str(found[0])
