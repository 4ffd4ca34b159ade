"""SQLite: a merge's write-ahead log — the merge connection's settings for it, and a big
merge's log copied into the database file while the merge goes on.

:func:`settings_for_merge` sets the merge's connection for its batches (no automatic
checkpoint inside a batch's commit, commits synced only from the last batch on:
:func:`durable_from_here`, a bigger page cache) and ends with a checkpoint;
:func:`checkpoint_if_long` checkpoints between two batches should the log ever pass
:data:`WAL_LIMIT` all the same.

A merge's batches commit to the write-ahead log; the log is copied into the database file by a
checkpoint, and the merge ends with one (:func:`~qa_tui.sync.merge.merge_in_batches`: the
database file then holds everything, the log is emptied). At the end of a merge of 10,000
evaluations that one checkpoint copied the whole merge's pages and synced them: 1.4 s with
nothing else to do, the work done and the write lock free. :class:`Checkpointer` copies the log
as it grows instead, between and during the batches, on a connection and a thread of its own —
SQLite lets a ``PASSIVE`` checkpoint run beside the writer and the readers, never waiting for
them, and copies outside Python's interpreter lock — so the last one has only the last
batches' pages left to copy (measured: docs/sync.md).

Only a merge whose log has grown past :data:`FROM_BYTES` starts one (a direct sync or a
laptop's small bundle never does), one at a time. Nothing depends on one: a checkpoint that
fails, or finds the writer ahead of it, leaves the rest to the next or to the merge's own at
the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection

from qa_tui.store.db import Store

FROM_BYTES = 64 * 1024 * 1024  # the log's size from which checkpoints run beside a merge
# The merge connection's SQLite page cache (the default is 2 MiB). 32 MiB made no difference
# to a 10,000-evaluation merge's time that could be measured, and cost 24 MB more memory
# (2026-12-04 again: the merge's reads fell from 5.3 to 3.7 GB and its writes from 6.1 to 4.5
# GB, its time did not change: docs/sync.md).
CACHE_KIB = 8 * 1024
WAL_LIMIT = 1024 * 1024 * 1024  # bytes of write-ahead log after which a merge checkpoints


@contextmanager
def checkpoints_beside(store: Store) -> Iterator[Checkpointer]:
    """Checkpoints of ``store``'s log beside a merge's batches; on the way out, the one under
    way is waited for (the merge's own then follows)."""
    checkpointer = Checkpointer(store)
    try:
        yield checkpointer
    finally:
        checkpointer.wait()


class Checkpointer:
    """Checkpoints of ``store``'s log beside a merge's batches (:meth:`after_commit`), one at a
    time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.thread: threading.Thread | None = None
        self.done = 0  # checkpoints beside the merge that ran to their end without an error

    def wait(self) -> None:
        """Wait for the checkpoint under way, if one is."""
        if self.thread is not None:
            self.thread.join()

    def after_commit(self) -> None:
        """A batch has committed: start a checkpoint if the log has grown past
        :data:`FROM_BYTES` and none is under way."""
        if self.thread is not None and self.thread.is_alive():
            return
        size = log_bytes(self.store)
        if size is None or size < FROM_BYTES:
            return
        self.thread = threading.Thread(target=self._run, name="merge-checkpoint", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            checkpoint(self.store)
        except Exception:  # housekeeping only: what is not copied now is copied later
            return
        self.done += 1


def checkpoint(store: Store) -> None:
    """One ``PASSIVE`` checkpoint of ``store``'s log, on a connection of its own."""
    with store.engine.connect() as connection:
        _passive(connection)


def _passive(connection: Connection) -> None:
    """A ``PASSIVE`` checkpoint on ``connection`` (outside a transaction)."""
    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    connection.commit()  # nothing to commit: ends the transaction the PRAGMA began


def log_bytes(store: Store) -> int | None:
    """The size of ``store``'s write-ahead log file (None: not SQLite, or not readable)."""
    path = store.sqlite_path
    if path is None:
        return None
    try:
        return Path(f"{path}-wal").stat().st_size
    except OSError:
        return None


@contextmanager
def settings_for_merge(connection: Connection) -> Iterator[None]:
    """On SQLite, the merge connection's settings for the batches, put back at the end.

    * On this connection, a checkpoint only between two batches once the write-ahead log has
      grown past :data:`WAL_LIMIT` (:func:`checkpoint_if_long`; the :class:`Checkpointer`'s,
      beside the batches, keep it far shorter), and one at the end (outside any
      transaction): a checkpoint copies the log into the database file and syncs it; after
      every batch that doubled the cost of a merge. Never checkpointing during the merge was
      worse: every batch appends the index pages it touched to the log again (ids are random,
      so each batch touches pages all over each index), and the log of a 10,000-evaluation
      merge passed 14 GB for a 1 GB database. A page written by many batches is copied once
      per checkpoint; the log file is emptied when the log restarts after it
      (``journal_size_limit = 0``). PASSIVE checkpoints block no one, and SQLite's own
      (``wal_autocheckpoint``, which would run inside a batch's commit and count in its time)
      is off meanwhile.
    * ``synchronous = NORMAL`` for every batch but the last (:func:`durable_from_here`): in WAL
      mode a commit is then not synced by itself, yet the log is written in order, so a power
      cut loses only a tail of batches — the database stays consistent and the bundle, out of
      the ledger, is completed by merging again — and the last batch's synced commit makes
      every batch before it durable too, before the merge reports done (one sync, not one a
      batch).
    * A bigger page cache than SQLite's default (:data:`CACHE_KIB`), so more index pages
      touched by one batch are still there for the next.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    every = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    limit = connection.exec_driver_sql("PRAGMA journal_size_limit").scalar()
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    connection.exec_driver_sql("PRAGMA journal_size_limit = 0")
    connection.exec_driver_sql("PRAGMA synchronous = NORMAL")
    connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA synchronous = FULL")
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache or -2000)}")
        connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {int(every or 1000)}")
        connection.exec_driver_sql(
            f"PRAGMA journal_size_limit = {-1 if limit is None else int(limit)}"
        )
        _passive(connection)


def checkpoint_if_long(store: Store, connection: Connection) -> None:
    """SQLite: a checkpoint once the write-ahead log has passed :data:`WAL_LIMIT` (between
    two batches: no lock is held, and it does not count in a batch's time)."""
    if connection.dialect.name != "sqlite":
        return
    size = log_bytes(store)
    if size is not None and size > WAL_LIMIT:
        _passive(connection)


def durable_from_here(connection: Connection) -> None:
    """The last batch's commit is synced (and with it every batch before it)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA synchronous = FULL")
        connection.commit()  # nothing to commit: ends the transaction the PRAGMA began
