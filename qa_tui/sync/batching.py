"""A merge's batches: whole aggregates sized to hold the write lock about :data:`HOLD` seconds,
read and prepared before their transaction — on a thread of their own a batch ahead of the
writer (:class:`Ahead`), and for a big bundle in a process of its own
(:class:`Remote`, :mod:`qa_tui.sync.preparer`).

:func:`~qa_tui.sync.merge.merge_in_batches` writes them; this module only makes them: each
:class:`Batch` is whole aggregates, with the rows of its new records prepared when none of
them is in the database yet (a first merge), and nothing here touches the database.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect

from qa_tui.store import models
from qa_tui.store.bulk import NewRows, new_rows_given, prepare_new
from qa_tui.store.change_log import Link
from qa_tui.sync.aggregates import Aggregate
from qa_tui.sync.preparer import Gone, Preparer
from qa_tui.sync.spool import Spooled

HOLD = 0.5  # seconds one batch of merge_in_batches aims to hold the write lock
FIRST_BATCH_CHANGES = 2_000  # the first batch's size, in changes (then sized to HOLD)
# A batch's rows are prepared before its transaction (and, for a bundle, while the batch before
# is written: two in memory), so batches grow past what HOLD alone would make them; this many
# changes at most keeps a merge's peak memory under 200 MB (a 3,000-evaluation bundle, batches
# of up to 40,000 changes: 280 MB; of up to 16,000: 191 MB).
MAX_BATCH_CHANGES = 16_000
# With the rows prepared in a second process (:class:`Remote`), this one holds two batches' rows
# and that one a third batch's changes as well: at most this many changes a batch keeps the two
# together under 200 MB (10,000 evaluations: batches of up to 16,000 changes, 255 MB; of up
# to 8,000, 181 MB with an 8 MiB page cache; ~4 % slower).
REMOTE_BATCH_CHANGES = 8_000
# Seconds a merge's transaction of such batches gathers them for (several batches a transaction:
# :func:`qa_tui.sync.merge._gather`); the write lock is then held about this long, at most.
GATHER_HOLD = 1.0

Item = Aggregate | Spooled  # an aggregate, or one a bundle's verification kept (read when needed)


def size_of(item: Item) -> int:
    return item.size if isinstance(item, Spooled) else len(item.changes)


def top_of(item: Item) -> int:
    if isinstance(item, Spooled):
        return item.top
    return max((c["counter"] for c in item.changes), default=0)


def whole(item: Item, bundle_id: str) -> Aggregate:
    """The aggregate itself, its changes marked with the bundle they came in."""
    if isinstance(item, Aggregate):
        return item
    aggregate = item.aggregate()
    for change in aggregate.changes:
        change["bundle_id"] = bundle_id
    return aggregate


@dataclass
class Batch:
    """Whole aggregates to merge in one transaction, the new records' rows prepared.

    ``rows`` (with ``top``, the highest counter) is what the batch writes when none of its
    aggregates is in the database yet (a first merge); None if there were no changes, or if
    preparing failed: the batch is then merged as any other, which reports the same error
    inside its transaction. ``held`` is set when the database held some of its aggregates
    already (the rows were not used).
    """

    aggregates: list[Item]
    last: bool
    rows: NewRows | None
    top: int
    held: bool = False


class Prepared:
    """The batches of a merge, each read and prepared when :meth:`next` is called.

    ``step`` wraps each piece of the work (an aggregate read, a batch's rows prepared): on a
    thread of its own it is :meth:`_Turns.step`. ``guess`` says whether to prepare the rows
    (the writer turns it off while batches come back ``held``: a bundle merged again after
    the ledger forgot it would otherwise prepare every batch for nothing).
    """

    keeps_spooled = False  # whether the batches hold aggregates as the spool kept them
    gathers = False  # whether a transaction takes in several batches (merge._gather)

    def __init__(self, aggregates: Iterable[Item], bundle_id: str, dialect: Dialect) -> None:
        self.stream = iter(aggregates)
        self.target = [FIRST_BATCH_CHANGES]
        self.batches = _batches(self._read(), self.target)
        self.bundle_id, self.dialect = bundle_id, dialect
        # The writers' numbers, learnt by the first batches (a number never changes).
        self.writers: dict[models.WriterKey, int] = {}
        self.step: Callable[[], AbstractContextManager[object]] = nullcontext
        self.guess = True

    def _read(self) -> Iterator[Item]:
        while True:
            with self.step():
                item = next(self.stream, None)
                if isinstance(item, Aggregate):
                    for change in item.changes:
                        change["bundle_id"] = self.bundle_id
                elif item is not None and not self.keeps_spooled:
                    item = whole(item, self.bundle_id)
            if item is None:
                return
            yield item

    def next(self) -> Batch:
        batch, last = next(self.batches)
        with self.step():
            top = 0
            changes: list[dict[str, Any]] = []
            links: list[Link] = []
            for item in batch:
                aggregate = whole(item, self.bundle_id)
                top = max(top, top_of(aggregate))
                changes.extend(aggregate.changes)
                links.extend(aggregate.keyed_links())
            rows = None
            if changes and self.guess:
                try:
                    rows = prepare_new(self.dialect, changes, links, self.writers)
                except Exception:  # the batch's own transaction reports it, as it always has
                    rows = None
        return Batch(batch, last, rows, top)

    def most(self) -> int:
        """The most changes a batch may hold (:func:`next_size`)."""
        return MAX_BATCH_CHANGES

    def hand_over(self) -> None:
        """Send what was made ready for another process (nothing here: :class:`Remote`)."""

    def lend(self) -> None:
        """The writer is about to wait (nothing to do here: nothing runs meanwhile)."""

    def take_back(self) -> None:
        """The writer runs again."""

    def close(self) -> None:
        """Close the stream (a bundle file's reader closes the file)."""
        self.batches.close()
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()


class Remote(Prepared):
    """:class:`Prepared` with the rows prepared in another process (:mod:`.preparer`) from
    the aggregates as the spool kept them, while this one writes: each batch is handed over
    a batch ahead of the one awaited. Reading a batch from the spool runs in
    :class:`_Turns`' steps, as the rest does; sending it (:meth:`hand_over`) and awaiting its
    rows hold the interpreter's lock little, and run while the writer writes (2026-12-04: the
    writer's waits for its batches, 1.35-1.50 s of a 10,000-evaluation merge, came down to
    0.52-0.53 s). A batch the process could not prepare (it failed, or is gone) comes without
    rows, and is merged as any other (which reports the same error, if there is one)."""

    keeps_spooled = True
    gathers = True

    def __init__(
        self, preparer: Preparer, aggregates: Iterable[Item], bundle_id: str, dialect: Dialect
    ) -> None:
        super().__init__(aggregates, bundle_id, dialect)
        self.preparer = preparer
        self.asked: tuple[list[Item], bool, bool] | None = None  # (batch, last, handed over)
        self.request: tuple[str, Any, list[bytes]] | None = None  # made ready, not sent yet
        self.sources: dict[str, int] = {}  # the bundle's source's number, once written

    def most(self) -> int:
        return min(MAX_BATCH_CHANGES, REMOTE_BATCH_CHANGES)

    def _ask(self) -> tuple[list[Item], bool, bool]:
        """The next batch, read, and its request made ready (:meth:`hand_over` sends it):
        whether it is to be sent."""
        batch, last = next(self.batches)
        with self.step():
            bodies = [item.body for item in batch if isinstance(item, Spooled)]
            sent = bool(batch) and self.guess and len(bodies) == len(batch)
            if sent:  # with the numbers known so far (written by the batches before)
                source = self.sources.get(self.bundle_id)
                writers = list(self.writers.items())
                self.request = (self.dialect.name, (self.bundle_id, source, writers), bodies)
        return batch, last, sent

    def hand_over(self) -> None:
        """Send the request :meth:`_ask` made ready, if it is not sent yet. :class:`Ahead`
        calls it once the batch before is handed to the writer: writing to the pipe holds the
        interpreter's lock only between the pieces the pipe takes, so it is done while the
        writer writes, not while it waits. A process gone: the batch is prepared here."""
        request, self.request = self.request, None
        if request is None:
            return
        try:
            self.preparer.send(*request)
        except Gone:
            if self.asked is not None:
                batch, last, _sent = self.asked
                self.asked = (batch, last, False)

    def next(self) -> Batch:
        if self.asked is None:
            self.asked = self._ask()
        self.hand_over()
        batch, last, sent = self.asked
        # Its rows, prepared there, are read as they come while the writer writes the batch
        # before (waiting on the pipe takes no turn); then the next batch is asked for, to be
        # prepared there while this one is written.
        answer = None
        if sent:
            try:
                answer = self.preparer.receive()
            except Gone:
                answer = None
        self.asked = None if last else self._ask()
        with self.step():
            top = max((top_of(item) for item in batch), default=0)
            rows = None
            if answer is not None:
                rows = new_rows_given(
                    self.dialect, answer[0], answer[1], self.writers, self.sources
                )
        return Batch(batch, last, rows, top)


class _Stopped(Exception):
    """The writer has stopped: the thread preparing ahead ends."""


class _Turns:
    """Whose turn it is to run Python: the writer's, or the thread preparing ahead.

    Python's sqlite3 lets go of the GIL while SQLite writes each row of an ``executemany``
    and takes it back for the next row; with another thread running Python meanwhile, every
    take-back waits up to the interpreter's switch interval (5 ms), and writing a batch took
    many times longer (a "convoy"; measured: 300,000 rows 3.8 s alone, 22 s beside a busy
    thread). So the preparing thread runs only while the writer waits with the GIL released
    — its commit, the next batch — in steps (:meth:`step`) short enough that the writer,
    taking its turn back, waits little. Elsewhere (``free``: PostgreSQL, whose driver lets go
    of the GIL only to wait on the server, and whose server writes in a process of its own)
    both run at once.
    """

    def __init__(self, free: bool = False) -> None:
        self.cond = threading.Condition()
        self.free = free
        self.lent = free
        self.running = False
        self.stopping = False

    def lend(self) -> None:
        with self.cond:
            self.lent = True
            self.cond.notify_all()

    def take_back(self, wait: bool = True) -> None:
        """The writer runs again: once the step under way ends (``wait``), or at once (the
        step ends in its own time: it may be waiting on a process, as the writer must not)."""
        with self.cond:
            self.lent = self.free
            while wait and self.running:
                self.cond.wait()

    def stop(self) -> None:
        with self.cond:
            self.stopping = self.lent = True
            self.cond.notify_all()

    @contextmanager
    def step(self) -> Iterator[None]:
        with self.cond:
            while not self.lent:
                self.cond.wait()
            if self.stopping:
                raise _Stopped
            self.running = True
        try:
            yield
        finally:
            with self.cond:
                self.running = False
                self.cond.notify_all()


class Ahead:
    """:class:`Prepared` on a thread of its own, exactly one batch ahead of the writer.

    While batch ``k`` is committed (and while the writer waits for it), batch ``k + 1`` is
    read from the bundle, derived and encoded (:func:`~qa_tui.store.bulk.prepare_new`); only
    then is ``k + 2`` started, so at most two batches are in memory. Anything the preparation
    raises (:class:`BundleError` for a changed file, …) is raised by :meth:`next`, unchanged,
    in the writer's thread, after the batches before it are committed.
    """

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.turns = _Turns(free=prepared.dialect.name != "sqlite")
        prepared.step = self.turns.step
        self.ready: queue.SimpleQueue[Batch | BaseException] = queue.SimpleQueue()
        self.wanted = threading.Semaphore(1)  # one token: prepare one more batch
        self.thread = threading.Thread(target=self._run, name="merge-prepare", daemon=True)

    def __enter__(self) -> Ahead:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.turns.stop()
        self.wanted.release()
        self.thread.join()  # never a reader of the bundle left running behind

    def next(self) -> Batch:
        found = self.next_within(None)
        assert found is not None  # waited for
        return found

    def next_within(self, seconds: float | None) -> Batch | None:
        """The next batch, if it is ready within ``seconds`` (None: however long it takes);
        None if not (it is then the next one :meth:`next` gives)."""
        self.turns.lend()
        try:
            item = self.ready.get(timeout=seconds)
        except queue.Empty:
            self.turns.take_back(wait=False)  # its step may be waiting on the process
            return None
        self.turns.take_back()
        if isinstance(item, BaseException):
            raise item
        if not item.last:
            self.wanted.release()  # the next batch is prepared while this one is written
        return item

    def lend(self) -> None:
        self.turns.lend()

    def take_back(self) -> None:
        self.turns.take_back()

    def _run(self) -> None:
        try:
            while True:
                self.wanted.acquire()
                if self.turns.stopping:
                    return
                item = self.prepared.next()
                self.ready.put(item)
                self.prepared.hand_over()  # the next batch's request, while the writer writes
                if item.last:
                    return
        except _Stopped:
            return
        except BaseException as exc:  # raised in the writer's thread by next()
            self.ready.put(exc)
        finally:
            self.prepared.close()


def next_size(size: int, held: float, most: int) -> int:
    """The next batch's size in changes, after one of ``size`` that held the lock ``held``
    seconds: aimed at HOLD seconds, growing at most twofold at a time, to ``most`` at most."""
    return max(200, min(most, 2 * size, int(size * HOLD / max(held, 1e-3))))


def _batches(
    aggregates: Iterable[Item], target: list[int]
) -> Generator[tuple[list[Item], bool], None, None]:
    """``(batch, is_last)``: whole aggregates, about ``target[0]`` changes a batch; the last
    batch is known before it is merged (one aggregate read ahead), and may be empty."""
    stream = iter(aggregates)
    pending = next(stream, None)
    while True:
        batch: list[Item] = []
        size, limit = 0, target[0]
        while pending is not None and (not batch or size + size_of(pending) <= limit):
            batch.append(pending)
            size += size_of(pending)
            pending = next(stream, None)
        yield batch, pending is None
        if pending is None:
            return
