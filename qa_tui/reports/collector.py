"""The cycle collector paused while a command makes many objects that hold no cycle."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a year of units is read and computed, or a
    report's modules are imported: it runs every few hundred new objects and walks every
    live one, and the units (tens of thousands of rows) hold no cycle to collect — a fifth of
    the read's time went on it; nor do the modules, which live as long as the process.

    Then what was made meanwhile is moved to the oldest generation as it is (``freeze`` and
    ``unfreeze``: two list splices), when nothing is frozen: left young, the next collection
    walked all of it (11 ms in a year's report) and the one after it again (12 ms while the
    JSON was written), only to find it alive. Cycles among it are still collected, by a
    full collection. An app that freezes what it keeps (the terminal app does) is left as it
    is: unfreezing would hand its frozen objects back to the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
