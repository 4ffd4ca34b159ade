"""What has left this database: the line after which a local change may still be amended.

A change another device (or the QA team) may have seen must never change: its id is its
identity everywhere. A change made here that has not been handed over yet is private, so the
next save of the same field by the same author on this device may amend it in place instead of
adding a change per autosave (:func:`qa_tui.store.history.record_change`).

Everything that hands changes over (an export to a bundle file, a direct sync's push, a pull
from this database) reads them with :func:`qa_tui.sync.export.iter_aggregates`, which runs
inside :func:`handing_over`. While one runs, nothing is amended (it may be reading the history
this moment); when it ends, the Lamport clock's value is the **mark**: every change it could
have read has a counter at or below it, and such changes are never amended again. The mark and
the running hand-overs are one ``meta`` row, which each amendment and each hand-over's start
and end update first: on SQLite that is the write lock, on PostgreSQL a row lock, so an
amendment and the start of a hand-over are always in one order. The central database never
amends (laptops read its history when they sync).

A hand-over killed mid-way (the machine off) leaves its entry behind. It may have sent what
it read (a direct sync's push can commit on the central database just before the laptop goes
off), so it is never simply forgotten: after :data:`STALE` (no export or sync lasts that long)
the next save that finds it ends it as a finished hand-over would — the mark moves to the
clock, so nothing it could have read is ever amended — and amending resumes after that.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session

from qa_tui.clock import stamp, utc_now
from qa_tui.store import models
from qa_tui.store.role import is_central

KEY = "handed_over"  # meta: {"mark": counter, "running": [start stamps]}
STALE = dt.timedelta(hours=6)


def _locked(session: Session) -> tuple[models.Meta | None, dict[str, object]]:
    """The mark row, after a write to it that orders this transaction with hand-overs."""
    meta = models.Meta
    session.execute(update(meta).where(meta.key == KEY).values(value=meta.value))
    row = session.get(meta, KEY, populate_existing=True)
    if row is None:
        return None, {"mark": None, "running": []}
    return row, json.loads(row.value)


def _entries(state: dict[str, object]) -> list[str]:
    found = state.get("running")
    return [s for s in found if isinstance(s, str)] if isinstance(found, list) else []


def _running(state: dict[str, object]) -> list[str]:
    since = stamp(utc_now() - STALE)
    return [s for s in _entries(state) if s > since]


def _close(session: Session, state: dict[str, object], running: list[str]) -> None:
    """What a hand-over's end does: only ``running`` still run, and the mark moves to the
    clock (whatever an ended one could have read stays as it is)."""
    clock = session.get(models.Meta, "clock")
    mark = state.get("mark")
    now = int(clock.value) if clock else 0
    state["running"] = running
    state["mark"] = max(now, mark) if isinstance(mark, int) else now


def amend_mark(session: Session) -> int | None:
    """The counter above which this database's own unsent changes lie, or None when nothing
    may be amended now (a hand-over is running, the mark is unknown, or this is the central
    database). Locks the mark for the rest of the transaction."""
    if is_central(session):
        return None
    row, state = _locked(session)
    running = _running(state)
    if row is not None and len(running) < len(_entries(state)):  # one was killed mid-way
        _close(session, state, running)
        _save(session, row, state)
        session.flush()
    mark = state.get("mark")
    if not isinstance(mark, int) or running:
        return None
    return mark


@contextmanager
def handing_over(bind: Engine | Connection) -> Iterator[None]:
    """Run a hand-over (reading history to send it) on the database at ``bind``: no amendment
    while it runs; after it, none of what it could have read (the mark moves to the clock, even
    if it failed: it may have read some). Its own short transactions, on a connection of their
    own; nothing on the central database (it never amends)."""
    engine = bind.engine if isinstance(bind, Connection) else bind
    with Session(engine) as session:
        if is_central(session):
            yield
            return
    started = stamp(utc_now())
    with Session(engine) as session, session.begin():
        row, state = _locked(session)
        state["running"] = [*_running(state), started]
        _save(session, row, state)
    try:
        yield
    finally:
        with Session(engine) as session, session.begin():
            row, state = _locked(session)
            running = [s for s in _running(state) if s != started]
            _close(session, state, running)
            _save(session, row, state)


def _save(session: Session, row: models.Meta | None, state: dict[str, object]) -> None:
    value = json.dumps(state, sort_keys=True)
    if row is None:
        session.add(models.Meta(key=KEY, value=value))
    else:
        row.value = value
