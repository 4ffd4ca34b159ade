"""A big bundle's merge on SQLite prepares its rows in a process of its own
(:mod:`qa_tui.sync.preparer`) from what the verification kept (:mod:`qa_tui.sync.spool`): the
same database as merging aggregate by aggregate; a bundle changed after its verification
stops the merge between batches as before; a preparing process that fails, or is gone, only
means the merge prepares those batches itself. Here every bundle is "big" (the threshold
lowered)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_tui.store import models
from qa_tui.store.migrate import open_store
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync import central as central_module
from qa_tui.sync import merge as merge_module
from qa_tui.sync import preparer as preparer_module
from qa_tui.sync.aggregates import Aggregate
from qa_tui.sync.central import merge_bundle_file
from qa_tui.sync.direct import validated
from qa_tui.sync.errors import BundleError, PartlyMerged
from qa_tui.sync.merge import Provenance, merge_aggregates
from tests.sync.helpers import Laptop, aggregates, consistent, make_central, state

pytestmark = pytest.mark.slow


def _demo_laptop(url: str, tmp_path: Path, settings, count: int) -> Laptop:
    from qa_tui.demo import generate
    from qa_tui.workspace import open_workspace

    laptop = Laptop(url, tmp_path, "Alex Auditor")
    ws = open_workspace(settings.with_changes(device_id=laptop.device_id), url)
    generate(ws, count, 3)
    ws.close()
    return laptop


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every bundle big enough for the process, and many small batches; counts the batches
    the process prepared."""
    monkeypatch.setattr(central_module, "WORTH_IT", 0)
    monkeypatch.setattr(merge_module, "FIRST_BATCH_CHANGES", 300)
    monkeypatch.setattr(merge_module, "MAX_BATCH_CHANGES", 600)
    answered = [0]
    real = preparer_module.Preparer.receive

    def receive(self):
        answer = real(self)
        answered[0] += answer is not None
        return answer

    monkeypatch.setattr(preparer_module.Preparer, "receive", receive)
    return answered


def _by_aggregate(url: str, aggs: list[Aggregate]) -> dict[str, list[tuple]]:
    store = open_store(url)
    for aggregate in aggs:
        fresh = Aggregate(
            aggregate.evaluation_id, [dict(c) for c in aggregate.changes], list(aggregate.links)
        )
        source = Provenance(str(uuid.uuid4()), "sync", str(uuid.uuid4()), 0, "0003", "now")
        with store.session() as session:
            merge_aggregates(session, validated([fresh]), source, "now")
    got = state(store)
    store.dispose()
    return got


def _ledger(store) -> set[str]:
    with store.reader() as s:
        return set(s.scalars(select(MergedBundle.bundle_id)))


def _whole_or_absent(store, expected: dict[str, set[str]]) -> int:
    held: dict[str, set[str]] = {}
    with store.reader() as s:
        for aggregate_id, change_id in s.execute(
            select(models.Change.evaluation_id, models.Change.id)
        ):
            held.setdefault(aggregate_id, set()).add(change_id)
    for aggregate_id, ids in held.items():
        assert ids == expected[aggregate_id], f"aggregate {aggregate_id} is not whole"
    assert consistent(store) == []
    return len(held)


def _no_thread_left() -> None:
    assert not [t for t in threading.enumerate() if t.name == "merge-prepare"]


def test_rows_prepared_in_the_process_give_the_database_merging_one_by_one_gives(
    big, sqlite_db, tmp_path: Path, settings
) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    _no_thread_left()
    assert report.batches > 5 and big[0] == report.batches  # every batch from the process
    assert report.evaluations + report.sessions == len(aggs)
    assert report.new_changes == report.changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    with central.reader() as s:
        marks = set(s.scalars(select(models.Change.bundle_id).distinct()))
    assert marks == _ledger(central) == {report.bundle_id}
    # The same content again (the ledger forgot it): every change compared, none added.
    with central.session() as s:
        s.execute(MergedBundle.__table__.delete())
    again = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    assert again.new_changes == 0 and again.changes == report.changes
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    central.dispose()


def test_a_changed_bundle_stops_a_merge_prepared_in_the_process_between_batches(
    big, sqlite_db, tmp_path: Path, settings
) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 400)  # three 1 MiB blocks
    aggs = aggregates(laptop.store)
    expected = {a.evaluation_id: {c["id"] for c in a.changes} for a in aggs}
    key = tmp_path / "qa.key"
    central = make_central(sqlite_db(), key, laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    original = bundle.read_bytes()

    def change_the_file(_total: int) -> None:  # verified; nothing merged yet
        damaged = bytearray(original)
        damaged[-1000] ^= 0xFF
        bundle.write_bytes(bytes(damaged))

    with pytest.raises(PartlyMerged) as stopped:
        merge_bundle_file(central, bundle, key, include_demo=True, on_total=change_the_file)
    _no_thread_left()
    assert "changed while it was being merged" in str(stopped.value)
    assert isinstance(stopped.value.__cause__, BundleError)
    assert 0 < _whole_or_absent(central, expected) == stopped.value.merged < len(aggs)
    assert _ledger(central) == set()
    bundle.write_bytes(original)
    report = merge_bundle_file(central, bundle, key, include_demo=True)
    assert _whole_or_absent(central, expected) == len(aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()


@pytest.mark.parametrize("how", ["fails", "gone"])
def test_batches_the_process_does_not_prepare_are_merged_all_the_same(
    big, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The process cannot prepare a batch (its preparation raised), or ends mid-merge: the
    merge writes the same database, those batches prepared by the merge itself."""
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    real = preparer_module.Preparer.receive
    calls = [0]

    def receive(self):
        calls[0] += 1
        if calls[0] < 3:
            return real(self)
        if how == "gone":
            if self.process is not None:
                self.process.kill()
                self.process.wait()
            return real(self)  # Gone, sooner or later: the pipe ends
        real(self)
        return None  # as the process answers a batch whose preparation raised

    monkeypatch.setattr(preparer_module.Preparer, "receive", receive)
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    _no_thread_left()
    assert report.batches > 5
    assert report.new_changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()
