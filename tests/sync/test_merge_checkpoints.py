"""A big merge on SQLite checkpoints its write-ahead log beside its batches
(:mod:`qa_tui.sync.checkpointing`): the database it leaves is the one a merge without them
leaves; a small merge starts none; a checkpoint that fails changes nothing but the time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from qa_tui.sync import batching, checkpointing
from qa_tui.sync import central as central_module
from qa_tui.sync import merge as merge_module
from qa_tui.sync.central import merge_bundle_file
from tests.sync.helpers import aggregates, make_central, state
from tests.sync.test_merge_ahead import _by_aggregate, _demo_laptop, _no_preparing_thread_left

pytestmark = pytest.mark.slow


@pytest.fixture
def many_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bundle merged as a big one (its rows prepared in a process of its own, its
    batches gathered), in many small batches."""
    monkeypatch.setattr(central_module, "WORTH_IT", 0)
    monkeypatch.setattr(batching, "FIRST_BATCH_CHANGES", 300)
    monkeypatch.setattr(batching, "MAX_BATCH_CHANGES", 600)
    monkeypatch.setattr(merge_module, "GATHER_HOLD", 0.0)  # a transaction a batch: many commits


def _merged(sqlite_db, tmp_path: Path, settings, count: int):
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, count)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    _no_preparing_thread_left()
    return central, aggs, report


def test_checkpoints_beside_the_batches_leave_the_database_a_merge_gives(
    many_batches, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpointing, "FROM_BYTES", 0)  # however short the log
    central, aggs, report = _merged(sqlite_db, tmp_path, settings, 30)
    assert report.transactions > 3
    assert report.checkpoints >= 1  # copied beside the batches, each to its end
    assert report.new_changes == report.changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)


def test_a_merge_whose_log_stays_short_starts_none(
    many_batches, sqlite_db, tmp_path: Path, settings
) -> None:
    central, aggs, report = _merged(sqlite_db, tmp_path, settings, 10)
    assert report.transactions > 3 and report.checkpoints == 0
    assert state(central) == _by_aggregate(sqlite_db(), aggs)


def test_checkpoints_that_fail_leave_the_merge_whole(
    many_batches, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpointing, "FROM_BYTES", 0)
    tried: list[int] = []

    def failing(store) -> None:
        tried.append(1)
        raise OperationalError("PRAGMA wal_checkpoint(PASSIVE)", None, Exception("disk I/O"))

    monkeypatch.setattr(checkpointing, "checkpoint", failing)
    central, aggs, report = _merged(sqlite_db, tmp_path, settings, 20)
    assert tried and report.checkpoints == 0  # tried, none counted
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
