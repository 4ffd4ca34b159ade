"""The cost of a merge follows the bundle, not the database: every statement a merge runs
(new evaluations, evaluations the database holds, a direct sync) finds its rows through an
index, never by scanning a table or a whole index (SQLite's query plans)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import event

from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.store import models
from qa_tui.store.db import Store
from qa_tui.sync.central import merge_bundle_file
from tests.sync.helpers import TEMPLATE, Laptop, make_central

TABLES = set(models.Base.metadata.tables)


def _watch(store: Store) -> dict[str, list[str]]:
    """Record the query plan of every distinct statement run on ``store``."""
    plans: dict[str, list[str]] = {}

    @event.listens_for(store.engine, "before_cursor_execute")
    def plan(conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool):
        text = statement.strip()
        if not text.upper().startswith(("SELECT", "UPDATE", "DELETE")) or text in plans:
            return
        bound = parameters[0] if many else parameters
        raw = conn.connection.dbapi_connection
        plans[text] = [row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {text}", bound)]

    return plans


def _scans(plans: dict[str, list[str]]) -> list[str]:
    found = []
    for statement, steps in plans.items():
        for step in steps:
            scanned = re.match(r"SCAN (\w+)", step)
            if scanned and scanned.group(1) in TABLES:
                found.append(f"{step}: {' '.join(statement.split())[:200]}")
    return found


def test_merges_use_indexes_only(sqlite_db, tmp_path: Path, settings) -> None:
    from qa_tui.sync.direct import sync_now
    from tests.sync.test_retention_and_sync import laptop_settings

    laptop = Laptop(sqlite_db(), tmp_path, "Alex Auditor")
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    plans = _watch(central)
    ids = [laptop.new_evaluation(f"ABC-{10000 + n}") for n in range(3)]
    for evaluation_id in ids:
        laptop.do(ev.add_entry, TEMPLATE, evaluation_id, "working_well", "a note")
        laptop.do(outcomes.add_action, evaluation_id, "Visit weekly", "Sam Senior", "2026-12-01")
    public, key = tmp_path / "qa.key.pub", tmp_path / "qa.key"
    first = merge_bundle_file(central, laptop.export(public, tmp_path / "1.qab"), key)
    laptop.do(ev.update_details, ids[0], {"team": "Locality East"}, ".*")
    laptop.do(ev.add_entry, TEMPLATE, ids[1], "working_well", "another note")
    again = merge_bundle_file(central, laptop.export(public, tmp_path / "2.qab"), key)
    laptop.new_evaluation("ABC-20000")
    synced = sync_now(laptop.store, laptop_settings(laptop, settings), central.url)
    assert first.new_changes and again.new_changes and synced.pushed_evaluations
    assert any("FROM change_links" in s for s in plans)  # fields re-derived: the known path
    assert _scans({"x": ["SCAN changes USING COVERING INDEX ix_changes_evaluation"]})
    assert _scans(plans) == [], _scans(plans)
    central.dispose()
    laptop.store.dispose()
