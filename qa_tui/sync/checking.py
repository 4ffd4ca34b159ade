"""A big bundle's record lines checked on two cores: two stretches of lines of every three by
the process that prepares the merge's rows (:mod:`qa_tui.sync.preparer`, idle until the merge
begins), the third here, while this process also decrypts, inflates, pins and keeps every
line (:func:`_check_in_order`).

Each line is checked exactly as :func:`~qa_tui.sync.bundle.read_bundle` checks it (parsed,
then :func:`~qa_tui.sync.aggregates.aggregate_from_wire`) by :func:`check_lines`, wherever it
runs, and comes back as an *outcome*: what the spool keeps of an aggregate
(:meth:`~qa_tui.sync.spool.Spool.keep_record`: the line itself, checked a column at a time
with no change built), a manifest, or the reason the line is refused. The outcomes are then
taken in the file's order, here, by :func:`verify_into_spool`: the content hash, an
evaluation seen twice, demo data refused, the counts and the manifest's signature are checked
as :func:`~qa_tui.sync.bundle.verify_bundle` checks them, and the first line at fault is the
one reported, with the same words. A stretch the other process cannot check (it failed, or is
gone) is checked here.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from qa_tui.store.queries import demo_programme_ids
from qa_tui.sync.aggregates import Aggregate, aggregate_from_v1, aggregate_from_wire, whole_columns
from qa_tui.sync.bundle import (
    DeviceLookup,
    Manifest,
    Pins,
    check_start,
    checked_manifest,
    parse_line,
    record_lines,
)
from qa_tui.sync.distinct import Distinct
from qa_tui.sync.errors import BundleError
from qa_tui.sync.spool import Spool, head_of, wire_line
from qa_tui.sync.template_texts import from_header
from qa_tui.sync.wire_values import WIRE_FIELDS, InvalidRecord, checked_columns, is_id

# Bytes of lines checked at a time, here or there. A quarter of a MiB rather than one: as
# fast, and a merge of 10,000 demo evaluations then held 186 MB in its two processes at most,
# not 201 MB.
STRETCH = 256 * 1024
# Stretches checked by the other process for each one checked here, when its pipe takes a
# stretch in one piece (``Checker.wide``; else one): this one also decrypts, inflates, pins and
# keeps every line (about a quarter of the verification's work). Verifying 10,000 demo
# evaluations took 3.2 s with two, 3.9 s with one and 3.5 s with three; through pipes of
# 64 KiB, 4.6 s with two and 4.1 s with one (docs/sync.md).
THERE = 2
_COUNTER = WIRE_FIELDS.index("counter")
# An outcome: ("a", (id, root type, changes, top), links, is demo, body or None: the line
# itself) for an aggregate;
# ("m", the line's object) for a manifest; ("e", the reason) for a line refused.
Outcome = tuple[Any, ...]


class Checker(Protocol):
    """Where the other stretches are checked (:class:`~qa_tui.sync.preparer.Preparer`)."""

    wide: bool  # whether a stretch of lines goes through its pipe in one piece

    def send_lines(self, lines: list[bytes], version: int, demo: bool) -> bool: ...

    def receive_outcomes(self) -> list[Outcome] | None: ...


def is_demo(aggregate: Aggregate) -> bool:
    """Whether the aggregate is a demo evaluation or moderation session (``qa-tui demo`` marks
    them in history), or a demo plan, board meeting or systemic action (marked by its id)."""
    changes = aggregate.changes
    return _demo_columns(
        aggregate.evaluation_id,
        [c["entity_type"] for c in changes],
        [c["field"] for c in changes],
        [c["value"] for c in changes],
    )


def _demo_columns(
    evaluation_id: str, kinds: Sequence[str], fields: Sequence[str], values: Sequence[str]
) -> bool:
    if evaluation_id in demo_programme_ids():
        return True
    return any(
        kind in ("evaluation", "moderation_session")
        and name == "demo"
        and str(value).strip() == "true"  # JSON true (values travel as JSON text)
        for kind, name, value in zip(kinds, fields, values, strict=True)
    )


def _summary(obj: Any, demo: bool) -> Outcome | None:
    """The outcome of a format-2 line that passes every check of
    :func:`~qa_tui.sync.aggregates.aggregate_from_wire`, checked a column at a time and no
    change built (the spool keeps the line itself); None at the first doubt, for that
    function to find the fault and say why."""
    if not isinstance(obj, dict) or set(obj) != {"e", "c", "l"}:
        return None
    evaluation_id, rows, links = obj["e"], obj["c"], obj["l"]
    if not is_id(evaluation_id) or not isinstance(rows, list) or not isinstance(links, list):
        return None
    if not all(type(x) is list and len(x) == 2 and all(type(i) is str for i in x) for x in links):
        return None
    checked = checked_columns(rows, evaluation_id)
    if checked is None:
        return None
    columns, supersedes, _created = checked
    ids, kinds, entities, fields, values = columns[:5]
    whole = whole_columns(evaluation_id, (ids, kinds, entities, fields, values), supersedes, links)
    if whole is None:
        return None
    about = (evaluation_id, whole[1], len(rows), max(columns[_COUNTER]))
    refused = demo and _demo_columns(evaluation_id, kinds, fields, values)
    return ("a", about, len(links), refused, None)


def _aggregate(aggregate: Aggregate, demo: bool, upgraded: bool) -> Outcome:
    """The outcome of a line checked change by change (``upgraded``: from format 1, kept as
    its format-2 line; else the line is kept as it is)."""
    body = wire_line(aggregate) if upgraded else None
    return ("a", head_of(aggregate), len(aggregate.links), demo and is_demo(aggregate), body)


def check_lines(lines: list[bytes], version: int, demo: bool) -> list[Outcome]:
    """Each line's outcome, read as a line of a bundle of format ``version``; ``demo``:
    whether to say if it is demo data. An aggregate's outcome carries the bytes the spool
    keeps of it: None for a format-2 line (kept as it is), the format-2 line of one upgraded
    from format 1."""
    outcomes: list[Outcome] = []
    for line in lines:
        try:
            obj = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            outcomes.append(("e", "corrupt bundle (a line is not JSON)"))
            continue
        if isinstance(obj, dict) and "manifest" in obj:
            outcomes.append(("m", obj))
            continue
        outcome = _summary(obj, demo) if version != 1 else None
        if outcome is not None:
            outcomes.append(outcome)
            continue
        try:
            aggregate = aggregate_from_v1(obj) if version == 1 else aggregate_from_wire(obj)
        except InvalidRecord as exc:
            outcomes.append(("e", f"invalid record ({exc})"))
            continue
        outcomes.append(_aggregate(aggregate, demo, upgraded=version == 1))
    return outcomes


def _stretches(
    lines: Iterator[tuple[int, dict[str, Any], bytes]], pins: Pins
) -> Iterator[list[tuple[bytes, int]]]:
    """The lines in stretches of about :data:`STRETCH` bytes, each with the number of the
    file's blocks read when it was complete (what the spool keeps)."""
    stretch: list[tuple[bytes, int]] = []
    size = 0
    try:
        for _version, _header, line in lines:
            stretch.append((line, len(pins.digests)))
            size += len(line)
            if size >= STRETCH:
                yield stretch
                stretch, size = [], 0
    except BundleError as exc:  # the file is refused here: the lines before are checked first
        failure: BundleError | None = exc
    else:
        failure = None
    if stretch:
        yield stretch
    if failure is not None:
        raise failure


