"""Rows of tables keyed by random ids, held back to the end of their transaction and written
then in key order (for :func:`qa_tui.store.bulk.write_new`, in a merge's transactions that
gather several batches: :mod:`qa_tui.sync.merge`).

``field_states`` (a row per record, keyed by the record's id) and ``change_links`` (keyed by
change ids) take each new row at a random place: ids derived with ``uuid5`` (most records')
are random. Written batch by batch, a transaction touches one page each for most of them, and
the page cache, too small to keep them, writes a page out and reads it back for the next
batch. Held back and sorted, the transaction's rows go in one pass over the table, each page
taken once: a 10,000-evaluation first merge (``tests/benchmarks/bench_merge.py``) wrote its
``field_states`` rows in 1.45 s instead of 2.3 s.

Nothing is lost or changed by waiting: the rows are written in the same transaction, before
its commit, and a record id already used is refused then (the same ``IntegrityError``). Only
tables nothing in a first merge reads back within the transaction, and that no other table
refers to, are held back.
"""

from __future__ import annotations

import time
from operator import itemgetter

from sqlalchemy import Connection

from qa_tui.store.bulk_encode import Encoded, write_encoded

TABLES = ("field_states", "change_links")
# Seconds a held-back row takes to write, until a transaction has measured it (what a
# 10,000-evaluation merge measured: 1.45 s for 361,147 field_states rows).
FIRST_GUESS = 4e-6


class Later:
    """The held-back rows of the transaction under way, and how long writing them will take
    (:meth:`expected`: the merge counts it in the write lock's hold when it gathers)."""

    def __init__(self) -> None:
        self.held: dict[str, tuple[Encoded, list[tuple[object, ...]]]] = {}
        self.per_row = FIRST_GUESS

    def takes(self, encoded: Encoded) -> bool:
        """Whether these rows wait (SQLite's statements and tuples of one of :data:`TABLES`)."""
        return bool(encoded.sql) and encoded.table.name in TABLES

    def add(self, encoded: Encoded) -> None:
        if not encoded.rows:
            return
        _first, rows = self.held.setdefault(encoded.table.name, (encoded, []))
        rows.extend(encoded.rows)

    def rows(self) -> int:
        return sum(len(rows) for _first, rows in self.held.values())

    def expected(self) -> float:
        """Seconds :meth:`write` is likely to take."""
        return self.rows() * self.per_row

    def write(self, connection: Connection) -> None:
        """Write the held-back rows, each table's sorted by its key; nothing is held after."""
        count, started = self.rows(), time.perf_counter()
        held, self.held = self.held, {}
        for first, rows in held.values():
            names = [c.key for c in first.table.columns]
            key = itemgetter(*(names.index(c.key) for c in first.table.primary_key.columns))
            rows.sort(key=key)
            write_encoded(connection, Encoded(first.table, rows, first.sql))
        if count:
            self.per_row = (time.perf_counter() - started) / count

    def clear(self) -> None:
        """Drop what is held (a transaction that did not commit)."""
        self.held = {}
