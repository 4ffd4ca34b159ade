"""A big bundle's record lines checked on two cores: every other stretch of lines by the
process that prepares the merge's rows (:mod:`qa_tui.sync.preparer`, idle until the merge
begins), the rest here, while this process also decrypts, inflates and pins the file.

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

# Bytes of lines checked at a time, here or there: the same for both (this process also
# decrypts, inflates and pins every line and keeps them all, yet giving the other one 1.25 or
# 1.5 times as much made this one wait for it: 3,000 demo evaluations verified in 2.2 s
# against 2.3 and 2.5). A quarter of a MiB rather than one: as fast, and a merge of 10,000
# demo evaluations then held 186 MB in its two processes at most, not 201 MB.
STRETCH = 256 * 1024
_COUNTER = WIRE_FIELDS.index("counter")
# An outcome: ("a", (id, root type, changes, top), links, is demo, body or None: the line
# itself) for an aggregate;
# ("m", the line's object) for a manifest; ("e", the reason) for a line refused.
Outcome = tuple[Any, ...]


class Checker(Protocol):
    """Where the other stretches are checked (:class:`~qa_tui.sync.preparer.Preparer`)."""

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


def verify_into_spool(
    path: Path,
    private: X25519PrivateKey,
    lookup: DeviceLookup,
    spool: Spool,
    refuse: Callable[[str], None] | None,
    checker: Checker | None,
) -> Manifest:
    """:func:`~qa_tui.sync.bundle.verify_bundle` of a bundle into ``spool`` (with the
    creations' values kept), how every merge verifies: its lines checked half here, half by
    ``checker`` (or all here: None); ``refuse(id)`` raises for a demo evaluation. Nothing is
    written but the spool."""
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
    demo = refuse is not None
    stretches = _stretches(lines, spool.pins)
    for there in stretches:
        there_lines = [line for line, _ in there]
        sent = checker is not None and checker.send_lines(there_lines, version, demo)
        failure: BundleError | None = None
        try:
            here = next(stretches, [])
        except BundleError as exc:  # reported once the lines before it are taken
            here, failure = [], exc
        checked_here = check_lines([line for line, _ in here], version, demo)
        checked_there = checker.receive_outcomes() if checker is not None and sent else None
        if checked_there is None or len(checked_there) != len(there):
            checked_there = check_lines(there_lines, version, demo)
        taking.take_all(there, checked_there)
        taking.take_all(here, checked_here)
        if failure is not None:
            raise failure
    if taking.final is None:
        raise BundleError(f"{name}: truncated bundle (no manifest)")
    return checked_manifest(taking.final, taking.counts, header, lookup, name)
