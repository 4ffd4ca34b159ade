"""Every keystroke reaches the widget that has focus when its turn comes, in order.

Why this exists: Textual's app forwards each key to the focused widget by *posting* it to that
widget's queue and goes straight on to the next key. A key that moves focus does so later:
Tab comes back up to the app before its binding runs, Enter in a form posts ``Submitted``
whose handler focuses the next field, a dialog's fields are focused once it has mounted, the
editor mounts a section after a read on a worker thread. Keys that arrive meanwhile (a fast
typist, a paste, a barcode scanner, a screen reader, ``tmux send-keys``) are forwarded to the
widget that had focus *before*: "Sam Manager<Tab>Team manager" became one name.

:class:`OrderedInput`, mixed into the app, takes keys (and pastes and mouse presses) one at a
time: it hands one on as Textual would, then waits until it has *settled* — it has travelled
up from the focused widget to the app (where Tab's binding runs), every message it caused has
been handled on the current screen and the app (``Submitted``, ``Changed``, the app's deferred
``focus()`` calls, a new screen's mounting) and no :func:`hold_input` is held — before it
hands on the next; a key that may move focus (Tab, say) also waits for a pending layout, as
Textual orders Tab by where widgets are and skips a field just shown until it is laid out.
An idle app sees no difference: a key that arrives when nothing is settling is handled at
once. Code that changes focus after
work in a thread (the editor's sections) takes a hold while that work runs, so keys typed
meanwhile wait for the new field.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events, messages
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump

log = logging.getLogger(__name__)

# Events kept in order with keys: a click moves focus too, so keys typed after it must wait.
ORDERED = (events.Key, events.Paste, events.MouseDown, events.MouseUp)
HOP_TIMEOUT = 2.0  # seconds one widget may take over its queue before the next key goes anyway
SETTLE_LIMIT = 3.0  # seconds a key may take to settle before the next goes anyway
HOLD_LIMIT = 5.0  # seconds a hold lasts at most (a stuck read never swallows the keyboard)


class InputHold:
    """Keys wait while this is held and its screen is the one on top (see :func:`hold_input`);
    :meth:`release` once done."""

    def __init__(self, gate: OrderedInput, reason: str, screen: object | None = None) -> None:
        self.gate = gate
        self.reason = reason
        self.screen = screen  # None: whatever screen is on top
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.gate._hold_released(self)


class OrderedInput(App[Any]):
    """Mixed into the app: input events are handed on one at a time, each once the one before
    has settled (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._input_queue: deque[events.Event] = deque()
        self._input_busy = False
        self._input_holds: set[InputHold] = set()
        self._settling: asyncio.Task[None] | None = None
        self._laid_out: weakref.WeakSet[events.Event] = weakref.WeakSet()

    # --- public -------------------------------------------------------------------------

    @property
    def input_pending(self) -> bool:
        """Input waiting or settling (tests wait for this to clear)."""
        return bool(self._input_queue or self._input_busy or self._held())

    def hold(
        self, reason: str, screen: object | None = None, limit: float = HOLD_LIMIT
    ) -> InputHold:
        """Keys wait until the hold is released (or ``limit`` seconds pass); with ``screen``,
        only while that screen is on top (a dialog over it still gets its keys)."""
        hold = InputHold(self, reason, screen)
        self._input_holds.add(hold)
        self.set_timer(limit, hold.release)
        return hold

    def _held(self) -> bool:
        if not self._input_holds:
            return False
        top = self.screen
        return any(h.screen is None or h.screen is top for h in self._input_holds)

    # --- the queue ------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ORDERED) and not event.is_forwarded:
            self._input_queue.append(event)
            await self._next_input()
            return
        await super().on_event(event)

    async def _next_input(self) -> None:
        """Hand on the oldest waiting event, unless one is settling or a hold is held."""
        if self._input_busy or not self._input_queue or self._held():
            return
        event = self._input_queue[0]
        if self._wants_layout(event):
            self._input_busy = True
            self._settling = asyncio.create_task(self._lay_out(event))
            return
        self._input_queue.popleft()
        self._input_busy = True
        chain: list[DOMNode] = []
        if isinstance(event, (events.Key, events.Paste)):
            target = self.focused or self.screen
            chain = list(target.ancestors_with_self)
        try:
            await super().on_event(event)
        except BaseException:
            self._input_busy = False
            raise
        self._settling = asyncio.create_task(self._settle(event, chain))

    async def _settle(self, event: events.Event, chain: list[DOMNode]) -> None:
        deadline = time.monotonic() + SETTLE_LIMIT
        try:
            if event.is_forwarded:
                # Follow the event up from the focused widget: each node handles it, then
                # (unless stopped) passes it to its parent, the app last (non-priority
                # bindings such as Tab run there).
                for node in chain[:-1]:
                    await _processed(node)
                    if event._stop_propagation:
                        break
            await self._quiet(deadline)
        except Exception:  # never leave the keyboard stuck
            log.exception("input settling failed")
        finally:
            self._input_busy = False
            if self._input_queue:
                self.call_later(self._next_input)

    async def _quiet(self, deadline: float) -> None:
        """Until the app and the current screen have nothing queued: what the event caused
        (messages, deferred focus, a screen mounting) has been handled."""
        while time.monotonic() < deadline:
            screen = self.screen
            if screen.is_mounted:
                nodes = (self, *screen.walk_children(with_self=True))
                busy = [node for node in nodes if _pending(node)]
                if not busy:
                    return
                await asyncio.gather(*(_processed(node, deadline) for node in busy))
            else:
                await _wait(screen._mounted_event.wait(), deadline)

    def _wants_layout(self, event: events.Event) -> bool:
        """A key that may move focus, while a layout is pending: Textual orders Tab by where
        widgets are, so a field just shown is skipped until it is laid out. Printable keys
        go to the focused widget wherever it is, so they never wait for this."""
        if not isinstance(event, events.Key) or event.is_printable:
            return False
        if event in self._laid_out:
            return False
        screen = self.screen
        return screen._layout_required or any(
            isinstance(node, Widget) and node._layout_required for node in screen.walk_children()
        )

    async def _lay_out(self, event: events.Event) -> None:
        """Wait for the screen's layout, then hand on ``event`` (once: a widget that never
        clears its flag must not hold the keyboard)."""
        try:
            await _wait(_refreshed(self.screen), time.monotonic() + HOP_TIMEOUT)
        finally:
            self._laid_out.add(event)
            self._input_busy = False
            self.call_later(self._next_input)

    def _hold_released(self, hold: InputHold) -> None:
        self._input_holds.discard(hold)
        if self._input_queue and not self._input_busy:
            self.call_later(self._next_input)


def hold_input(node: DOMNode, reason: str) -> InputHold | None:
    """Make keys wait while ``node``'s screen is on top, until the returned hold is released:
    for work that ends by moving focus (a section mounted after a read, a list drawn after
    the database opens). None outside an ordered app."""
    app = node.app
    if not isinstance(app, OrderedInput):
        return None
    return app.hold(reason, node if isinstance(node, Screen) else node.screen)


async def _wait(awaitable: Any, deadline: float) -> None:
    # A widget that takes longer than this is busy with real work: the next key goes on
    # rather than the keyboard seeming dead (order is kept; only the wait is cut short).
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(awaitable, max(0.0, min(HOP_TIMEOUT, deadline - time.monotonic())))


# Messages that only repaint: nothing waits for them (a layout may move focus: it is waited for).
PAINT = (messages.Update, messages.UpdateScroll, messages.Prompt)


def _pending(node: MessagePump) -> bool:
    """Whether ``node`` has messages queued that could change what the next key reaches."""
    queue: Any = node._message_queue  # Textual's own queue (a deque under .values)
    if queue.empty():
        return False
    return not all(isinstance(message, PAINT) for message in queue.values)


async def _refreshed(screen: Screen[Any]) -> None:
    """Return once ``screen`` has refreshed (laid out and painted what was pending)."""
    done = asyncio.Event()
    screen.call_after_refresh(done.set)
    await done.wait()


async def _processed(node: MessagePump, deadline: float | None = None) -> None:
    """Return once ``node`` has handled everything queued before this call."""
    done = asyncio.Event()
    if node.call_later(done.set):
        await _wait(done.wait(), deadline if deadline is not None else time.monotonic() + 10)
