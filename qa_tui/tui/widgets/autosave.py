"""Save as you go: the one scheduling path from a widget to the core.

A widget hands an edit to the screen's :class:`Autosaver` as a typed call of the core — a
method of :class:`~qa_tui.services.editor.EvaluationEditor` and its arguments, checked by the
type checker against the method — with a :class:`Target` saying where its outcome is shown:

* :meth:`Autosaver.later` for typing: the newest value under a key replaces the pending one
  and is written once typing pauses for :data:`SAVE_DELAY` seconds (or :data:`MAX_WAIT`
  seconds after the oldest unsaved edit while typing goes on), or when focus leaves the field;
* :meth:`Autosaver.now` for a choice or a structural change (a grade, adding a row): written
  at once, after everything scheduled before it; ``.then(callback)`` gets the result.

Writes run on the app's one writer thread (:mod:`qa_tui.services.writer`), in the order they
were made; outcomes come back to the screen as :class:`Autosaver.Done` messages. Reads go
their own way (:meth:`Autosaver.read`): a worker thread waits until every write made so far
has landed, reads, and posts :class:`Autosaver.Read` back. When the screen closes,
:meth:`Autosaver.close` hands what is still pending to the writer, which finishes it even
after the screen is gone (and before the process ends).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, TypeVar

from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from qa_tui.errors import QaError
from qa_tui.services.writer import Outcome, Writer
from qa_tui.tui.text import line

if TYPE_CHECKING:
    from textual.screen import Screen

SAVE_DELAY = 0.75  # seconds of quiet before a field is written (the promise is ≤ 1 s)
MAX_WAIT = 0.75  # seconds an edit may wait while typing goes on without pausing (same promise)
TICK = 0.1

P = ParamSpec("P")
T = TypeVar("T")


class ErrorOwner(Protocol):
    """Where a save's outcome is shown: next to the field that was saved."""

    def show_error(self, field: str, message: str) -> None: ...

    def clear_error(self, field: str) -> None: ...


@dataclass(frozen=True)
class Target:
    """What an edit is (``key``: later edits under it replace a pending one) and where its
    outcome is shown (``owner``, next to ``field``)."""

    key: str
    owner: ErrorOwner | None
    field: str = ""


@dataclass
class Pending(Generic[T]):
    """A write handed in; ``then(callback)`` runs the callback with its result once written."""

    target: Target
    call: Callable[[], T]
    after: list[Callable[[T], object]] = field(default_factory=list)

    def then(self, callback: Callable[[T], object]) -> Pending[T]:
        self.after.append(callback)
        return self


