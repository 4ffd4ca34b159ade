"""Merging aggregates (evaluations, moderation sessions) into a database: lossless, idempotent,
order-independent.

The state is a pure function of the *set* of changes (see :mod:`qa_tui.store.history`): a
change is identified by its id, a field's heads are its changes no other change of that field
supersedes, and the provisional winner of concurrent heads is the highest ``(counter,
device_id, id)``. Merging therefore only has to add the changes a database lacks and re-derive
the fields they touch:

* evaluations new to the database go through the bulk path (:func:`qa_tui.store.bulk.insert_new`);
* evaluations it already holds: incoming changes it has are compared with what it holds (a
  different change under the same id is a collision and refuses the whole merge), new ones are
  inserted and every touched field is re-derived from all its changes
  (:mod:`qa_tui.sync.merge_known`).

What a merge is given and reports is in :mod:`qa_tui.sync.merge_report`.

:func:`merge_aggregates` does it all in the caller's one transaction; :func:`merge_in_batches`
(bundles and direct sync on the central database) commits batches of whole aggregates
(:mod:`qa_tui.sync.batching` makes them), each short enough (about half a second) that the write
lock is never held for long, and records the bundle in the ledger in the transaction of its last
batch. Every batch leaves the database consistent (an aggregate is in one batch, whole; history and
state in step), so a merge cut short anywhere leaves some aggregates merged and the rest untouched,
and merging the same bundle again adds exactly what is missing. Each transaction takes the merge
lock first (a PostgreSQL advisory lock; SQLite's write lock), so concurrent merges of overlapping
bundles serialise batch by batch: no duplicates, nothing lost. The ledger row (``INSERT … ON
CONFLICT DO NOTHING``) makes a replayed bundle a no-op.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qa_tui.errors import StoreBusyError
from qa_tui.store import models
from qa_tui.store.bulk import insert_new, write_new
from qa_tui.store.bulk_derive import SharedRecordId
from qa_tui.store.change_log import Link
from qa_tui.store.db import Store
from qa_tui.store.history import advance_clock
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync.aggregates import Aggregate
from qa_tui.sync.batching import (
    GATHER_HOLD,
    Ahead,
    Batch,
    Item,
    Prepared,
    Remote,
    next_size,
    size_of,
    whole,
)
from qa_tui.sync.checkpointing import (
    Checkpointer,
    checkpoint_if_long,
    checkpoints_beside,
    durable_from_here,
    settings_for_merge,
)
from qa_tui.sync.errors import BundleError, PartlyMerged
from qa_tui.sync.merge_known import merge_known
from qa_tui.sync.merge_report import MergeReport, Provenance
from qa_tui.sync.preparer import Preparer

BATCH = 200
MERGE_LOCK = 0x51A7_0001
MERGE_LOCK_WAIT = "10min"  # how long a merge waits for another (PostgreSQL) before "busy"
HUNG_CLIENT = "5min"  # a merge whose client goes quiet this long mid-transaction is ended
Progress = Callable[[int], None]
# Which of a batch's aggregates the database has some history of. One statement, its ids a
# parameter: one built for every batch (``in_(ids)``) is left in a cycle holding its ids,
# which the paused collector (:func:`cycles_paused`) never freed until the merge ended —
# 300 bytes an aggregate, 30 MB in a merge of 100,000.
_HELD = (
    select(models.Change.evaluation_id)
    .distinct()
    .where(models.Change.evaluation_id.in_(bindparam("ids", expanding=True)))
)


_PAUSED = [0]  # merges running in cycles_paused()
_PAUSED_LOCK = threading.Lock()
_RESUME = [False]  # whether the collector was on when the first of them began


@contextmanager
def cycles_paused() -> Iterator[None]:
    """Python's cycle collector off while a big merge runs, back as it was after the last.

    Verifying and merging a bundle makes and drops millions of small containers (a change's
    dict, a row's tuple), none of them in a cycle; the collector's passes over them, the
    batches alive meanwhile and everything else the process holds took 7% of a merge's CPU
    time (3,000 evaluations: 16.6 s, 15.5 s without; peak memory the same). Reference
    counting frees all of it as before; cycles made meanwhile wait for the collector's return.
    Counted, so that merges on two threads at once leave it as it was.
    """
    with _PAUSED_LOCK:
        if _PAUSED[0] == 0:
            _RESUME[0] = gc.isenabled()
            gc.disable()
        _PAUSED[0] += 1
    try:
        yield
    finally:
        with _PAUSED_LOCK:
            _PAUSED[0] -= 1
            if _PAUSED[0] == 0 and _RESUME[0]:
                gc.enable()


def _insert_ignore(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def _take_merge_lock(session: Session) -> None:
    """Take the merge lock for the rest of the session's transaction (before anything else)."""
    if session.get_bind().dialect.name == "postgresql":
        # Wait for another merge at most MERGE_LOCK_WAIT (then: busy, try again), and let the
        # server end a merge whose client hangs mid-transaction instead of blocking the rest.
        session.execute(text(f"SET LOCAL lock_timeout = '{MERGE_LOCK_WAIT}'"))
        session.execute(text(f"SET LOCAL idle_in_transaction_session_timeout = '{HUNG_CLIENT}'"))
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MERGE_LOCK})
    else:
        # SQLite's write lock, taken by a write (even one that changes nothing) before any
        # read: a transaction that read first could not write once another merge had.
        session.execute(text("UPDATE meta SET value = value WHERE key = 'clock'"))


