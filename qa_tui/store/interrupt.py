"""Stopping a long read from another thread, when its answer is no longer wanted.

The dashboard reads its charts in a worker; when the filter changes, the statement still
running for the old filter (seconds, for a year of moderation judgements on a central
database) would hold the database and the CPU the new filter's charts need. :class:`Reading`
lets the screen stop it: SQLite's ``interrupt`` and PostgreSQL's cancel request both end the
statement with an error, in the worker, which then knows it was stopped.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _stopper(session: Session) -> Callable[[], None]:
    """How to stop the statement running on the session's connection (thread-safe)."""
    raw: Any = session.connection().connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection):
        return raw.interrupt
    cancel = getattr(raw, "cancel_safe", None) or getattr(raw, "cancel", None)
    return cancel if callable(cancel) else (lambda: None)


class Reading:
    """The reads of one worker that another thread may stop.

    Only between :meth:`start` and :meth:`end` is the connection the worker's: a stop after
    ``end`` does nothing (the connection may be serving another reader by then).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop: Callable[[], None] | None = None
        self._stopped = threading.Event()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait(self, seconds: float) -> bool:
        """Wait ``seconds`` before reading (a read worth doing only if nothing newer comes);
        True if stopped meanwhile."""
        return self._stopped.wait(seconds)

    def start(self, session: Session) -> None:
        """The worker reads on ``session`` from now on (and checks :attr:`stopped` after: a
        stop before this had nothing to stop)."""
        stop = _stopper(session)
        with self._lock:
            self._stop = stop

    def end(self) -> None:
        """The worker is done with its session (before the session is closed)."""
        with self._lock:
            self._stop = None

    def stop(self) -> None:
        """Stop the statement running now (the worker checks :attr:`stopped` before the
        next: SQLite's interrupt does not outlast the statement it stops). Returns at once:
        PostgreSQL's cancel request is a round trip to the server on a connection of its
        own, sent from a thread of its own, not from the caller's (the UI's)."""
        self._stopped.set()
        if self._stop is None:  # nothing running (a worker starting after sees the flag)
            return
        threading.Thread(target=self._stop_now, name="qa-tui-stop-read", daemon=True).start()

    def _stop_now(self) -> None:
        # Under the lock: the worker cannot end (and hand its connection to another reader)
        # while the request is on its way.
        with self._lock:
            if self._stop is not None:
                self._stop()
