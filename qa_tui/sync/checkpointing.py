"""SQLite: a big merge's write-ahead log copied into the database file while the merge goes on.

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

from qa_tui.store.db import Store

FROM_BYTES = 64 * 1024 * 1024  # the log's size from which checkpoints run beside a merge


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
        path = self.store.sqlite_path
        if path is None or (self.thread is not None and self.thread.is_alive()):
            return
        try:
            size = Path(f"{path}-wal").stat().st_size
        except OSError:
            return
        if size < FROM_BYTES:
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
        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        connection.commit()  # nothing to commit: ends the transaction the PRAGMA began
