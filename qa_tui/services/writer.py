"""One writer thread for the whole app: every write lands in the order it was asked for.

The TUI never writes on its own thread. An edit is handed to :class:`Writer` as a call of the
core (a bound method of :class:`~qa_tui.services.editor.EvaluationEditor` and its arguments);
the writer runs the calls one after another on its thread, each one transaction, and hands
each outcome to the ``done`` callback given with it (the TUI posts it back to the screen as a
message). A reader that must see every write made so far waits for the writer to reach the
write's sequence number (:meth:`Writer.wait_for`) and then reads in its own thread.

When the app closes, the writer finishes what is queued (the last keystrokes of a closing
screen among them) and then runs its ``then`` callback (closing the database). Should the
process end first (the app returned, or failed, before closing its writer), an ``atexit`` hook
closes every writer still open and waits for it to drain. That is how the last write is
guaranteed without writing on the UI thread. (The thread itself is a daemon, so a writer
nobody closed can never keep a process alive: the hook is what waits for it.)
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from qa_tui.errors import QaError

log = logging.getLogger(__name__)
T = TypeVar("T")
EXIT_WAIT = 30.0  # seconds the process waits at exit for a writer to drain
_OPEN: weakref.WeakSet[Writer] = weakref.WeakSet()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """How one call ended: its value, or the error the user is to see."""

    value: T | None = None
    error: QaError | None = None


@dataclass
class _Call:
    seq: int
    run: Callable[[], Any]
    done: Callable[[Outcome[Any]], object] | None


class Writer:
    """Runs calls in order on one thread of its own, started on first use."""

    def __init__(self, name: str = "qa-tui-writer") -> None:
        self._name = name
        self._calls: deque[_Call] = deque()
        self._lock = threading.Condition()
        self._submitted = 0  # the sequence number of the newest call
        self._finished = 0  # every call up to this one has run
        self._closing = False
        self._then: Callable[[], None] | None = None
        self._thread: threading.Thread | None = None

    @property
    def submitted(self) -> int:
        """The sequence number of the newest call handed in (0: none yet)."""
        with self._lock:
            return self._submitted

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing running."""
        with self._lock:
            return self._finished == self._submitted

    def submit(self, run: Callable[[], T], done: Callable[[Outcome[T]], object] | None) -> int:
        """Queue ``run()``; ``done`` gets its outcome (on the writer's thread). Returns the
        call's sequence number, for :meth:`wait_for`."""
        with self._lock:
            if self._closing:
                raise QaError("the app is closing: nothing more can be saved")
            self._submitted += 1
            self._calls.append(_Call(self._submitted, run, done))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
                _OPEN.add(self)
            self._lock.notify_all()
            return self._submitted

    def wait_for(self, seq: int, timeout: float | None = None) -> bool:
        """Block (in a worker thread, never the UI's) until call ``seq`` and all before it
        have run; False if ``timeout`` seconds pass first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._finished >= seq, timeout)

    def close(self, then: Callable[[], None] | None = None) -> None:
        """Take no more calls; finish the queued ones, then run ``then`` (on the writer's
        thread, or here at once if the writer never started)."""
        with self._lock:
            self._closing = True
            if then is not None:
                self._then = then
            thread = self._thread
            self._lock.notify_all()
        if thread is None and then is not None:
            self._then = None
            then()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the writer has finished (tests, and the CLI after the app exits)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: bool(self._calls) or self._closing)
                if not self._calls:
                    then = self._then
                    break
                call = self._calls.popleft()
            outcome = self._run(call)
            with self._lock:
                self._finished = call.seq
                self._lock.notify_all()
            if call.done is not None:
                call.done(outcome)
        if then is not None:
            then()

    @staticmethod
    def _run(call: _Call) -> Outcome[Any]:
        try:
            return Outcome(value=call.run())
        except QaError as err:
            return Outcome(error=err)
        except Exception as err:  # a bug or a broken database: reported, never the app lost
            log.exception("a write failed")
            return Outcome(error=QaError(f"unexpected error ({err})"))


@atexit.register
def _drain_at_exit() -> None:
    """The process is ending: every writer still running finishes what it was given."""
    for writer in list(_OPEN):
        writer.close()
        writer.join(EXIT_WAIT)
