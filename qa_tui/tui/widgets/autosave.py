"""Save as you go: edits are debounced, written in order by a worker thread, and reported.

A field's change is *scheduled* under a key (its latest value replaces any earlier pending one);
it is written once typing has paused for :data:`SAVE_DELAY` seconds, or :data:`MAX_WAIT` seconds
after the oldest unsaved edit while typing goes on without a pause, when focus leaves the field
(:meth:`Autosaver.flush_all`), or at once for structural changes (:meth:`Autosaver.submit`).
Every write is one transaction through the core, run by a single drainer at a time so that
writes land in the order they were made. On unmount, :meth:`Autosaver.flush_sync` writes what
is left before the screen goes.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from qa_tui.errors import QaError
from qa_tui.tui.text import line, literal

if TYPE_CHECKING:
    from textual.screen import Screen

    from qa_tui.workspace import Workspace

log = logging.getLogger(__name__)

SAVE_DELAY = 0.75  # seconds of quiet before a field is written (the promise is ≤ 1 s)
MAX_WAIT = 0.75  # seconds an edit may wait while typing goes on without pausing (same promise)
TICK = 0.1


class ErrorOwner(Protocol):
    """Where a save's outcome is shown: next to the field that was saved."""

    def show_error(self, field: str, message: str) -> None: ...

    def clear_error(self, field: str) -> None: ...


@dataclass
class SaveJob:
    """One unit of work for the writer thread: ``run(workspace)`` is one transaction."""

    key: str
    run: Callable[[Workspace], Any]
    owner: ErrorOwner | None = None
    field: str = ""
    after: Callable[[Any], None] | None = None
    quiet: bool = False  # a read, not a save: the indicator does not change


JobMaker = Callable[[], SaveJob | None]


class SaveIndicator(Static):
    """A small, literal status: "Saving…", "Saved 10:41:03" or "Not saved: <reason>"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("All changes saved", **kwargs)

    def saving(self) -> None:
        self.set_classes("-saving")
        self.update("Saving…")

    def saved(self) -> None:
        self.set_classes("-saved")
        clock = getattr(self.app, "clock", None)  # the app's clock: frozen in tests
        now = clock() if callable(clock) else dt.datetime.now(dt.UTC)
        self.update(f"Saved {now.astimezone():%H:%M:%S}")

    def failed(self, reason: str) -> None:
        self.set_classes("-failed")
        self.update(literal(f"Not saved: {line(reason, 60)}"))


class Autosaver:
    """The debounce, the ordered queue of writes, and the outcome of each write."""

    class Done(Message):
        """A job finished (posted to the screen from the writer thread)."""

        def __init__(self, job: SaveJob, result: Any = None, error: QaError | None = None) -> None:
            super().__init__()
            self.job = job
            self.result = result
            self.error = error

    def __init__(
        self, screen: Screen[Any], workspace: Workspace, indicator: SaveIndicator | None = None
    ) -> None:
        self.screen = screen
        self.workspace = workspace
        self.indicator = indicator
        self.read_only = False
        self._pending: dict[str, JobMaker] = {}
        self._last_edit = 0.0
        self._first_edit = 0.0  # when the oldest edit still pending was made
        self._queue: deque[SaveJob] = deque()
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()  # held while a job runs: writes land in order
        self._draining = False
        self._in_flight = 0
        self._timer: Timer | None = None
        self._shown_saving = False

    # --- scheduling (main thread) ---------------------------------------------------------

    def start(self) -> None:
        self._timer = self.screen.set_interval(TICK, self._tick, pause=True)

    def schedule(self, key: str, make_job: JobMaker) -> None:
        """A field changed: write its value once typing pauses, or within :data:`MAX_WAIT`
        while it goes on (the newest value wins)."""
        if self.read_only:
            return
        now = time.monotonic()
        if not self._pending:
            self._first_edit = now
        self._pending[key] = make_job
        self._last_edit = now
        if self._timer is not None:
            self._timer.resume()

    def _tick(self) -> None:
        if not self._pending:
            if self._timer is not None:
                self._timer.pause()
            return
        now = time.monotonic()
        if now - self._last_edit >= SAVE_DELAY or now - self._first_edit >= MAX_WAIT:
            self.flush_all()

    def flush(self, key: str) -> None:
        maker = self._pending.pop(key, None)
        if maker is not None:
            self._enqueue(maker())

    def flush_all(self) -> None:
        """Write everything pending now (focus left a field, or the section is changing)."""
        pending, self._pending = self._pending, {}
        for maker in pending.values():
            self._enqueue(maker())

    def submit(self, job: SaveJob) -> None:
        """Run a job after everything already scheduled (pending edits are flushed first)."""
        if self.read_only and not job.quiet:
            return
        self.flush_all()
        self._enqueue(job)

    @property
    def idle(self) -> bool:
        """Nothing pending, queued or being written (tests and the review wait on this)."""
        return not self._pending and not self._queue and self._in_flight == 0

    def _enqueue(self, job: SaveJob | None) -> None:
        if job is None:
            return
        if not job.quiet and self.indicator is not None:
            self._shown_saving = True
            self.indicator.saving()
        with self._queue_lock:
            self._queue.append(job)
            self._in_flight += 1
            start = not self._draining
            self._draining = True
        if start:
            self.screen.run_worker(self._drain, thread=True, group="autosave", exit_on_error=False)

    # --- writing (the worker thread; on unmount, the main thread) ---------------------------

    def _drain(self) -> None:
        while True:
            with self._write_lock:
                with self._queue_lock:
                    if not self._queue:
                        self._draining = False
                        return
                    job = self._queue.popleft()
                done = self._run(job)
            self.screen.post_message(done)

    def _run(self, job: SaveJob) -> Autosaver.Done:
        try:
            return Autosaver.Done(job, result=job.run(self.workspace))
        except QaError as err:
            return Autosaver.Done(job, error=err)
        except Exception as err:  # a bug or a broken database: report it, never lose the app
            log.exception("saving %s failed", job.key)
            return Autosaver.Done(job, error=QaError(f"unexpected error ({err})", field=job.field))

    def flush_sync(self) -> None:
        """Write everything left, now, in this thread (the screen is closing)."""
        self.flush_all()
        while True:
            with self._write_lock:
                with self._queue_lock:
                    if not self._queue:
                        return
                    job = self._queue.popleft()
                done = self._run(job)
                self._in_flight -= 1
            if done.error is not None:
                log.error("not saved on close: %s: %s", job.key, done.error)

    # --- outcomes (main thread) -------------------------------------------------------------

    def finished(self, done: Autosaver.Done) -> None:
        """Show the outcome next to the field and in the indicator, then run ``after``."""
        job = done.job
        self._in_flight -= 1
        if done.error is not None:
            if job.owner is not None:
                job.owner.show_error(job.field or done.error.field or "", str(done.error))
            if not job.quiet and self.indicator is not None:
                self._shown_saving = False
                self.indicator.failed(str(done.error))
            return
        if job.owner is not None:
            job.owner.clear_error(job.field)
        if self._shown_saving and self.indicator is not None and self.idle:
            self._shown_saving = False
            self.indicator.saved()
        if job.after is not None:
            job.after(done.result)