def _open_ledger(session: Session, source: Provenance, now: str) -> MergedBundle | None:
    """Take the merge lock and claim the bundle id; returns the earlier row for a replay."""
    _take_merge_lock(session)
    row = {
        "bundle_id": source.bundle_id,
        "kind": source.kind,
        "device_id": source.device_id,
        "format_version": source.format_version,
        "schema_revision": source.schema_revision,
        "created_at": source.created_at,
        "merged_at": now,
        "file_sha256": source.file_sha256,
        "content_hash": source.content_hash,
        "evaluations": 0,
        "changes": 0,
        "new_changes": 0,
    }
    statement = _insert_ignore(session, MergedBundle.__table__).values(**row)
    claimed = session.execute(statement.returning(MergedBundle.bundle_id)).first()
    if claimed is not None:
        return None
    earlier = session.get(MergedBundle, source.bundle_id)
    assert earlier is not None
    _same_bundle(earlier, source)
    return earlier


def _same_bundle(earlier: MergedBundle, source: Provenance) -> None:
    if earlier.content_hash != source.content_hash or earlier.kind != source.kind:
        raise BundleError(
            f"bundle id {source.bundle_id} was already used by a different bundle; refused"
        )


def merge_aggregates(
    session: Session,
    aggregates: Iterable[Aggregate],
    source: Provenance,
    now: str,
    progress: Progress | None = None,
) -> MergeReport:
    """Merge validated aggregates into the database in the session's transaction.

    Raises :class:`BundleError` for a collision (an id already used for different content);
    the caller's transaction must then be rolled back (``store.session()`` does).
    """
    report = MergeReport(source.bundle_id, merged_at=now)
    earlier = _open_ledger(session, source, now)
    if earlier is not None:
        report.already_merged, report.merged_at = True, earlier.merged_at
        return report
    top = 0
    batch: list[Aggregate] = []
    with _refusing_collisions():
        for aggregate in aggregates:
            batch.append(aggregate)
            if len(batch) >= BATCH:
                top = max(top, _merge_batch(session, batch, source.bundle_id, report))
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            top = max(top, _merge_batch(session, batch, source.bundle_id, report))
            if progress:
                progress(len(batch))
        session.flush()
    advance_clock(session, top)
    _count_in_ledger(session, source, report)
    return report


@contextmanager
def _refusing_collisions() -> Iterator[None]:
    """Records whose ids the database, or the bundle itself, gives to other records: the
    bundle refused in one line (the caller's transaction is rolled back)."""
    try:
        yield
    except IntegrityError:
        raise BundleError(
            "record ids collide with different records already in the database; refused"
        ) from None
    except SharedRecordId as exc:
        raise BundleError(
            f"record id {exc.entity_id} is used by two records of the bundle; refused"
        ) from None


def _count_in_ledger(session: Session, source: Provenance, report: MergeReport) -> None:
    session.execute(
        update(MergedBundle)
        .where(MergedBundle.bundle_id == source.bundle_id)
        .values(  # the ledger's "evaluations": every aggregate merged, of every kind
            evaluations=report.aggregates,
            changes=report.changes,
            new_changes=report.new_changes,
        )
    )