class _Taking:
    """The outcomes taken in the file's order: what :func:`verify_bundle` checks of each."""

    def __init__(self, name: str, spool: Spool, refuse: Callable[[str], None] | None) -> None:
        self.name, self.spool, self.refuse = name, spool, refuse
        self.digest = hashlib.sha256()
        self.counts = {"evaluations": 0, "changes": 0, "links": 0}
        self.seen = Distinct(spool.holds)
        self.final: tuple[dict[str, Any], str, str] | None = None

    def take_all(self, stretch: list[tuple[bytes, int]], outcomes: list[Outcome]) -> None:
        for (line, blocks), outcome in zip(stretch, outcomes, strict=True):
            self.take(line, blocks, outcome)

    def take(self, line: bytes, blocks: int, outcome: Outcome) -> None:
        name = self.name
        if self.final is not None:
            raise BundleError(f"{name}: tampered bundle (data after the manifest)")
        kind = outcome[0]
        if kind == "e":
            raise BundleError(f"{name}: {outcome[1]}")
        if kind == "m":
            obj = outcome[1]
            if set(obj) != {"manifest", "signature"} or not isinstance(obj["manifest"], dict):
                raise BundleError(f"{name}: corrupt bundle (malformed manifest)")
            self.final = (obj["manifest"], str(obj["signature"]), self.digest.hexdigest())
            return
        _kind, about, links, demo, body = outcome
        self.digest.update(line)
        evaluation_id = about[0]
        if not self.seen.first_time(evaluation_id):
            raise BundleError(f"{name}: tampered bundle (an evaluation appears twice)")
        if demo and self.refuse is not None:
            self.refuse(evaluation_id)
        self.spool.keep_record(blocks, about, line if body is None else body)
        self.counts["evaluations"] += 1
        self.counts["changes"] += about[2]
        self.counts["links"] += links


