"""Ids for records and changes: UUIDs that begin with the time they were made.

Every record and every change gets its id where it is made (a laptop, offline), so no server
hands ids out. New ids are version 7 UUIDs (RFC 9562): the first 48 bits are the Unix time in
milliseconds, the other 74 (around the version and variant) random. Ids made one after another
therefore sort together, and a database's indexes take a laptop's new changes on a few
neighbouring pages instead of one page each all over the index: merging 50 evaluations (12,980
changes) into a central database of 10,000 wrote 1,917 pages of the change log's key index
instead of 14,833, and 18,136 pages in all instead of 33,702 (the rest is mostly
``field_states``, keyed by record, whose derived ids stay random).

Nothing reads the time back out of an id (the history keeps its own wall time) and nothing
depends on an id's version: the version 4 ids of older databases and laptops stay valid, and
the two kinds mix freely. Ids derived from others (a response from its evaluation and item,
``uuid5``) stay as they are, so every device derives the same one.

Standard library only (the domain and the store both make ids).
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

_MILLIS = (1 << 48) - 1
_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62
_RAND_B = (1 << 62) - 1


def _text(value: int) -> str:
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def id_at(millis: int, bits: int) -> str:
    """The id for a moment (Unix time in milliseconds) and random ``bits`` (the lowest 74 are
    used), as text like ``str(uuid.UUID(...))``."""
    rand_a = (bits >> 62) & 0xFFF
    value = ((millis & _MILLIS) << 80) | _VERSION | (rand_a << 64) | _VARIANT | (bits & _RAND_B)
    return _text(value)


def new_id() -> str:
    """A new id, made now (74 bits from the operating system's secure random source)."""
    return id_at(time.time_ns() // 1_000_000, secrets.randbits(74))


def id_for_moment(moment: dt.datetime, bits: int) -> str:
    """The id a record or change made at ``moment`` would have had (the demo data, which is
    made in the past and deterministic per seed, uses it with bits from its own generator)."""
    return id_at(int(moment.timestamp() * 1000), bits)


def id_bytes(text: str) -> bytes:
    """An id's 16 bytes (how the change log stores it on SQLite): ``id_text`` gives it back.

    Only ids as this module and :func:`uuid.uuid5` write them (lowercase, with hyphens) are
    accepted — the sync checks every id it receives is one — so the text always comes back
    byte for byte. Anything else is a ``ValueError``."""
    if len(text) != 36 or text[8] != "-" or text[13] != "-" or text[18] != "-" or text[23] != "-":
        raise ValueError(f"not an id: {text[:40]!r}")
    raw = bytes.fromhex(text.replace("-", ""))  # ValueError if not hex
    if len(raw) != 16 or text != text.lower():  # spaces, or upper case: would not come back
        raise ValueError(f"not an id: {text[:40]!r}")
    return raw


def id_text(raw: bytes) -> str:
    """The text of an id stored in 16 bytes (:func:`id_bytes`)."""
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
