"""A big bundle's merge on SQLite prepares its rows in a process of its own
(:mod:`qa_tui.sync.preparer`) from what the verification kept (:mod:`qa_tui.sync.spool`): the
same database as merging aggregate by aggregate; a bundle changed after its verification
stops the merge between batches as before; a preparing process that fails, or is gone, only
means the merge prepares those batches itself. Here every bundle is "big" (the threshold
lowered)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_tui.store import models
from qa_tui.store.migrate import open_store
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync import batching, checking
from qa_tui.sync import central as central_module
from qa_tui.sync import merge as merge_module
from qa_tui.sync import preparer as preparer_module
from qa_tui.sync.central import merge_bundle_file
from tests.sync.helpers import aggregates, make_central, state
from tests.sync.test_merge_ahead import (
    _by_aggregate,
    _demo_laptop,
    _ledger,
    _no_preparing_thread_left,
    _whole_or_absent,
    changed_file_stops_the_merge_between_batches,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every bundle big enough for the process, its lines checked in many short stretches,
    and many small batches; counts the batches the process prepared (``[0]``) and the
    stretches of lines it checked (``[1]``)."""
    monkeypatch.setattr(central_module, "WORTH_IT", 0)
    monkeypatch.setattr(checking, "STRETCH", 4096)
    monkeypatch.setattr(batching, "FIRST_BATCH_CHANGES", 300)
    monkeypatch.setattr(batching, "MAX_BATCH_CHANGES", 600)
    answered = [0, 0]
    real = preparer_module.Preparer.receive

    def receive(self):
        answer = real(self)
        answered[0] += isinstance(answer, tuple)  # a batch's rows
        answered[1] += isinstance(answer, list)  # a stretch's outcomes
        return answer

    monkeypatch.setattr(preparer_module.Preparer, "receive", receive)
    return answered


def test_rows_prepared_in_the_process_give_the_database_merging_one_by_one_gives(
    big, sqlite_db, tmp_path: Path, settings
) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    _no_preparing_thread_left()
    assert report.batches > 5 and big[0] == report.batches  # every batch from the process
    assert big[1] > 5  # and half the bundle's lines checked there
    assert report.aggregates == len(aggs)
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
    changed_file_stops_the_merge_between_batches(sqlite_db, sqlite_db, tmp_path, settings)
    assert big[0] > 0  # batches were prepared in the process before the change was found


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
    real, real_send = preparer_module.Preparer.receive, preparer_module.Preparer.send
    calls = [0]  # batches handed over

    def send(self, *args):
        calls[0] += 1
        return real_send(self, *args)

    def receive(self):
        if calls[0] < 3:  # the bundle's lines, and the first batches, as the process answers
            return real(self)
        if how == "gone":
            if self.process is not None:
                self.process.kill()
                self.process.wait()
            return real(self)  # Gone, sooner or later: the pipe ends
        real(self)
        return None  # as the process answers a batch whose preparation raised

    monkeypatch.setattr(preparer_module.Preparer, "receive", receive)
    monkeypatch.setattr(preparer_module.Preparer, "send", send)
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    _no_preparing_thread_left()
    assert report.batches > 5
    assert report.new_changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()


SILENT = {
    # Takes every request and never answers.
    "mute": "import sys; sys.stdin.buffer.read()",
    # Neither reads a request nor answers: the merge's first long request fills the pipe.
    "deaf": "import time; time.sleep(600)",
}


