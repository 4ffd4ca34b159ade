"""The rows of tables keyed by random ids (``field_states``, ``change_links``) held back to the
end of a merge's gathering transaction and written then in key order
(:mod:`qa_tui.store.bulk_later`): held, not written, until the transaction's end; written
sorted, once a transaction; dropped with a transaction that does not commit; and a big
bundle's merge writes them so and gives the database merging one by one gives."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from qa_tui.ids import id_bytes
from qa_tui.store import bulk_later, models
from qa_tui.store.bulk_encode import Encoded, insert_sql
from qa_tui.store.bulk_later import Later
from qa_tui.store.migrate import open_store
from qa_tui.sync.central import merge_bundle_file
from tests.sync.helpers import aggregates, make_central, state
from tests.sync.test_merge_ahead import _by_aggregate, _demo_laptop
from tests.sync.test_merge_preparer import big  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


def _links(store: Any, count: int) -> Encoded:
    table = models.ChangeLink.__table__
    rows = [(id_bytes(str(uuid.uuid4())), id_bytes(str(uuid.uuid4()))) for _ in range(count)]
    return Encoded(table, rows, insert_sql(store.engine.dialect, table))


def _count(store: Any) -> int:
    with store.reader() as session:
        return int(session.scalar(select(func.count()).select_from(models.ChangeLink)) or 0)


def test_rows_wait_for_the_end_and_go_in_key_order(
    sqlite_db, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(sqlite_db())
    later = Later()
    first, second = _links(store, 50), _links(store, 50)
    assert later.takes(first)
    assert not later.takes(Encoded(first.table, first.rows))  # PostgreSQL's: written at once
    assert not later.takes(Encoded(models.Change.__table__, [], "INSERT"))
    written: list[list[Any]] = []
    real = bulk_later.write_encoded

    def spy(connection: Any, encoded: Encoded) -> None:
        written.append(list(encoded.rows))
        real(connection, encoded)

    monkeypatch.setattr(bulk_later, "write_encoded", spy)
    later.add(first)
    later.add(second)
    assert later.rows() == 100 and later.expected() > 0
    assert _count(store) == 0 and written == []  # held, nothing written yet
    with store.session() as session:
        later.write(session.connection())
    assert written == [sorted(first.rows + second.rows)]  # one pass, in the key's order
    assert _count(store) == 100 and later.rows() == 0
    later.add(_links(store, 10))
    later.clear()  # a transaction that did not commit: its rows go with it
    with store.session() as session:
        later.write(session.connection())
    assert _count(store) == 100 and len(written) == 1
    store.dispose()


def test_a_big_merge_writes_them_sorted_once_a_transaction(
    big,  # noqa: F811
    sqlite_db,
    tmp_path: Path,
    settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    written: dict[str, list[int]] = {}
    real = bulk_later.write_encoded

    def spy(connection: Any, encoded: Encoded) -> None:
        rows = encoded.rows
        assert rows == sorted(rows)  # each table's rows in key order (keys lead the rows)
        written.setdefault(encoded.table.name, []).append(len(rows))
        real(connection, encoded)

    monkeypatch.setattr(bulk_later, "write_encoded", spy)
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    assert set(written) == {"field_states", "change_links"}
    # Every record's state came this way, a write a transaction, not one a batch.
    records = sum(1 for a in aggs for c in a.changes if c["field"] == "_create")
    assert sum(written["field_states"]) == records
    assert len(written["field_states"]) <= report.transactions < report.batches
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    central.dispose()


def test_field_states_and_links_lead_their_rows_with_their_keys() -> None:
    """What the sorting above relies on to put rows in key order: the keys' columns lead the
    tables' columns (sorting by the key is then sorting the rows)."""
    for name in bulk_later.TABLES:
        table = models.Base.metadata.tables[name]
        key = [c.name for c in table.primary_key.columns]
        assert [c.name for c in table.columns][: len(key)] == key, name