def merge_in_batches(
    store: Store,
    aggregates: Iterable[Item],
    source: Provenance,
    now: str,
    progress: Progress | None = None,
    committed: Progress | None = None,
    ahead: bool = False,
    preparer: Preparer | None = None,
) -> MergeReport:
    """Merge validated aggregates in batches, each committed in a transaction of its own —
    or, for a big bundle's batches prepared in a second process, several gathered in one
    (:func:`_gather`: about :data:`~qa_tui.sync.batching.GATHER_HOLD` seconds).

    Each batch holds whole aggregates and lasts about :data:`~qa_tui.sync.batching.HOLD` seconds
    (sized from the one before), so other merges and syncs get the database between batches. The
    bundle goes into the ledger with the last batch: a merge cut short is completed by merging
    again. ``progress(k)`` is called inside each batch's transaction once its ``k`` aggregates are
    written, ``committed(k)`` once it has committed (it may take its time: no lock is held). Raises
    :class:`BundleError` for a collision (or a bundle file that changed), and
    :class:`~qa_tui.errors.StoreBusyError` when another writer kept the lock too long, if nothing
    was committed yet; once a batch has committed, :class:`PartlyMerged` instead (the batch that
    failed writes nothing; the earlier ones, valid on their own, stay).

    Each batch's new records are prepared (read, derived, encoded) before its transaction
    begins; with ``ahead``, on a thread of its own while the batch before is written
    (:class:`Ahead`): ``aggregates`` is then consumed on that thread, so it must not share a
    connection with anything else (a bundle file's reader). With a ``preparer`` as well (a
    bundle's aggregates as its verification kept them, :class:`~qa_tui.sync.spool.Spooled`),
    the rows are prepared in that process, a batch ahead (:class:`Remote`).
    """
    report = MergeReport(source.bundle_id, merged_at=now)
    with store.reader() as session:  # a replay is a no-op without taking the lock
        earlier = session.get(MergedBundle, source.bundle_id)
        if earlier is not None:
            _same_bundle(earlier, source)
            report.already_merged, report.merged_at = True, earlier.merged_at
            return report
    try:
        with (
            store.engine.connect() as connection,
            settings_for_merge(connection),
            checkpoints_beside(store) as beside,  # waited for before the one at the end
        ):
            _merge_batches(
                (store, beside),
                connection,
                Prepared(aggregates, source.bundle_id, connection.dialect)
                if preparer is None
                else Remote(preparer, aggregates, source.bundle_id, connection.dialect),
                source,
                report,
                (progress, committed),
                ahead,
            )
        report.checkpoints = beside.done
    except (BundleError, StoreBusyError) as exc:
        if not report.batches:
            raise
        busy = isinstance(exc, StoreBusyError)
        raise PartlyMerged(str(exc), report.committed, busy) from exc
    return report


def _merge_batches(
    stores: tuple[Store, Checkpointer],
    connection: Connection,
    batches: Prepared,
    source: Provenance,
    report: MergeReport,
    callbacks: tuple[Progress | None, Progress | None],
    ahead: bool,
) -> None:
    """Write the batches, each transaction gathering batches as :func:`_gather` says; the
    last batch in a transaction of its own, synced, with the bundle's ledger row. After
    each commit the log is checkpointed beside the batches, once it is long
    (:class:`~qa_tui.sync.checkpointing.Checkpointer`)."""
    store, beside = stores
    now = report.merged_at
    progress, committed = callbacks
    target = batches.target  # the next batch's size in changes, sized as we go
    with Ahead(batches) if ahead else nullcontext(batches) as prepared:
        item = prepared.next()
        while True:
            last = item.last
            if last:
                durable_from_here(connection)
            prepared.take_back()
            started = time.perf_counter()
            written: list[int] = []  # each batch's aggregates, in this transaction
            following: Batch | None = None  # a batch read for this one, left for the next
            failed: Exception | None = None  # reading the next batch raised (a changed file…)
            with store.session_on(connection) as session:
                if last:  # the merge lock, then the claim on the bundle id
                    earlier = _open_ledger(session, source, now)
                else:
                    _take_merge_lock(session)
                while True:
                    batch = item.aggregates
                    began = time.perf_counter()
                    _merge_one_batch(session, batch, source.bundle_id, report, item)
                    took = time.perf_counter() - began
                    batches.guess = not item.held  # the next batches are likely the same
                    if progress and batch:
                        progress(len(batch))
                    written.append(len(batch))
                    if batches.gathers:  # the batches read while this transaction gathers
                        size = sum(map(size_of, batch))
                        target[0] = next_size(size, took, batches.most())
                    left = _gather(prepared, batches, time.perf_counter() - started, took)
                    if last or left is None:
                        break
                    assert isinstance(prepared, Ahead)
                    try:
                        following = prepared.next_within(left)  # usually ready: no wait
                    except Exception as exc:  # raised once the batches before it commit
                        failed = exc
                        break
                    if following is None or following.last:  # last: a transaction of its own
                        break
                    item, following = following, None
                if last and earlier is not None:  # another merge of it finished meanwhile
                    report.already_merged, report.merged_at = True, earlier.merged_at
                elif last:
                    _count_in_ledger(session, source, report)
                prepared.lend()  # the commit waits on the database, the GIL released
            held = time.perf_counter() - started
            report.transactions += 1
            report.longest_hold = max(report.longest_hold, held)
            if not last and failed is None:
                checkpoint_if_long(store, connection)
                beside.after_commit()
            for count in written:
                report.batches += 1
                report.committed += count
                if committed and count:
                    committed(count)
            if failed is not None:
                raise failed
            if last:
                return
            if not batches.gathers:  # a batch a transaction: sized from its hold, as ever
                target[0] = next_size(sum(map(size_of, batch)), held, batches.most())
            item = prepared.next() if following is None else following


