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


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MILLISECOND = dt.timedelta(milliseconds=1)


def stamp_millis(text: str) -> int:
    """A wall time as :func:`stamp` writes it, in milliseconds since 1970 (how the change log
    stores it: an integer of 8 bytes or fewer instead of 29 characters); :func:`millis_stamp`
    gives the same text back. ValueError for a text that is not a date and time."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"a wall time without its offset from UTC: {text[:40]!r}")
    return (moment - _EPOCH) // _MILLISECOND


def millis_stamp(millis: int) -> str:
    """The wall time :func:`stamp` writes for ``millis`` milliseconds since 1970."""
    return stamp(_EPOCH + millis * _MILLISECOND)
