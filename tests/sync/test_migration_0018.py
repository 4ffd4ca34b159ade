"""Migration 0018 (five indexes dropped whose column leads another index of the same table) on
SQLite and on PostgreSQL: the indexes go and come back on a downgrade, and the queries that
name those columns still find their rows through an index (SQLite's plans scan no table)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, select

from qa_tui.domain import outcomes
from qa_tui.store import models
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import alembic_config, open_store
from tests.sync.helpers import Laptop, full_dump
from tests.sync.test_merge_plans import _scans, _watch

DROPPED = {
    ("responses", "ix_responses_evaluation_id"),
    ("scales", "ix_scales_evaluation_id"),
    ("actions", "ix_actions_evaluation_id"),
    ("moderations", "ix_moderations_moderated_on"),
    ("moderation_judgements", "ix_moderation_judgements_moderation_id"),
}


def _indexes(url: str) -> set[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {
            (table, str(i["name"]))
            for table in {t for t, _i in DROPPED}
            for i in inspect(connection).get_indexes(table)
        }
    engine.dispose()
    return found


def _move(url: str, revision: str, *, down: bool = False) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)
    engine.dispose()


def _check(url: str, tmp_path: Path) -> None:
    laptop = Laptop(url, tmp_path, "Alex Auditor")
    evaluation_id = laptop.new_evaluation("ABC-10001")
    laptop.do(outcomes.add_action, evaluation_id, "Visit weekly", "Sam Senior", "2026-12-01")
    rows = full_dump(laptop.store)
    laptop.store.dispose()
    assert not DROPPED & _indexes(url)  # at the head
    _move(url, "0017", down=True)
    assert _indexes(url) >= DROPPED
    store = open_store(url)  # 0017 -> head
    assert not DROPPED & _indexes(url)
    assert full_dump(store) == rows
    store.dispose()


def test_0018_on_sqlite(sqlite_db, tmp_path: Path) -> None:
    _check(sqlite_db(), tmp_path)


def test_0018_on_postgresql(pg_server, tmp_path: Path) -> None:
    _check(pg_server.create_database("t_0018"), tmp_path)


def test_the_queries_by_those_columns_still_use_an_index(sqlite_db, tmp_path: Path) -> None:
    laptop = Laptop(sqlite_db(), tmp_path, "Alex Auditor")
    evaluation_id = laptop.new_evaluation("ABC-10001")
    laptop.do(outcomes.add_action, evaluation_id, "Visit weekly", "Sam Senior", "2026-12-01")
    plans = _watch(laptop.store)
    with laptop.store.reader() as session:
        for model in (models.Response, models.Scale, models.Action):
            session.scalars(select(model).where(model.evaluation_id == evaluation_id)).all()
        session.scalars(
            select(models.ModerationJudgement).where(
                models.ModerationJudgement.moderation_id == evaluation_id
            )
        ).all()
        on = models.Moderation.moderated_on
        session.scalars(
            select(models.Moderation).where(on >= dt.date(2026, 1, 1), on < dt.date(2027, 1, 1))
        ).all()
    assert len(plans) == 5
    assert _scans(plans) == [], _scans(plans)
    laptop.store.dispose()
