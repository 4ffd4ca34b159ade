"""Whether an id was seen before, in a few bytes an id: a bundle's verification asks it of
every aggregate (an evaluation that appears twice is refused), and a set of 100,000 id texts
holds 12.7 MB, growing with the bundle.

:class:`Distinct` keeps only each id's hash (Python's, keyed afresh in every process unless
PYTHONHASHSEED fixes it), 8 bytes in an open-addressing table at most half full. Two ids of
equal hash are told apart by the caller (``earlier``: whether an id is among those already
taken, read back from where they are kept), which only a true repeat ever needs, or chance:
two of 100,000 ids share a 64-bit hash about once in 3.7 billion bundles.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

_EMPTY = 0  # a hash of 0 is kept as 1 (two ids sharing it are told apart by ``earlier``)


class Distinct:
    """The ids taken so far (:meth:`first_time`), as their hashes."""

    def __init__(self, earlier: Callable[[str], bool], size: int = 1024) -> None:
        self.earlier = earlier
        self.table = array("q", bytes(8 * size))  # a power of two, all empty
        self.count = 0

    def first_time(self, value: str) -> bool:
        """Take ``value``: whether it was not taken before."""
        code = hash(value) or 1
        table, mask = self.table, len(self.table) - 1
        slot = code & mask
        while (held := table[slot]) != _EMPTY:
            if held == code and self.earlier(value):
                return False
            slot = (slot + 1) & mask
        table[slot] = code
        self.count += 1
        if 2 * self.count > len(table):
            self._grow()
        return True

    def _grow(self) -> None:
        old = self.table
        self.table = table = array("q", bytes(16 * len(old)))
        mask = len(table) - 1
        for code in old:
            if code != _EMPTY:
                slot = code & mask
                while table[slot] != _EMPTY:
                    slot = (slot + 1) & mask
                table[slot] = code
