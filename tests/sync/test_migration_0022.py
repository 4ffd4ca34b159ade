"""Migration 0022 (the moderation report's indexes cover its queries) on both backends: a
database with moderation sessions, taken back to 0021 as the qa-tui before it made it, gives
the same moderation report there, after the upgrade (which, on SQLite, reads a year's
moderations with their evaluations and their judgements from the indexes alone) and after a
downgrade back to 0021."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect

from qa_tui.reports.moderation_units import AgreementFilter, _judgements, _moderated
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import current_revision, open_store
from qa_tui.store.revisions import head_revision
from tests.sync.test_migration_0015 import _report, _to, moderated_demo

# Each index, its table, and the column 0022 adds at its end.
ADDED = {
    "ix_moderations_report": ("moderations", "session_id"),
    "ix_evaluations_by_id": ("evaluations", "template_hash"),
    "ix_moderation_judgements_report": ("moderation_judgements", "item_id"),
}


def _last_columns(url: str) -> dict[str, str]:
    """Each of the three indexes' last column, and the revision (key "at")."""
    engine = make_engine(url)
    with engine.connect() as connection:
        found = {"at": current_revision(connection) or ""}
        for name, (table, _column) in ADDED.items():
            (index,) = [i for i in inspect(connection).get_indexes(table) if i["name"] == name]
            found[name] = str(index["column_names"][-1])
    engine.dispose()
    return found


def _plans(url: str) -> str:
    store = open_store(url, create=False, migrate=False)
    try:
        with store.reading() as connection:
            flt = AgreementFilter(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
            plans: list[str] = []
            for query in (_moderated(flt), _judgements(flt)):
                sql = query.compile(store.engine, compile_kwargs={"literal_binds": True})
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
                plans.extend(str(r[-1]) for r in rows)
        return " / ".join(plans)
    finally:
        store.dispose()


def test_0022_keeps_the_report_and_goes_both_ways(
    make_db: Callable[[], str], settings: Any
) -> None:
    url, made = moderated_demo(make_db, settings)
    assert b'"blind_1"' in made and b'"agreed_grade"' in made  # judgements and blind grades
    before = {name: column for name, (_table, column) in ADDED.items()}
    assert _last_columns(url) == {"at": head_revision(), **before}
    _to(url, "0021")  # as the qa-tui before 0022 made it
    assert _last_columns(url) == {
        "at": "0021",
        "ix_moderations_report": "id",
        "ix_evaluations_by_id": "evaluation_date",
        "ix_moderation_judgements_report": "deleted",
    }
    assert _report(url) == made
    open_store(url).dispose()  # upgrades
    assert _last_columns(url) == {"at": head_revision(), **before}
    assert _report(url) == made
    if url.startswith("sqlite"):
        plan = _plans(url)
        for name in ADDED:
            assert f"COVERING INDEX {name}" in plan, plan
        assert " USING INDEX " not in plan, plan  # no table's rows read