@pytest.mark.parametrize("how", sorted(SILENT))
def test_a_process_that_stops_answering_is_ended_and_the_merge_does_its_work(
    big, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A preparing process alive but silent from the start (it never answers, or never even
    reads): the merge waits ANSWER_WAIT on it, ends it, and checks every line and prepares
    every batch itself — the same database, nothing left running."""
    import subprocess

    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    started: list[subprocess.Popen[bytes]] = []

    def silent_init(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SILENT[how]], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        started.append(self.process)
        self.wide = False  # pipes as they come
        self.watch = preparer_module._Watch(self.process)

    monkeypatch.setattr(preparer_module, "ANSWER_WAIT", 0.3)
    monkeypatch.setattr(preparer_module.Preparer, "__init__", silent_init)
    if how == "deaf":  # stretches of lines longer than a pipe holds: the first send blocks
        monkeypatch.setattr(checking, "STRETCH", 256 * 1024)
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    _no_preparing_thread_left()
    assert big == [0, 0]  # nothing came from the process
    assert started and started[0].poll() is not None  # ended, not left behind
    assert not [t for t in threading.enumerate() if t.name == "preparer-watch"]
    assert report.new_changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP: a process frozen mid-merge")
def test_a_process_frozen_mid_merge_is_ended_and_the_merge_goes_on(
    big, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process answers the bundle's lines and the first batches, then freezes (stopped,
    as a suspended or hung process): after ANSWER_WAIT it is ended and the rest of the
    batches are prepared by the merge — the same database as merging one by one."""
    import signal

    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    real_send = preparer_module.Preparer.send
    calls = [0]
    frozen = [False]

    def send(self, *args):
        calls[0] += 1
        # Frozen once it has answered a batch, and only then waited on briefly: its start and
        # its first answers wait on its imports, longer than a short wait on a slow machine
        # (it was ended before answering anything, and the test proved nothing).
        if calls[0] >= 3 and big[0] and not frozen[0] and self.process is not None:
            monkeypatch.setattr(preparer_module, "ANSWER_WAIT", 0.3)
            self.process.send_signal(signal.SIGSTOP)
            frozen[0] = True
        return real_send(self, *args)

    monkeypatch.setattr(preparer_module.Preparer, "send", send)
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    _no_preparing_thread_left()
    assert frozen[0] and 0 < big[0] < report.batches  # some batches from it, not all
    assert report.new_changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()


def test_batches_the_process_prepares_are_gathered_into_fewer_transactions(
    big, sqlite_db, tmp_path: Path, settings
) -> None:
    """A big bundle's batches (kept small by memory) are written several to a transaction,
    each transaction holding the write lock about GATHER_HOLD at most; the last batch has a
    transaction of its own (with the ledger row). The database is the same as merging one by
    one."""
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    commits: list[int] = []
    report = merge_bundle_file(
        central, bundle, tmp_path / "qa.key", include_demo=True, committed=commits.append
    )
    assert report.batches > 5 and 2 <= report.transactions < report.batches
    assert report.longest_hold < 2 * batching.GATHER_HOLD
    assert len(commits) == report.batches and sum(commits) == report.committed == len(aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()


# A big bundle's merge killed inside a transaction that gathered batches: after the n-th
# batch is written (uncommitted), every batch is gathered into one transaction but the last.
CHILD_GATHERED = """
import os, signal, sys
from pathlib import Path
from qa_tui.store.migrate import open_store
from qa_tui.sync import batching, central, checking, merge
central.WORTH_IT, checking.STRETCH = 0, 4096
batching.FIRST_BATCH_CHANGES, batching.MAX_BATCH_CHANGES = 300, 600
merge.GATHER_HOLD = 600.0
url, bundle, key, n = sys.argv[1:5]
written = [0]
def progress(_count):
    written[0] += 1
    if written[0] == int(n):
        os.kill(os.getpid(), signal.SIGKILL)
merge_bundle_file = central.merge_bundle_file
merge_bundle_file(open_store(url), Path(bundle), Path(key), progress=progress, include_demo=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL: a merge killed by itself")
def test_a_merge_killed_inside_a_gathered_transaction_loses_all_its_batches_and_completes(
    sqlite_db, tmp_path: Path, settings
) -> None:
    """Killed with three batches written in one transaction: none of them is in the
    database, nothing else is, the bundle is not in the ledger, and merging it again gives
    the database a merge never killed gives."""
    from tests.sync.test_crash_and_concurrency import ROOT, _histories

    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    expected = _histories(laptop)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    url = central.url
    central.dispose()
    child = subprocess.run(
        [sys.executable, "-c", CHILD_GATHERED, url, str(bundle), str(tmp_path / "qa.key"), "3"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    central = open_store(url)
    assert _whole_or_absent(central, expected) == 0  # the three batches rolled back together
    assert _ledger(central) == set()
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    assert report.new_changes == sum(len(ids) for ids in expected.values())
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP: a process frozen mid-merge")
def test_a_transaction_never_holds_the_lock_waiting_for_a_frozen_process(
    big, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process freezes while a transaction gathers batches: the transaction commits what
    it has instead of waiting for the next batch (the lock held well under the seconds the
    merge then waits before ending the process), and the merge goes on."""
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 40)
    aggs = aggregates(laptop.store)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    real_send = preparer_module.Preparer.send
    frozen = [0.0]
    wait = 3.0

    def send(self, *args):
        if big[0] and not frozen[0] and self.process is not None:  # it has answered a batch
            monkeypatch.setattr(preparer_module, "ANSWER_WAIT", wait)
            self.process.send_signal(signal.SIGSTOP)
            frozen[0] = time.perf_counter()
        return real_send(self, *args)

    monkeypatch.setattr(preparer_module.Preparer, "send", send)
    monkeypatch.setattr(merge_module, "GATHER_HOLD", 0.5)
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    assert frozen[0] and time.perf_counter() - frozen[0] >= wait  # the merge waited on it
    assert report.longest_hold < wait / 2  # but never while holding the lock
    assert report.new_changes == sum(len(a.changes) for a in aggs)
    assert state(central) == _by_aggregate(sqlite_db(), aggs)
    assert _ledger(central) == {report.bundle_id}
    central.dispose()


def test_preparing_batches_leaves_nothing_for_a_collector_it_has_not(
    sqlite_db, tmp_path: Path, settings
) -> None:
    """The preparing process runs with the cycle collector off (its containers hold no
    cycles), so a batch that left a cycle behind would leak it: a dialect made for every
    batch did (6 KB a batch, 10 MB in a merge of 100,000 evaluations)."""
    import gc

    from qa_tui.sync.spool import wire_line

    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 4)
    bodies = [wire_line(a) for a in aggregates(laptop.store)]
    numbers = ("b" * 36, None, [])
    assert preparer_module._prepare("sqlite", numbers, list(bodies)) is not None  # warmed
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(3):
            assert preparer_module._prepare("sqlite", numbers, list(bodies)) is not None
        gc.collect()
        left = [o for o in gc.garbage if type(o).__module__.startswith(("sqlalchemy", "qa_tui"))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


def test_a_big_merge_leaves_no_cycle_behind_its_batches(
    big, sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big merge pauses the cycle collector (merge.cycles_paused) until its end, so anything
    a batch leaves in a cycle is held till then: a statement built for every batch held its
    batch's ids (300 bytes an aggregate). What the collector finds when the merge ends must
    not grow with the batches."""
    import gc

    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 30)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    statements: list[str] = []
    real = central_module.merge_in_batches

    def then_collect(*args, **kwargs):
        report = real(*args, **kwargs)
        assert not gc.isenabled()  # still paused: what the batches left is there to find
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            statements.extend(
                type(o).__name__
                for o in gc.garbage
                if type(o).__module__ == "sqlalchemy.sql.elements"
            )
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        return report

    monkeypatch.setattr(central_module, "merge_in_batches", then_collect)
    gc.collect()
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key", include_demo=True)
    assert report.batches > 5
    assert statements.count("BindParameter") < report.batches, (report.batches, statements)