def _gather(
    prepared: Prepared | Ahead, batches: Prepared, held: float, took: float
) -> float | None:
    """Whether the transaction that has held the write lock ``held`` seconds, its last batch
    written in ``took``, takes in the next batch too, and if so how long it may wait for it
    (None: it commits). Only batches a second process prepares, a batch ahead
    (:class:`~qa_tui.sync.batching.Remote` in :class:`~qa_tui.sync.batching.Ahead`: a big
    bundle; the next batch is usually ready as this one is written), and only while waiting
    for one more and writing it as long as the last keeps the hold within
    :data:`~qa_tui.sync.batching.GATHER_HOLD`: a preparing process that is slow or stuck
    never keeps the lock held. Those batches are kept small by memory, not by the lock
    (:data:`~qa_tui.sync.batching.REMOTE_BATCH_CHANGES`), and on SQLite each commit writes
    again every index page its transaction touched (ids are random): fewer, longer
    transactions spare most of that."""
    left = GATHER_HOLD - held - took
    if not batches.gathers or not isinstance(prepared, Ahead) or left <= 0:
        return None
    return left


def _merge_one_batch(
    session: Session,
    batch: Sequence[Item],
    bundle_id: str,
    report: MergeReport,
    prepared: Batch | None = None,
) -> None:
    if not batch:
        return
    with _refusing_collisions():
        top = _merge_batch(session, batch, bundle_id, report, prepared)
        session.flush()
    advance_clock(session, top)


def _merge_batch(
    session: Session,
    items: Sequence[Item],
    bundle_id: str,
    report: MergeReport,
    prepared: Batch | None = None,
) -> int:
    ids = [a.evaluation_id for a in items]
    present = set(session.scalars(_HELD, {"ids": ids}))
    if prepared is not None:
        prepared.held = bool(present)
        if prepared.rows is not None and not present:
            return _merge_prepared(session, prepared, report)
    batch = [whole(item, bundle_id) for item in items]
    fresh_changes: list[dict[str, Any]] = []
    fresh_links: list[Link] = []
    top = 0
    for aggregate in batch:
        report.count_root(aggregate.root_type)
        report.changes += len(aggregate.changes)
        for change in aggregate.changes:
            change["bundle_id"] = bundle_id
            top = max(top, change["counter"])
        if aggregate.evaluation_id not in present:
            fresh_changes.extend(aggregate.changes)
            fresh_links.extend(aggregate.keyed_links())
            report.new_changes += len(aggregate.changes)
            report.touch(aggregate.root_type)
    insert_new(session, fresh_changes, fresh_links)
    known = [a for a in batch if a.evaluation_id in present]
    if known:
        merge_known(session, known, report)
    return top


def _merge_prepared(session: Session, prepared: Batch, report: MergeReport) -> int:
    """A batch of aggregates all new here (a first merge): the rows prepared before its
    transaction began."""
    for aggregate in prepared.aggregates:
        report.count_root(aggregate.root_type)
        report.changes += size_of(aggregate)
        report.new_changes += size_of(aggregate)
        report.touch(aggregate.root_type)
    assert prepared.rows is not None
    write_new(session, prepared.rows)
    prepared.rows = None  # written: not held while the commit waits and the next is prepared
    return prepared.top
