"""Migration 0025 (a direct sync's pull finds its evaluations from two indexes) on both
backends: a database of demo evaluations, taken back to 0024 as the qa-tui before it made it,
wants the same evaluations for a device and an auditor there, after the upgrade (which, on
SQLite, reads them from the two indexes alone: no pass over the evaluations) and after a
downgrade back to 0024."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect, select

from qa_tui.store import models
from qa_tui.store.migrate import current_revision, open_store
from qa_tui.store.revisions import head_revision
from qa_tui.sync.direct import wanted_evaluations
from tests.sync.test_migration_0015 import _to, demo_database

ADDED = {"ix_evaluations_device", "ix_evaluations_auditor"}


def _state(url: str, device: str, author: str) -> tuple[str, set[str], list[str], list[str]]:
    """The revision, which of the two indexes there are, the evaluations a laptop of this
    device and author wants, and (SQLite) how the database finds them."""
    store = open_store(url, create=False, migrate=False)
    plans: list[str] = []
    sql: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sql.append((statement, parameters))

    try:
        with store.reading() as connection:
            at = current_revision(connection) or ""
            names = {i["name"] for i in inspect(connection).get_indexes("evaluations")}
        event.listen(store.engine, "before_cursor_execute", seen)
        with store.reader() as session:
            wanted = wanted_evaluations(session, device, author)
        event.remove(store.engine, "before_cursor_execute", seen)
        if url.startswith("sqlite"):
            with store.reading() as connection:
                for statement, parameters in sql:
                    if "FROM evaluations" in statement:
                        rows = connection.exec_driver_sql(
                            f"EXPLAIN QUERY PLAN {statement}", parameters
                        )
                        plans.extend(str(r[-1]) for r in rows)
        return at, names & ADDED, wanted, plans
    finally:
        store.dispose()


def _reference(url: str, device: str, author: str) -> list[str]:
    """What the laptop wants, read the slow way: every evaluation and action looked at."""
    store = open_store(url, create=False, migrate=False)
    try:
        with store.reader() as session:
            evaluations = session.execute(
                select(
                    models.Evaluation.id,
                    models.Evaluation.created_device,
                    models.Evaluation.auditor,
                )
            ).all()
            actions = session.execute(
                select(models.Action.evaluation_id, models.Action.owner, models.Action.deleted)
            ).all()
        mine = {e for e, made_on, auditor in evaluations if made_on == device or auditor == author}
        owned = {e for e, owner, deleted in actions if owner == author and not deleted}
        return sorted(mine | owned)
    finally:
        store.dispose()


def test_0025_finds_a_laptops_evaluations_by_index_and_goes_both_ways(
    make_db: Callable[[], str], settings: Any
) -> None:
    url = demo_database(make_db, settings)
    store = open_store(url, create=False, migrate=False)
    with store.reader() as session:
        rows = session.execute(
            select(models.Evaluation.created_device, models.Evaluation.auditor)
        ).all()
    store.dispose()
    device, its_auditor = rows[0]
    # An auditor of evaluations made on other devices: the demo gives each auditor a device.
    author = next(a for d, a in rows if a and d != device and a != its_auditor)
    want = _reference(url, device, author)
    # Each way of being wanted picks out evaluations the other does not, and not everything.
    assert 0 < len(want) < len(rows)
    assert any(d == device and a != author for d, a in rows)
    assert any(a == author and d != device for d, a in rows)

    at, names, wanted, plans = _state(url, device, author)
    assert (at, names, wanted) == (head_revision(), ADDED, want)
    if url.startswith("sqlite"):
        plan = " / ".join(plans)
        for name in ADDED:
            assert f"COVERING INDEX {name}" in plan, plan
        assert "SCAN evaluations" not in plan, plan

    _to(url, "0024")  # as the qa-tui before 0025 made it
    at, names, wanted, plans = _state(url, device, author)
    assert (at, names, wanted) == ("0024", set(), want)
    if url.startswith("sqlite"):
        assert "SCAN evaluations" in " / ".join(plans)  # what 0025 spares

    open_store(url).dispose()  # upgrades
    at, names, wanted, _plans = _state(url, device, author)
    assert (at, names, wanted) == (head_revision(), ADDED, want)