class _Stretch:
    """A stretch of lines on its way: sent to be checked there, or checked here
    (``outcomes``)."""

    __slots__ = ("lines", "outcomes", "sent")

    def __init__(self, lines: list[tuple[bytes, int]], sent: bool) -> None:
        self.lines, self.sent = lines, sent
        self.outcomes: list[Outcome] | None = None

    def texts(self) -> list[bytes]:
        return [line for line, _blocks in self.lines]


def _check_in_order(
    stretches: Iterator[list[tuple[bytes, int]]],
    taking: _Taking,
    checker: Checker | None,
    version: int,
    demo: bool,
) -> None:
    """Check the stretches, :data:`THERE` of every ``THERE + 1`` by ``checker`` (one of two
    if its pipes are not ``wide``) and the rest here, and take their outcomes in the file's
    order.

    A stretch is checked here only once the next one for the other process has been sent
    (:func:`_take_checked`): that process always has one waiting, never idle while this one
    reads the file. A stretch that could not be sent, or whose outcomes do not come back, is
    checked here. A file refused while it is read (:class:`BundleError`) is reported once the
    lines before the fault are taken: a line at fault earlier in the file is reported first.
    """
    share = THERE if checker is not None and checker.wide else 1
    window: deque[_Stretch] = deque()  # read, not yet taken: at most share + 2 stretches
    failure: BundleError | None = None
    number = 0
    while True:
        try:
            lines = next(stretches, None)
        except BundleError as exc:
            lines, failure = None, exc
        if lines is None:
            break
        there = checker is not None and number % (share + 1) != share
        number += 1
        stretch = _Stretch(lines, False)
        if there:
            assert checker is not None
            stretch.sent = checker.send_lines(stretch.texts(), version, demo)
        window.append(stretch)
        if stretch.sent:  # the stretches here before it are checked now, and taken
            _take_checked(window, taking, checker, version, demo, every=False)
        elif there or checker is None:  # nothing is sent (no process, or it is gone)
            _take_checked(window, taking, checker, version, demo, every=True)
    _take_checked(window, taking, checker, version, demo, every=True)
    if failure is not None:
        raise failure


def _take_checked(
    window: deque[_Stretch],
    taking: _Taking,
    checker: Checker | None,
    version: int,
    demo: bool,
    every: bool,
) -> None:
    """Check here the stretches of ``window`` not sent, then take, in order, every stretch up
    to the last of them (``every``: all of them), waiting for the other process's outcomes."""
    last = -1
    for i, stretch in enumerate(window):
        if not stretch.sent:
            last = i
            if stretch.outcomes is None:
                stretch.outcomes = check_lines(stretch.texts(), version, demo)
    for _ in range(len(window) if every else last + 1):
        stretch = window.popleft()
        outcomes = stretch.outcomes
        if stretch.sent:
            assert checker is not None
            outcomes = checker.receive_outcomes()
            if outcomes is None or len(outcomes) != len(stretch.lines):
                outcomes = check_lines(stretch.texts(), version, demo)
        assert outcomes is not None
        taking.take_all(stretch.lines, outcomes)


def verify_into_spool(
    path: Path,
    private: X25519PrivateKey,
    lookup: DeviceLookup,
    spool: Spool,
    refuse: Callable[[str], None] | None,
    checker: Checker | None,
) -> Manifest:
    """:func:`~qa_tui.sync.bundle.verify_bundle` of a bundle into ``spool`` (with the
    creations' values kept), how every merge verifies: its lines checked a third here, two
    thirds by ``checker`` (or all here: None); ``refuse(id)`` raises for a demo evaluation.
    Nothing is written but the spool."""
    name = path.name
    lines = record_lines(path, private, spool.pins)
    first = next(lines, None)
    if first is None:
        raise BundleError(f"{name}: truncated bundle (no manifest)")
    version, header, line = first
    start = parse_line(line, name)
    check_start(start, version, header, name)
    spool.templates = from_header(start.get("templates"))  # kept once the signature holds
    taking = _Taking(name, spool, refuse)
    taking.digest.update(line)
    _check_in_order(_stretches(lines, spool.pins), taking, checker, version, refuse is not None)
    if taking.final is None:
        raise BundleError(f"{name}: truncated bundle (no manifest)")
    return checked_manifest(taking.final, taking.counts, header, lookup, name)
