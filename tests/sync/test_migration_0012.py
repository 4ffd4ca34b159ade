"""Migration 0012 (the change log's two indexes replaced by one by aggregate, record and field)
and a partial index of the deleted records' fields, on a copy of a database as the qa-tui before
it wrote it, on SQLite and on PostgreSQL: every row kept, the conflicts and the state read as
before, the change log's queries and the conflicts' find their rows through the new indexes,
scanning nothing; downgrading gives the old indexes back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect

from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.store.db import make_engine
from qa_tui.store.history import recompute_field
from qa_tui.store.migrate import alembic_config, open_store
from qa_tui.store.views import load_view
from qa_tui.sync.conflicts import list_conflicts
from tests.sync.helpers import (
    Laptop,
    conflicts,
    consistent,
    copy_as_old,
    copy_into,
    field_states_before_0017,
    full_dump,
)
from tests.sync.test_merge_plans import _scans, _watch

OLD = {"ix_changes_entity_field", "ix_changes_evaluation"}
NEW = {"ix_changes_aggregate_entity_field", "ix_field_states_deletions"}


def _made_by_0011(
    sqlite_db: Callable[[], str], tmp_path: Path, *, deleted: bool = False
) -> tuple[Path, list[str]]:
    """A database with a conflict (team), an action (``deleted``: removed) and single heads."""
    a = Laptop(sqlite_db(), tmp_path, "Alex Auditor")
    b = Laptop(sqlite_db(), tmp_path, "Sam Senior")
    ids = [a.new_evaluation(f"ABC-{10000 + n}") for n in range(3)]
    action = a.do(outcomes.add_action, ids[1], "Visit weekly", "Sam Senior", "2026-12-01")
    if deleted:
        a.do(outcomes.remove_action, action)
    copy_into(b.store, a.store)
    a.do(ev.update_details, ids[0], {"team": "Locality West"}, ".*")
    b.do(ev.update_details, ids[0], {"team": "Locality East"}, ".*")
    copy_into(a.store, b.store)
    source = Path(a.store.url.removeprefix("sqlite:///"))
    a.store.dispose()
    b.store.dispose()
    return source, ids


def _copy_at_0011(source: Path, url: str) -> None:
    """``url``: a database at schema 0011 holding every row of ``source``."""
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")
    engine.dispose()
    made = open_store(f"sqlite:///{source}", migrate=False)
    states = field_states_before_0017(made)  # one row per field before 0017
    made.dispose()
    into, out = create_engine(url), create_engine(f"sqlite:///{source}")
    with into.begin() as write, out.connect() as read:
        copy_as_old(read, write, {"field_states": states})
    into.dispose()
    out.dispose()


def _to(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    engine.dispose()


def _indexes(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {
            str(i["name"])
            for table in ("changes", "field_states")
            for i in inspect(connection).get_indexes(table)
        }
    engine.dispose()
    return found


def _check_upgrade(url: str, ids: list[str], source: Path) -> None:
    assert _indexes(url) >= OLD and not _indexes(url) & NEW
    # What the database holds before, read from the rows it was made from (today's models
    # read the change log's ids as 0016 stores them, not as 0011 did).
    before = open_store(f"sqlite:///{source}", migrate=False)
    rows, found = full_dump(before), conflicts(before)
    before.dispose()
    assert [c.field for c in found] == ["team"]
    _to(url, "0012")
    assert _indexes(url) >= NEW and not _indexes(url) & OLD
    upgraded = open_store(url)  # on to the head (0016 keys the change log by the same columns)
    same = [r for r in full_dump(upgraded) if r[0] != "alembic_version"]
    assert same == [r for r in rows if r[0] != "alembic_version"]
    assert conflicts(upgraded) == found and consistent(upgraded) == []
    if url.startswith("sqlite:///"):  # the field queries use the new index, scan nothing
        plans = _watch(upgraded)
        with upgraded.session() as session:
            assert [c.field for c in list_conflicts(session, ids[0])] == ["team"]
            assert recompute_field(session, ids[0], "team") is not None
            view = load_view(session, ids[1])
            assert [a.description for a in view.actions] == ["Visit weekly"]
        assert any("FROM changes" in s for s in plans)
        assert _scans(plans) == [], _scans(plans)  # the deletions too: their partial index
    upgraded.dispose()
    engine = make_engine(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0011")
    engine.dispose()
    assert _indexes(url) >= OLD and not _indexes(url) & NEW


def test_0012_upgrades_a_sqlite_database(sqlite_db, tmp_path: Path) -> None:
    source, ids = _made_by_0011(sqlite_db, tmp_path)
    old = tmp_path / "old.db"
    _copy_at_0011(source, f"sqlite:///{old}")
    _check_upgrade(f"sqlite:///{old}", ids, source)


def test_0012_upgrades_a_postgresql_database(sqlite_db, tmp_path: Path, pg_server) -> None:
    source, ids = _made_by_0011(sqlite_db, tmp_path)
    url = pg_server.create_database("t_before_0012")
    _copy_at_0011(source, url)
    _check_upgrade(url, ids, source)
