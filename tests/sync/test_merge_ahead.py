"""A bundle's merge prepares each batch on a thread of its own while the batch before is
written (``merge_in_batches(..., ahead=True)``): the same database as merging aggregate by
aggregate, and a failure of the preparing thread leaves what a failure always left (the
batches before it committed and whole, the bundle not in the ledger; merging again completes
it). Both backends."""

from __future__ import annotations

import gc
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_tui.store import models
from qa_tui.store.migrate import open_store
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync import batching
from qa_tui.sync import central as central_module
from qa_tui.sync import merge as merge_module
from qa_tui.sync.aggregates import Aggregate
from qa_tui.sync.central import merge_bundle_file
from qa_tui.sync.direct import validated
from qa_tui.sync.errors import BundleError, PartlyMerged
from qa_tui.sync.merge import merge_aggregates
from qa_tui.sync.merge_report import Provenance
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


def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many batches of a few evaluations each (a few hundred changes)."""
    monkeypatch.setattr(batching, "FIRST_BATCH_CHANGES", 300)
    monkeypatch.setattr(batching, "MAX_BATCH_CHANGES", 600)


def _ledger(store) -> set[str]:
    with store.reader() as s:
        return set(s.scalars(select(MergedBundle.bundle_id)))


def _by_aggregate(url: str, aggs: list[Aggregate]) -> dict[str, list[tuple]]:
    """The database that merging the aggregates one at a time, each in a transaction of its
    own, gives (no batches, nothing prepared ahead)."""
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


def _no_preparing_thread_left() -> None:
    assert not [t for t in threading.enumerate() if t.name == "merge-prepare"]


def test_a_merge_prepared_ahead_gives_the_database_merging_one_by_one_gives(
    make_db, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    _small_batches(monkeypatch)
    where: set[str] = set()
    real = batching.prepare_new

    def prepare_new(*args, **kwargs):
        where.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(batching, "prepare_new", prepare_new)
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    assert where == {"merge-prepare"}  # every batch prepared on the thread ahead
    _no_preparing_thread_left()
    assert gc.isenabled()  # the cycle collector, paused for the merge, is back
    assert report.batches > 5  # many batches, each prepared while the one before was written
    assert report.aggregates == len(aggs)
    assert report.new_changes == report.changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(make_db(), aggs)
    with central.reader() as s:  # every change is marked with the bundle it came in
        marks = set(s.scalars(select(models.Change.bundle_id).distinct()))
    assert marks == _ledger(central) == {report.bundle_id}
    central.dispose()


def test_a_changed_bundle_found_while_preparing_ahead_stops_the_merge_between_batches(
    make_db, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundle file changes after its verification, in a block the merge reaches only
    after several batches: the preparing thread's BundleError reaches the caller (as
    PartlyMerged: batches had committed), those batches stay whole, the bundle is not in the
    ledger, and merging the restored file again completes it."""
    _small_batches(monkeypatch)
    changed_file_stops_the_merge_between_batches(make_db, sqlite_db, tmp_path, settings)


def changed_file_stops_the_merge_between_batches(
    make_db: Callable[[], str], sqlite_db: Callable[[], str], tmp_path: Path, settings
) -> None:
    """A bundle of 400 demo evaluations (three 1 MiB blocks) changed after its verification
    stops its merge between batches (PartlyMerged; whole evaluations, not in the ledger); the
    restored file merged again completes it, as merging one by one would."""
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 400)  # three 1 MiB blocks
    aggs = aggregates(laptop.store)
    expected = {a.evaluation_id: {c["id"] for c in a.changes} for a in aggs}
    key = tmp_path / "qa.key"
    central = make_central(make_db(), key, laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    original = bundle.read_bytes()
    assert len(original) > 2 << 20

    def change_the_file(_total: int) -> None:  # verified; nothing merged yet
        damaged = bytearray(original)
        damaged[-1000] ^= 0xFF
        bundle.write_bytes(bytes(damaged))

    with pytest.raises(PartlyMerged) as stopped:
        merge_bundle_file(central, bundle, key, include_demo=True, on_total=change_the_file)
    _no_preparing_thread_left()
    assert "changed while it was being merged" in str(stopped.value)
    assert isinstance(stopped.value.__cause__, BundleError)
    merged = _whole_or_absent(central, expected)
    assert 0 < merged == stopped.value.merged < len(aggs)
    assert _ledger(central) == set()
    bundle.write_bytes(original)
    before = _changes(central)
    report = merge_bundle_file(central, bundle, key, include_demo=True)
    assert report.new_changes == sum(len(ids) for ids in expected.values()) - before > 0
    assert _whole_or_absent(central, expected) == len(aggs)
    assert _ledger(central) == {report.bundle_id}
    assert state(central) == _by_aggregate(make_db(), aggs)
    central.dispose()


def _changes(store) -> int:
    with store.reader() as s:
        return int(s.scalar(select(func.count()).select_from(models.Change)) or 0)


def test_any_error_of_the_preparing_thread_reaches_the_caller_unchanged(
    make_db, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only BundleError: whatever the bundle's reader raises (here an OSError, the disk
    gone) is raised to the caller as it was, after the batches before it committed."""
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    expected = {a.evaluation_id: {c["id"] for c in a.changes} for a in aggs}
    key = tmp_path / "qa.key"
    central = make_central(make_db(), key, laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    _small_batches(monkeypatch)
    real = central_module.verified_aggregates
    failure = OSError(5, "Input/output error")

    def failing(*args, **kwargs) -> Iterator[Aggregate]:
        for n, aggregate in enumerate(real(*args, **kwargs)):
            if n == len(aggs) // 2:
                raise failure
            yield aggregate

    monkeypatch.setattr(central_module, "verified_aggregates", failing)
    with pytest.raises(OSError) as stopped:
        merge_bundle_file(central, bundle, key, include_demo=True)
    assert stopped.value is failure
    _no_preparing_thread_left()
    assert 0 < _whole_or_absent(central, expected) < len(aggs)
    assert _ledger(central) == set()
    monkeypatch.setattr(central_module, "verified_aggregates", real)
    report = merge_bundle_file(central, bundle, key, include_demo=True)
    assert _whole_or_absent(central, expected) == len(aggs)
    assert _ledger(central) == {report.bundle_id}
    assert _changes(central) == sum(len(ids) for ids in expected.values())
    central.dispose()


def test_the_cycle_collector_is_back_as_it_was_after_the_last_of_two_merges() -> None:
    """cycles_paused() on two merges that overlap (two threads): the collector stays off
    until the last ends, then is as it was before the first (on, or off if it was off)."""
    assert gc.isenabled()
    first, second = merge_module.cycles_paused(), merge_module.cycles_paused()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()
    try:
        with merge_module.cycles_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
