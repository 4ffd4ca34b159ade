"""Schema migrations: an old database is upgraded (after a backup), a newer one is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command

from qa_tui.errors import StoreError
from qa_tui.ids import id_bytes
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import alembic_config, current_revision, open_store
from qa_tui.store.revisions import head_revision

CHANGE = (
    "c0000000-0000-4000-8000-000000000001",
    "evaluation",
    "e0000000-0000-4000-8000-000000000001",
    "e0000000-0000-4000-8000-000000000001",
    "_create",
    '{"template_hash":"h","template_id":"t","template_version":"1.0"}',
    None,
    "[]",
    "Sam Patel",
    "d0000000-0000-4000-8000-000000000001",
    1,
    "2026-01-05T09:00:00.000+00:00",
    None,
)


def _database_at_0001(path: Path) -> None:
    """A database made by a qa-tui whose schema was revision 0001, holding one evaluation."""
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO changes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", CHANGE)
        db.execute(
            "INSERT INTO evaluations (id, created_by, created_device, created_at, updated_at,"
            " deleted, case_reference, service_area, team, practitioner, auditor, auditor_role,"
            " evaluation_type, template_id, template_version, template_hash, practice_day, theme,"
            " status, overall_grade, overall_na_reason, summary_strengths, summary_development,"
            " concern_description, completed_at) VALUES (?, 'Sam Patel', ?, ?, ?, 0,"
            " 'LCS-204817', 'Children in Need', '', '', 'Sam Patel', '', 'collaborative', 't',"
            " '1.0', 'h', '', '', 'draft', '', '', '', '', '', '')",
            (CHANGE[2], CHANGE[9], CHANGE[11], CHANGE[11]),
        )
        db.execute("INSERT INTO meta VALUES ('clock', '1')")
    db.close()


def _rows(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_upgrade_from_0001_keeps_the_data_and_makes_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "qa.db"
    _database_at_0001(path)
    store = open_store(f"sqlite:///{path}")
    with store.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    store.dispose()
    assert _rows(path, "SELECT case_reference FROM evaluations") == [("LCS-204817",)]
    # the change log keeps ids in 16 bytes since 0016: the same id
    assert _rows(path, "SELECT id, counter FROM changes") == [(id_bytes(CHANGE[0]), 1)]
    backups = sorted(tmp_path.glob("qa.db.before-upgrade-*"))
    if head_revision() == "0001":
        pytest.skip("only one schema revision exists: nothing to upgrade")
    assert len(backups) == 1
    assert backups[0].name.startswith("qa.db.before-upgrade-0001-")
    assert _rows(backups[0], "SELECT version_num FROM alembic_version") == [("0001",)]
    assert _rows(backups[0], "SELECT case_reference FROM evaluations") == [("LCS-204817",)]


def test_opening_at_head_again_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    open_store(url).dispose()
    open_store(url).dispose()
    assert not list(tmp_path.glob("*.before-upgrade-*"))


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "qa.db"
    open_store(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{path}")
    message = str(err.value)
    assert "newer version of qa-tui" in message and "9999_from_the_future" in message
    assert "\n" not in message
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.before-upgrade-*"))


def test_foreign_tables_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE patients (name TEXT)")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a qa-tui database"):
        open_store(f"sqlite:///{path}")
    assert path.read_bytes() == before


def _database_at_0003(path: Path) -> None:
    """A laptop database as qa-tui left it at schema 0003."""
    _database_at_0001(path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
    engine.dispose()


def test_upgrade_from_0003_adds_follow_through_and_keeps_each_action_status(
    tmp_path: Path,
) -> None:
    """0005 (follow-through): actions keep the status they were agreed with as their current status
    (no updates exist yet); the new tables are there, empty; nothing else changes."""
    path = tmp_path / "qa.db"
    _database_at_0003(path)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO actions (id, created_by, created_device, created_at, updated_at, deleted,"
            " evaluation_id, description, owner, due_date, status, completed_on, progress)"
            " VALUES ('a1', 'Sam Patel', ?, ?, ?, 0, ?, 'Update the plan', 'Jo', '2026-02-01',"
            " 'done', '2026-01-20', 'Rewritten')",
            (CHANGE[9], CHANGE[11], CHANGE[11], CHANGE[2]),
        )
    db.close()
    open_store(f"sqlite:///{path}").dispose()
    assert _rows(path, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert _rows(path, "SELECT current_status, status_on, status_note, status FROM actions") == [
        ("done", "2026-01-20", "Rewritten", "done")
    ]
    for table in ("action_updates", "concern_events", "summary_shares"):
        assert _rows(path, f"SELECT COUNT(*) FROM {table}") == [(0,)]
    assert [b.name for b in tmp_path.glob("qa.db.before-upgrade-0003-*")]


def test_upgrade_to_0007_keeps_records_that_belong_to_an_evaluation(tmp_path: Path) -> None:
    """Adding evaluations.demo must not rebuild the table: its children's foreign keys would
    refuse it (a real laptop's database has participants, responses, …)."""
    path = tmp_path / "qa.db"
    _database_at_0003(path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(
            "INSERT INTO participants (id, created_by, created_device, created_at, updated_at,"
            " deleted, evaluation_id, name, role) VALUES ('p1', 'Sam Patel', 'd', 't', 't', 0,"
            " ?, 'Sam Patel', 'Auditor')",
            (CHANGE[2],),
        )
    db.close()
    store = open_store(f"sqlite:///{path}")
    store.dispose()
    assert _rows(path, "SELECT case_reference, demo FROM evaluations") == [("LCS-204817", 0)]
    assert _rows(path, "SELECT name FROM participants") == [("Sam Patel",)]


def test_an_upgrade_gives_back_the_space_of_tables_it_rewrote(tmp_path: Path) -> None:
    """When the pages an upgrade freed are a quarter of the file or more (0016 rewrites the
    change log), the file is vacuumed: it shrinks and has no free page left."""
    from qa_tui.store.migrate import _give_space_back

    store = open_store(f"sqlite:///{tmp_path / 'qa.db'}")
    with store.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE old_log (text TEXT)")
        rows = [("x" * 1000,) for _ in range(2000)]
        connection.exec_driver_sql("INSERT INTO old_log VALUES (?)", rows)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE old_log")  # as a migration drops the old table
    path = tmp_path / "qa.db"
    before = _rows(path, "PRAGMA freelist_count")[0][0]
    assert before > 400  # two megabytes of free pages
    _give_space_back(store)
    store.dispose()
    assert _rows(path, "PRAGMA freelist_count") == [(0,)]
    assert _rows(path, "PRAGMA page_count")[0][0] < before
