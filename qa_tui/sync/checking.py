"""A big bundle's record lines checked on two cores: every other stretch of lines by the
process that prepares the merge's rows (:mod:`qa_tui.sync.preparer`, idle until the merge
begins), the rest here, while this process also decrypts, inflates and pins the file.

Each line is checked exactly as :func:`~qa_tui.sync.bundle.read_bundle` checks it (parsed,
then :func:`~qa_tui.sync.aggregates.aggregate_from_wire`) by :func:`check_lines`, wherever it
runs, and comes back as an *outcome*: an aggregate as the spool keeps it
(:meth:`~qa_tui.sync.spool.Spool.keep_record`: no aggregate is built twice), a manifest, or
the reason the line is refused. The outcomes are then taken in the file's order, here, by
:func:`verify_into_spool`: the content hash, an evaluation seen twice, demo data refused, the
counts and the manifest's signature are checked as :func:`~qa_tui.sync.bundle.verify_bundle`
checks them, and the first line at fault is the one reported, with the same words. A stretch
the other process cannot check (it failed, or is gone) is checked here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from qa_tui.store.queries import demo_programme_ids
from qa_tui.sync.aggregates import Aggregate, InvalidRecord, aggregate_from_v1, aggregate_from_wire
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
from qa_tui.sync.spool import Spool, kept_form
from qa_tui.sync.template_texts import from_header

# Bytes of lines checked at a time, here or there: the same for both (this process also
# decrypts, inflates and pins every line and keeps them all, yet giving the other one 1.25 or
# 1.5 times as much made this one wait for it: 3,000 demo evaluations verified in 2.2 s
# against 2.3 and 2.5). A quarter of a MiB rather than one: as fast, and a merge of 10,000
# demo evaluations then held 186 MB in its two processes at most, not 201 MB.
STRETCH = 256 * 1024
# An outcome: ("a", (id, root type, changes, top), links, is demo, body) for an aggregate;
# ("m", the line's object) for a manifest; ("e", the reason) for a line refused.
Outcome = tuple[Any, ...]


class Checker(Protocol):
    """Where the other stretches are checked (:class:`~qa_tui.sync.preparer.Preparer`)."""

    def send_lines(self, lines: list[bytes], version: int, demo: bool) -> bool: ...

    def receive_outcomes(self) -> list[Outcome] | None: ...


def is_demo(aggregate: Aggregate) -> bool:
    """Whether the aggregate is a demo evaluation or moderation session (``qa-tui demo`` marks
    them in history), or a demo plan, board meeting or systemic action (marked by its id)."""
    if aggregate.evaluation_id in demo_programme_ids():
        return True
    return any(
        change["entity_type"] in ("evaluation", "moderation_session")
        and change["field"] == "demo"
        and str(change["value"]).strip() == "true"  # JSON true (values travel as JSON text)
        for change in aggregate.changes
    )


def _aggregate(aggregate: Aggregate, demo: bool) -> Outcome:
    about, body = kept_form(aggregate)
    return ("a", about, len(aggregate.links), demo and is_demo(aggregate), body)


def check_lines(lines: list[bytes], version: int, demo: bool) -> list[Outcome]:
    """Each line's outcome, read as a line of a bundle of format ``version`` (the creations'
    values kept, as the spool keeps them); ``demo``: whether to say if it is demo data."""
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
        try:
            aggregate = aggregate_from_v1(obj) if version == 1 else aggregate_from_wire(obj, True)
        except InvalidRecord as exc:
            outcomes.append(("e", f"invalid record ({exc})"))
            continue
        outcomes.append(_aggregate(aggregate, demo))
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
        self.spool.keep_record(blocks, about, body)
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