class SaveIndicator(Static):
    """A small, literal status: "Saving…", "Saved 10:41:03" or "Not saved: <reason>"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("All changes saved", **kwargs)

    def saving(self) -> None:
        self.set_classes("-saving")
        self.update("Saving…")

    def saved(self, now: dt.datetime) -> None:
        self.set_classes("-saved")
        self.update(f"Saved {now.astimezone():%H:%M:%S}")

    def failed(self, reason: str) -> None:
        self.set_classes("-failed")
        self.update(f"Not saved: {line(reason, 60)}")


class Autosaver:
    """The debounce, the hand-over to the writer, and the outcome of each write."""

    class Done(Message):
        """A write finished (posted to the screen from the writer thread)."""

        def __init__(self, pending: Pending[Any], outcome: Outcome[Any]) -> None:
            super().__init__()
            self.pending = pending
            self.outcome = outcome

    class Read(Message):
        """A read finished (posted to the screen from its worker thread)."""

        def __init__(
            self, then: Callable[[Any], object], value: Any = None, error: QaError | None = None
        ) -> None:
            super().__init__()
            self.then = then
            self.value = value
            self.error = error

    def __init__(
        self,
        screen: Screen[Any],
        writer: Writer,
        indicator: SaveIndicator | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.screen = screen
        self.writer = writer
        self.indicator = indicator
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.read_only = False
        self._pending: dict[str, Pending[Any]] = {}
        self._last_edit = 0.0
        self._first_edit = 0.0  # when the oldest edit still pending was made
        self._writing = 0  # handed to the writer, outcome not back yet
        self._reading = 0
        self._timer: Timer | None = None
        self._shown_saving = False

    # --- scheduling (main thread) ---------------------------------------------------------

    def start(self) -> None:
        self._timer = self.screen.set_interval(TICK, self._tick, pause=True)

    def later(
        self, target: Target, method: Callable[P, object], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        """Typing: write ``method(*args, **kwargs)`` once typing pauses (the newest call under
        ``target.key`` replaces a pending one)."""
        if self.read_only:
            return
        now = time.monotonic()
        if not self._pending:
            self._first_edit = now
        self._pending[target.key] = Pending(target, partial(method, *args, **kwargs))
        self._last_edit = now
        if self._timer is not None:
            self._timer.resume()

    def now(
        self, target: Target, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> Pending[T]:
        """A choice or a structural change: written at once, after everything scheduled
        before it (pending typing is handed over first)."""
        pending = Pending(target, partial(method, *args, **kwargs))
        if not self.read_only:
            self.flush_all()
            self._hand_over(pending)
        return pending

    def _tick(self) -> None:
        if not self._pending:
            if self._timer is not None:
                self._timer.pause()
            return
        now = time.monotonic()
        if now - self._last_edit >= SAVE_DELAY or now - self._first_edit >= MAX_WAIT:
            self.flush_all()

    def flush_all(self) -> None:
        """Hand everything pending to the writer now (focus left a field, a section is
        changing, the screen is closing)."""
        pending, self._pending = self._pending, {}
        for edit in pending.values():
            self._hand_over(edit)

    def close(self) -> None:
        """The screen is closing: what is pending is written by the writer thread, which
        outlives the screen; no outcome comes back."""
        self.flush_all()
        if self._timer is not None:
            self._timer.stop()

    @property
    def idle(self) -> bool:
        """Nothing pending or being written (tests and the review wait on this)."""
        return not self._pending and self._writing == 0 and self._reading == 0

    def _hand_over(self, pending: Pending[Any]) -> None:
        if self.indicator is not None:
            self._shown_saving = True
            self.indicator.saving()
        self._writing += 1
        post = self.screen.post_message
        self.writer.submit(pending.call, lambda outcome: post(Autosaver.Done(pending, outcome)))

    # --- reading (a worker thread, after the writes before it) ----------------------------

    def read(self, fn: Callable[[], T], then: Callable[[T], object]) -> None:
        """Run ``fn()`` in a worker thread once every edit made so far is written, then
        ``then(result)`` on the UI thread (a :class:`QaError` is shown as a notification)."""
        self.flush_all()
        upto = self.writer.submitted
        self._reading += 1
        self.screen.run_worker(
            partial(self._read, upto, fn, then), thread=True, group="read", exit_on_error=False
        )

    def _read(self, upto: int, fn: Callable[[], T], then: Callable[[T], object]) -> None:
        self.writer.wait_for(upto)
        try:
            message = Autosaver.Read(then, value=fn())
        except QaError as err:
            message = Autosaver.Read(then, error=err)
        self.screen.post_message(message)

    # --- outcomes (main thread) -------------------------------------------------------------

    def finished(self, done: Autosaver.Done) -> None:
        """Show the outcome next to the field and in the indicator, then run ``then``."""
        target, outcome = done.pending.target, done.outcome
        self._writing -= 1
        if outcome.error is not None:
            if target.owner is not None:
                target.owner.show_error(
                    target.field or outcome.error.field or "", str(outcome.error)
                )
            if self.indicator is not None:
                self._shown_saving = False
                self.indicator.failed(str(outcome.error))
            return
        if target.owner is not None:
            target.owner.clear_error(target.field)
        if (
            self._shown_saving
            and self.indicator is not None
            and not (self._writing or self._pending)
        ):
            self._shown_saving = False
            self.indicator.saved(self.clock())
        for callback in done.pending.after:
            callback(outcome.value)

    def read_finished(self, done: Autosaver.Read) -> None:
        self._reading -= 1
        if done.error is not None:
            self.screen.notify(str(done.error), title="Problem", severity="error")
            return
        done.then(done.value)
