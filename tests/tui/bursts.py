"""Keys sent as one burst, as a fast typist, a paste, a barcode scanner or ``tmux send-keys``
does: every key handed to the app at once, with no pause for the app to catch up.

``pilot.press`` waits for the app to go idle after each key, which hides the races a real
terminal has; :func:`burst` does not. Parts are text, typed a character at a time, or a key
name in angle brackets: ``burst(pilot, "Sam Manager", "<tab>", "Team manager", "<enter>")``.
"""

from __future__ import annotations

import time
from typing import Any

from textual import events
from textual.keys import _character_to_key


def key_events(*parts: str) -> list[events.Key]:
    """The key events of ``parts`` (text, or ``<name>`` for a named key)."""
    out: list[events.Key] = []
    for part in parts:
        if part.startswith("<") and part.endswith(">") and len(part) > 2:
            name = part[1:-1]
            out.append(events.Key(name, None))
            continue
        for char in part:
            key = char if char.isalnum() else _character_to_key(char)
            out.append(events.Key(key, char))
    return out


async def burst(pilot: Any, *parts: str, timeout: float = 15.0) -> None:
    """Send every key at once, then wait until the app has handled them all."""
    app = pilot.app
    driver = app._driver
    for event in key_events(*parts):
        event.set_sender(app)
        driver.send_message(event)
    await settled(pilot, timeout)


async def settled(pilot: Any, timeout: float = 15.0) -> None:
    """No key waiting or settling, workers done, their messages handled."""
    from tests.tui.screens_setup import workers_done

    app = pilot.app
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while quiet_rounds < 3:
        if time.monotonic() > deadline:
            raise AssertionError(f"keys still pending after {timeout} s ({app.screen!r})")
        await pilot.pause(0.02)
        await workers_done(app)
        quiet_rounds = 0 if getattr(app, "input_pending", False) else quiet_rounds + 1
