"""A read stopped from another thread (store/interrupt.py), on SQLite and PostgreSQL: the
statement running ends with an error in the reading thread; a stop after the read ended
touches nothing (the connection serves the next reader untouched)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import text

from qa_tui.errors import QaError
from qa_tui.store.interrupt import Reading
from qa_tui.store.migrate import open_store

# A statement that runs for minutes unless stopped (no table needed).
LONG = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
    "SELECT COUNT(*) FROM n WHERE i < 10000000000",
    "postgresql": "SELECT pg_sleep(600)",
}


def test_a_read_is_stopped_and_a_late_stop_does_nothing(make_db: Callable[[], str]) -> None:
    store = open_store(make_db())
    try:
        reading = Reading()
        failed: list[BaseException] = []
        started = threading.Event()

        def read() -> None:
            try:
                with store.reader() as session:
                    reading.start(session)
                    try:
                        started.set()
                        session.execute(text(LONG[store.dialect])).all()
                    finally:
                        reading.end()
            except QaError as err:
                failed.append(err)

        worker = threading.Thread(target=read)
        begun = time.monotonic()
        worker.start()
        assert started.wait(10)
        time.sleep(0.3)  # the statement is running
        reading.stop()
        worker.join(30)
        assert not worker.is_alive() and time.monotonic() - begun < 30
        assert failed and reading.stopped

        reading.stop()  # after the read ended: nothing to stop, the connection is another's
        with store.reader() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1

    finally:
        store.dispose()


def test_a_wait_ends_when_stopped() -> None:
    """The home list counts once typing pauses: the wait says whether a newer filter came."""
    reading = Reading()
    assert not reading.wait(0.01) and not reading.stopped
    threading.Timer(0.05, reading.stop).start()
    began = time.monotonic()
    assert reading.wait(30) and reading.stopped and time.monotonic() - began < 10
