"""Migration 0024 (the links between changes keyed by their aggregate) on both backends: a
database of demo evaluations, taken back to 0023 as the qa-tui before it made it, comes up
with every link it had, each under the aggregate of the change that lists it, the history
and the stored state still in step; and goes back down to the same links."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect, text

from qa_tui.store import models
from qa_tui.store.db import make_engine
from qa_tui.store.history import check_consistency
from qa_tui.store.migrate import current_revision, open_store
from qa_tui.store.revisions import head_revision
from tests.sync.test_migration_0015 import _to, demo_database


def _layout(url: str) -> tuple[str, list[str], list[str]]:
    """The revision, the links table's key columns and its other index's columns."""
    engine = make_engine(url)
    with engine.connect() as connection:
        at = current_revision(connection) or ""
        found = inspect(connection)
        key = list(found.get_pk_constraint("change_links")["constrained_columns"])
        (index,) = found.get_indexes("change_links")
    engine.dispose()
    return at, key, [str(c) for c in index["column_names"]]


def _links(url: str) -> set[tuple[str, ...]]:
    """The links as stored: (change, superseded), or with the aggregate first where kept."""
    store = open_store(url, create=False, migrate=False)
    try:
        with store.reading() as connection:
            columns = [c["name"] for c in inspect(connection).get_columns("change_links")]
            rows = connection.execute(text(f"SELECT {', '.join(columns)} FROM change_links"))
            hid = models.HistoryId()
            convert = hid.result_processor(connection.dialect, None)
            return {tuple(str(convert(v) if convert else v) for v in row) for row in rows.all()}
    finally:
        store.dispose()


def _listed(url: str) -> set[tuple[str, str, str]]:
    """What the changes' supersedes lists say: (aggregate, change, superseded)."""
    store = open_store(url, create=False, migrate=False)
    try:
        with store.reader() as session:
            changes = session.query(models.Change).all()
            return {(c.evaluation_id, c.id, s) for c in changes for s in json.loads(c.supersedes)}
    finally:
        store.dispose()


def test_0024_keys_the_links_by_aggregate_and_goes_both_ways(
    make_db: Callable[[], str], settings: Any
) -> None:
    url = demo_database(make_db, settings)
    listed = _listed(url)
    assert len(listed) > 100  # the demo's fields set more than once
    assert _links(url) == listed
    _to(url, "0023")  # as the qa-tui before 0024 made it
    assert _layout(url) == ("0023", ["change_id", "supersedes_id"], ["supersedes_id"])
    old = _links(url)
    assert old == {(a, b) for _e, a, b in listed}
    open_store(url).dispose()  # upgrades
    assert _layout(url) == (
        head_revision(),
        ["evaluation_id", "change_id", "supersedes_id"],
        ["evaluation_id", "supersedes_id"],
    )
    assert _links(url) == listed
    store = open_store(url, create=False, migrate=False)
    try:
        with store.reader() as session:
            assert check_consistency(session) == []
    finally:
        store.dispose()
    _to(url, "0023")
    assert _links(url) == old
