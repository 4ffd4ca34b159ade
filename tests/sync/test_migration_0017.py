"""Migration 0017 (``field_states`` keeps each record's creation and deletion and each field
with several heads; a field with one head is derived from its changes) on SQLite and on
PostgreSQL: a downgrade gives every field its row back exactly as 0016 kept it (its one head as
winner, ``heads`` NULL), the upgrade takes those rows away again, and nothing else changes —
the records, the change log, the conflicts."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from qa_tui.domain import evaluation as ev
from qa_tui.store import models
from qa_tui.store.codes import FIELD_NAMES, RECORD_TYPES
from qa_tui.store.db import Store, make_engine
from qa_tui.store.migrate import alembic_config, open_store
from qa_tui.sync.conflicts import list_conflicts
from tests.sync.helpers import (
    as_name,
    as_text,
    conflicts,
    consistent,
    copy_into,
    field_states_before_0017,
    full_dump,
)
from tests.sync.test_migration_0012 import _made_by_0011


def _to(url: str, revision: str, *, down: bool = False) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        move = command.downgrade if down else command.upgrade
        move(alembic_config(connection), revision)
    engine.dispose()


def _stored(store: Store) -> set[tuple[object, ...]]:
    """The field states' rows, in their Python form whatever the schema (0016 keeps names and
    ids as text; 0019 as numbers and 16 bytes)."""
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT entity_id, field, entity_type, evaluation_id, heads, winner_id, "
            '"conflict" FROM field_states'
        ).all()
    return {
        (
            as_text(e),
            as_name(f, FIELD_NAMES),
            as_name(t, RECORD_TYPES),
            str(a),
            h,
            as_text(w),
            bool(c),
        )
        for e, f, t, a, h, w, c in rows
    }


def _check(url: str, source: Path, ids: list[str]) -> None:
    made = open_store(f"sqlite:///{source}", migrate=False)
    found = conflicts(made)
    assert [c.field for c in found] == ["team"]
    store = open_store(url)
    copy_into(store, made)  # merged as a central database merges
    made.dispose()
    rows = full_dump(store)
    kept = _stored(store)
    old = {tuple(r.values()) for r in field_states_before_0017(store)}
    store.dispose()
    # At 0017: the creations and deletions and the one field with two heads, no other field.
    assert {(r[1], r[4] is not None) for r in kept} == {("_create", False), ("team", True)}
    assert kept < old and len(old) > 3 * len(kept)

    _to(url, "0016", down=True)
    down = open_store(url, migrate=False)
    assert _stored(down) == old  # every field's row back, as 0016 kept it
    down.dispose()

    up = open_store(url)  # 0016 -> 0017 again
    assert _stored(up) == kept
    assert full_dump(up) == rows
    assert conflicts(up) == found and consistent(up) == []
    with up.session() as session:
        assert [c.field for c in list_conflicts(session, ids[0])] == ["team"]
    up.dispose()


def test_0017_on_sqlite(sqlite_db, tmp_path: Path) -> None:
    source, ids = _made_by_0011(sqlite_db, tmp_path)
    _check(sqlite_db(), source, ids)


def test_0017_on_postgresql(sqlite_db, tmp_path: Path, pg_server) -> None:
    source, ids = _made_by_0011(sqlite_db, tmp_path)
    _check(pg_server.create_database("t_before_0017"), source, ids)


def test_a_field_set_again_after_a_conflict_loses_its_row(sqlite_db, tmp_path: Path) -> None:
    """A conflict's row goes when a local edit settles it (one head again), and the field's
    value is then read from its changes."""
    source, ids = _made_by_0011(sqlite_db, tmp_path)
    store = open_store(f"sqlite:///{source}")
    with store.reader() as session:
        assert session.get(models.FieldState, (ids[0], "team")) is not None
    from qa_tui.store.history import Actor

    actor = Actor("Alex Auditor", "aaaaaaaa-0000-4000-8000-000000000000")
    with store.session() as session:
        ev.update_details(session, actor, ids[0], {"team": "Locality North"}, ".*")
    with store.reader() as session:
        assert session.get(models.FieldState, (ids[0], "team")) is None
        assert session.get(models.Evaluation, ids[0]).team == "Locality North"
    assert conflicts(store) == [] and consistent(store) == []
    store.dispose()
