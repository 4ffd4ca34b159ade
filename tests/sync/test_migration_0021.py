"""Migration 0021 (the current-state records keep only the provenance their readers need; a
change received names its bundle by the number of a ``sources`` row) on a copy of a database
as the qa-tui before it wrote it, on SQLite and on PostgreSQL: every row reads back exactly,
the conflicts and the consistency checks are as before, each change names the bundle it
named, and a downgrade gives every dropped column back exactly as 0020 kept it — from the
change log — and every change its bundle's id; then up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from qa_tui.domain import evaluation as ev
from qa_tui.errors import StoreError
from qa_tui.store import models
from qa_tui.store.codes import RECORD_TYPES
from qa_tui.store.migrate import open_store
from qa_tui.store.revisions import head_revision
from tests.sync.helpers import (
    TEMPLATE,
    Laptop,
    conflicts,
    consistent,
    copy_as_old,
    copy_into,
    full_dump,
)
from tests.sync.test_migration_0012 import _made_by_0011
from tests.sync.test_migration_0019 import _raw, _to

_PROVENANCE = "created_by, created_device, created_at, updated_at"
_CHANGES = (
    "SELECT id, entity_type, entity_id, evaluation_id, field, value, old_value, supersedes, "
    "writer_id, counter, wall_time, bundle_id FROM changes ORDER BY id"
)
_NOT_ROOTS = "entity_type NOT IN ({})".format(
    ", ".join(str(RECORD_TYPES.index(t)) for t in ("evaluation", "moderation_session", "plan"))
)
# Tables the source database holds records of that lose a column, and one that keeps all.
_TABLES = ("evaluations", "participants", "responses", "actions", "lifecycle_events")


def _made(sqlite_db, tmp_path: Path) -> Path:
    """``_made_by_0011``'s database (a conflict, a deleted action, two laptops' changes, each
    laptop's merged into the other's) with a response both laptops made (one id, two
    creations: the downgrade takes the winner's provenance) and a lifecycle event."""
    source, ids = _made_by_0011(sqlite_db, tmp_path, deleted=True)
    a = Laptop(f"sqlite:///{source}", tmp_path, "Alex Auditor")
    b = Laptop(sqlite_db(), tmp_path, "Sam Senior")
    copy_into(b.store, a.store)
    item = "standards_met"
    a.do(ev.set_response, TEMPLATE, ids[2], item, evidence="Seen at home.")
    b.do(ev.set_response, TEMPLATE, ids[2], item, evidence="Seen at school.")
    copy_into(a.store, b.store)
    a.store.dispose()
    b.store.dispose()
    return source


def _at_0020(url: str, source: Path) -> None:
    """``url``: a database at 0020 holding ``source``'s rows as 0020 kept them (each record
    with its provenance, each change with its bundle's id)."""
    _to(url, "0020")
    into, out = create_engine(url), create_engine(f"sqlite:///{source}")
    with into.begin() as write, out.connect() as read:
        copy_as_old(read, write)
    into.dispose()
    out.dispose()


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    names = {c["name"] for c in inspect(engine).get_columns(table)}
    engine.dispose()
    return names


def _provenance(url: str) -> dict[str, list[tuple[object, ...]]]:
    return {t: _raw(url, f"SELECT id, {_PROVENANCE} FROM {t} ORDER BY id") for t in _TABLES}


def _bundles_of_changes(url: str) -> dict[str, str | None]:
    store = open_store(url, migrate=False)
    with store.reader() as session:
        found = {c.id: c.bundle_id for c in session.scalars(select(models.Change))}
    store.dispose()
    return found


def _check(url: str, source: Path) -> None:
    _at_0020(url, source)
    made = open_store(f"sqlite:///{source}", migrate=False)
    rows, found = full_dump(made), conflicts(made)
    made.dispose()
    expected = _bundles_of_changes(f"sqlite:///{source}")
    old_provenance, old_changes = _provenance(url), _raw(url, _CHANGES)
    bundles = {r[11] for r in old_changes} - {None}
    assert len(bundles) >= 2 and None in {r[11] for r in old_changes}  # received and made here
    made_twice = _raw(url, "SELECT count(*) FROM changes WHERE field = 0 GROUP BY entity_id")
    assert max(n for (n,) in made_twice) == 2  # the response both laptops made

    store = open_store(url)  # 0020 -> 0021 (a SQLite file after a backup, then VACUUM)
    assert full_dump(store) == rows  # every row reads back exactly
    assert conflicts(store) == found and consistent(store) == []
    store.dispose()
    assert _bundles_of_changes(url) == expected  # each change: the bundle that brought it
    assert "bundle_id" not in _columns(url, "changes")
    assert len(_raw(url, "SELECT id FROM sources")) == len(bundles)  # each bundle once
    assert not _columns(url, "responses") & {"created_by", "created_at", "updated_at"}
    assert _columns(url, "evaluations") >= set(_PROVENANCE.split(", "))
    assert "created_by" in _columns(url, "lifecycle_events")
    # Every creation of a record in an aggregate keeps a mark in its aggregate id's place.
    marked = _raw(url, "SELECT count(*) FROM changes WHERE value LIKE '%\"\"\\:0%'")
    children = _raw(url, f"SELECT count(*) FROM changes WHERE field = 0 AND {_NOT_ROOTS}")
    assert marked == children and children[0][0] >= 4

    _to(url, "0020", down=True)
    assert _provenance(url) == old_provenance  # every dropped column back, from the history
    assert _raw(url, _CHANGES) == old_changes  # every change with its bundle's id, exactly
    assert "sources" not in inspect(create_engine(url)).get_table_names()
    _to(url, "0021")  # and up again
    up = open_store(url)
    assert full_dump(up) == rows and conflicts(up) == found and consistent(up) == []
    up.dispose()
    assert _bundles_of_changes(url) == expected


def test_0021_on_sqlite(sqlite_db, tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'old.db'}", _made(sqlite_db, tmp_path))


def test_0021_on_postgresql(sqlite_db, pg_server, tmp_path: Path) -> None:
    _check(pg_server.create_database("t_0021"), _made(sqlite_db, tmp_path))


def test_a_record_without_its_creation_loses_what_nothing_reads(sqlite_db, tmp_path: Path) -> None:
    """A record the change log never made (only a damaged or hand-made database holds one):
    the upgrade goes on (nothing reads the columns it drops), and a downgrade gives the
    record empty ones where the others get theirs back from the change log."""
    source, _ids = _made_by_0011(sqlite_db, tmp_path)
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_0020(url, source)
    orphan = "01a23256-0000-7000-8000-000000000001"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO participants (id, evaluation_id, name, role, created_by, "
                "created_device, created_at, updated_at, deleted) SELECT "
                ":orphan, id, 'Someone', 'Auditor', created_by, created_device, created_at, "
                "updated_at, 0 FROM evaluations LIMIT 1"
            ),
            {"orphan": orphan},
        )
    engine.dispose()
    others = _raw(url, f"SELECT id, {_PROVENANCE} FROM participants WHERE id <> '{orphan}'")
    open_store(url).dispose()
    assert "created_by" not in _columns(url, "participants")
    made = _raw(url, f"SELECT id, created_at FROM participants WHERE id = '{orphan}'")
    assert made and made[0][1]  # its created_at (read) stays
    _to(url, "0020", down=True)
    assert _raw(url, f"SELECT id, {_PROVENANCE} FROM participants WHERE id <> '{orphan}'") == (
        others
    )
    got = _raw(
        url,
        f"SELECT created_by, created_device, updated_at FROM participants WHERE id = '{orphan}'",
    )
    assert got == [("", "", "")]


