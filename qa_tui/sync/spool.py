"""What the verification of a bundle kept for its merge: each aggregate's line, as checked.

A bundle is verified whole before anything is written, then merged batch by batch; the merge
used to read the bundle a second time — decrypting, inflating and parsing every line, and
checking every change again. Instead, the verification writes each aggregate it accepts to a
spool: a private scratch file (owner-only, without a name, gone when closed or when the
process ends: :func:`~qa_tui.fsutil.private_scratch_file`) in the central database's folder,
or the temporary folder. What it keeps of an aggregate is its format-2 line, byte for byte as
the bundle carries it and as it was checked (a format-1 line upgraded), after a small head
(id, root type, counts: :mod:`marshal`). The checks build no change (a column at a time:
:func:`~qa_tui.sync.checking.check_lines`); the changes are built when the merge reads the
spool back, one aggregate at a time (:class:`Spooled`), mostly in the process that prepares
its rows while this one writes. So memory stays flat however big the bundle, and the bundle
file is still read, block by block, to check it has not changed since it was verified
(:func:`~qa_tui.sync.bundle.verified_aggregates`).
"""

from __future__ import annotations

import json
import marshal
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from qa_tui.fsutil import private_scratch_file
from qa_tui.sync.aggregates import Aggregate, aggregate_from_verified
from qa_tui.sync.bundle import Pins
from qa_tui.sync.template_texts import Received

# Each record's lengths, before it (marshal.load reads a file an object at a time: many times
# slower than loads of the record's bytes): its head's, then its body's.
_LENGTHS = struct.Struct("<II")
_COUNTER = itemgetter("counter")


@dataclass(frozen=True)
class Spooled:
    """One aggregate a verification kept: what a merge needs to batch and count it, and its
    format-2 line (``body``: the bundle's own bytes, verified) read only when needed
    (:meth:`aggregate`; or handed whole to the process preparing a merge's rows)."""

    evaluation_id: str
    root_type: str
    size: int  # changes
    top: int  # its highest Lamport counter
    body: bytes

    def aggregate(self) -> Aggregate:
        return aggregate_from_verified(json.loads(self.body))


def head_of(aggregate: Aggregate) -> tuple[str, str, int, int]:
    """What the spool keeps of an aggregate besides its line (:meth:`Spool.keep_record`): its
    id, root type, number of changes and highest Lamport counter."""
    changes = aggregate.changes
    top = max(map(_COUNTER, changes), default=0)
    return aggregate.evaluation_id, aggregate.root_type, len(changes), top


def wire_line(aggregate: Aggregate) -> bytes:
    """The format-2 line of a verified aggregate, as the spool keeps it."""
    return json.dumps(aggregate.to_wire(), separators=(",", ":")).encode()


class Spool:
    """Aggregates written as they are verified (:meth:`keep`), read back once (iterating)."""

    def __init__(self, pins: Pins, folder: Path | None = None) -> None:
        self.pins = pins
        self.file: BinaryIO = private_scratch_file(folder)
        self.count = 0
        self.changes = 0
        # The template texts the bundle's content header carries, checked
        # (:func:`~qa_tui.sync.template_texts.from_header`).
        self.templates = Received([], [])

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def keep(self, aggregate: Aggregate) -> None:
        """Keep a verified aggregate, with the number of the bundle's blocks read so far (all
        those its line is in): the merge yields it only once they are read again unchanged."""
        self.keep_record(len(self.pins.digests), head_of(aggregate), wire_line(aggregate))

    def keep_record(self, blocks: int, about: tuple[str, str, int, int], body: bytes) -> None:
        """Keep an aggregate checked elsewhere (:mod:`qa_tui.sync.checking`): the number of
        the bundle's blocks read when its line was complete; its id, root type, number of
        changes and highest counter; its format-2 line (as verified)."""
        head = marshal.dumps((blocks, *about))
        self.file.write(_LENGTHS.pack(len(head), len(body)))
        self.file.write(head)
        self.file.write(body)
        self.count += 1
        self.changes += about[2]

    def __iter__(self) -> Iterator[tuple[int, Spooled]]:
        """``(blocks, aggregate)`` for each aggregate kept, in the order kept."""
        self.file.flush()
        self.file.seek(0)
        read, loads, unpack = self.file.read, marshal.loads, _LENGTHS.unpack
        for _ in range(self.count):
            head, body = unpack(read(_LENGTHS.size))
            mark, evaluation_id, root_type, size, top = loads(read(head))
            yield mark, Spooled(evaluation_id, root_type, size, top, read(body))

    def heads(self) -> Iterator[tuple[str, str]]:
        """``(id, root type)`` of each aggregate kept, in the order kept: their changes are
        not read (so the ids need never be held all at once)."""
        self.file.flush()
        self.file.seek(0)
        read, seek, loads, unpack = self.file.read, self.file.seek, marshal.loads, _LENGTHS.unpack
        for _ in range(self.count):
            head, body = unpack(read(_LENGTHS.size))
            _mark, evaluation_id, root_type, _size, _top = loads(read(head))
            seek(body, 1)  # from here
            yield evaluation_id, root_type

    def holds(self, evaluation_id: str) -> bool:
        """Whether an aggregate of this id is kept already (read back from the file: asked
        only when :class:`~qa_tui.sync.distinct.Distinct` finds its hash taken)."""
        try:
            return any(kept == evaluation_id for kept, _root in self.heads())
        finally:
            self.file.seek(0, 2)  # where the next is kept

    def close(self) -> None:
        self.file.close()
