"""The demo's ids, drawn from its seeded generator (the same seed, the same ids).

Records and changes get ids that begin with the moment they were made, as the app's do
(:mod:`qa_tui.ids`); an evaluation's own draws stay seeded by the version 4 id the same bits
make (:func:`timed_and_seed`); moderation sessions, demo moderators' devices and the
programme's updates keep version 4 ids (:func:`new_uuid`).
"""

from __future__ import annotations

import datetime as dt
import random

from qa_tui.ids import id_for_moment

_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` (deterministic per seed).

    The same text as ``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, made faster.
    """
    return _version_4(rng.getrandbits(128))


def _version_4(bits: int) -> str:
    h = f"{(bits & _VERSION_MASK) | _VERSION_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def timed_and_seed(moment: dt.datetime, rng: random.Random) -> tuple[str, str]:
    """An evaluation's id made at ``moment`` (:func:`timed_uuid`: its time first, as the app
    makes one) and the version-4 id :func:`new_uuid` draws from the same bits, which the
    demo's draws for that evaluation are seeded by (they were, when its ids were not timed:
    the same seed still gives the same follow-through, concerns and moderation)."""
    bits = rng.getrandbits(128)
    return id_for_moment(moment, bits), _version_4(bits)


def timed_uuid(moment: dt.datetime, rng: random.Random) -> str:
    """The id a record or change made at ``moment`` has (:mod:`qa_tui.ids`: its time first),
    with random bits drawn from ``rng`` (as many as :func:`new_uuid` draws, so the rest of the
    demo is the same for a seed whichever is used)."""
    return id_for_moment(moment, rng.getrandbits(128))