def test_a_change_naming_no_source_stops_the_downgrade(sqlite_db, tmp_path: Path) -> None:
    """A change naming a source the database lacks: its bundle could not be given back, so
    the downgrade stops, saying how many, and the database stays as it was."""
    source, _ids = _made_by_0011(sqlite_db, tmp_path)
    url = f"sqlite:///{source}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE changes SET source_id = 999 WHERE counter = 1"))
    engine.dispose()
    before = _raw(url, "SELECT version_num FROM alembic_version")
    assert before == [(head_revision(),)]
    with pytest.raises(StoreError, match="1 changes name a source"):
        _to(url, "0020", down=True)
    assert _raw(url, "SELECT version_num FROM alembic_version") == before


def test_a_creation_is_kept_with_the_mark_and_given_back_exactly(sqlite_db, tmp_path: Path) -> None:
    """A child record's creation is stored with the mark in its aggregate's id's place, by a
    local edit (the ORM) and by a merge (the bulk writer), and comes back character for
    character through the ORM and export (the wire is as before)."""
    from qa_tui.sync.export import iter_aggregates

    source, ids = _made_by_0011(sqlite_db, tmp_path)
    url = f"sqlite:///{source}"
    kept = _raw(url, f"SELECT value FROM changes WHERE field = 0 AND {_NOT_ROOTS}")
    assert kept and all(models.ID_MARK in value for (value,) in kept)
    assert not any(evaluation_id in value for (value,) in kept for evaluation_id in ids)
    other = Laptop(sqlite_db(), tmp_path, "Chris Checker")
    into = open_store(url)
    copy_into(other.store, into)  # the bulk writer stores it the same way
    merged = _raw(other.store.url, f"SELECT value FROM changes WHERE field = 0 AND {_NOT_ROOTS}")
    assert sorted(merged) == sorted(kept)
    with into.reader() as session:
        creations = session.scalars(
            select(models.Change).where(models.Change.field == "_create")
        ).all()
        wire = [
            c for a in iter_aggregates(session, ids) for c in a.changes if c["field"] == "_create"
        ]
    children = [c for c in creations if c.entity_id != c.evaluation_id]
    assert children and all(models.ID_MARK not in c.value for c in children)
    assert all(f'"{c.evaluation_id}"' in c.value for c in children)
    assert {c.id: c.value for c in creations} == {c["id"]: c["value"] for c in wire}
    into.dispose()
    other.store.dispose()
