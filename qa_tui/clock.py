"""Time as qa-tui records it: an injectable clock and UTC wall times to the millisecond.

Standard library only, so the app shell can take a clock before SQLAlchemy has loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

# What tells the time: tests and the demo pass a fixed one.
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Now, in UTC (the default clock)."""
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """A wall time as the history writes it: UTC, ISO 8601, to the millisecond (so the texts
    sort as the times do)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def utc_stamp() -> str:
    """Now, as :func:`stamp` writes it."""
    return stamp(utc_now())
