"""A big bundle's lines checked on two cores (qa_tui.sync.checking): each line's outcome is what
the one-process verification makes of it, the spool kept is the same (with the other process,
or without it when it fails or is gone), and demo data is refused in the same words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qa_tui.sync import central as central_module
from qa_tui.sync import checking
from qa_tui.sync.aggregates import aggregate_from_wire
from qa_tui.sync.bundle import Pins, verify_bundle
from qa_tui.sync.central import device_lookup, merge_bundle_file
from qa_tui.sync.checking import check_lines, is_demo, verify_into_spool
from qa_tui.sync.errors import BundleError
from qa_tui.sync.keys import load_qa_private
from qa_tui.sync.preparer import Preparer
from qa_tui.sync.spool import Spool, Spooled
from tests.sync.helpers import aggregates, full_dump, make_central
from tests.sync.test_merge_ahead import _demo_laptop

pytestmark = pytest.mark.slow


def test_each_line_comes_back_as_the_one_process_reading_makes_it(
    sqlite_db, tmp_path: Path, settings
) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 3)
    aggs = aggregates(laptop.store)
    lines = [json.dumps(a.to_wire()).encode() + b"\n" for a in aggs]
    manifest = json.dumps({"manifest": {"bundle_id": "x"}, "signature": "s"}).encode()
    bad = json.loads(lines[0])
    bad["c"][0][9] = -5  # a counter no change can have
    odd = [b"{not json\n", json.dumps(bad).encode(), manifest]
    outcomes = check_lines(lines + odd, 2, True)
    for aggregate, line, outcome in zip(aggs, lines, outcomes, strict=False):
        kept = aggregate_from_wire(json.loads(line), True)
        kind, about, links, demo, body = outcome
        assert (kind, about[0], about[1]) == ("a", aggregate.evaluation_id, kept.root_type)
        assert about[2:] == (len(kept.changes), max(c["counter"] for c in kept.changes))
        assert links == len(kept.links) and demo is is_demo(kept)  # asked: said
        assert body is None  # the spool keeps the line itself: built back as checked
        again = Spooled(*about, line).aggregate()
        assert again.links == kept.links
        built = [{k: v for k, v in c.items() if k != "_value"} for c in kept.changes]
        assert again.changes == built
    assert outcomes[len(aggs)] == ("e", "corrupt bundle (a line is not JSON)")
    assert outcomes[len(aggs) + 1][0] == "e"
    assert outcomes[len(aggs) + 1][1].startswith("invalid record (")
    assert outcomes[len(aggs) + 2] == ("m", json.loads(manifest))
    assert any(o[3] for o in outcomes[: len(aggs)])  # demo data, said
    assert {o[3] for o in check_lines(lines, 2, False)} == {False}  # not asked: not said
    laptop.store.dispose()


def test_a_format_1_line_is_kept_upgraded(sqlite_db, tmp_path: Path, settings) -> None:
    """A format-1 line is checked as it always was, and the spool keeps its format-2 line."""
    from qa_tui.sync.aggregates import aggregate_from_v1, aggregate_to_v1

    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 2)
    for aggregate in aggregates(laptop.store):
        old = json.dumps(aggregate_to_v1(aggregate)).encode()
        ((kind, about, links, _demo, body),) = check_lines([old], 1, False)
        upgraded = aggregate_from_v1(json.loads(old))
        assert (kind, about[0], links) == ("a", aggregate.evaluation_id, len(upgraded.links))
        again = Spooled(*about, body).aggregate()
        assert again.changes == upgraded.changes and again.links == upgraded.links
    laptop.store.dispose()


class _Nowhere:
    """A checker that is not there: every stretch is checked in the merge's process."""

    wide = True

    def send_lines(self, lines: list[bytes], version: int, demo: bool) -> bool:
        return False

    def receive_outcomes(self) -> None:
        raise AssertionError("nothing was sent")


class _Counting(Preparer):
    """The real process, counting the stretches it checked."""

    answers = 0

    def receive_outcomes(self) -> list[Any] | None:
        outcomes = super().receive_outcomes()
        self.answers += outcomes is not None
        return outcomes


class _Failing(_Counting):
    """The real process, whose every other answer is lost (as if its check had raised)."""

    def receive_outcomes(self) -> list[Any] | None:
        outcomes = super().receive_outcomes()
        return None if self.answers % 2 else outcomes


def _read(mark: int, kept: Spooled) -> tuple[Any, ...]:
    """What the spool kept, its changes and links read back (a line kept as the bundle has it
    and one written from the aggregate may differ in their spaces)."""
    return (mark, kept.evaluation_id, kept.root_type, kept.size, kept.top, kept.aggregate())


@pytest.mark.parametrize("checker", ["process", "failing", "nowhere"])
def test_the_spool_kept_is_the_one_process_verifications(
    sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch, checker: str
) -> None:
    monkeypatch.setattr(checking, "STRETCH", 2048)
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 12)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    private = load_qa_private(tmp_path / "qa.key")
    with central.reader() as session:
        lookup = device_lookup(session, bundle.name)
        pins = Pins()
        with Spool(pins, tmp_path) as alone:
            manifest = verify_bundle(bundle, private, lookup, pins, alone.keep, True)
            expected = [_read(mark, kept) for mark, kept in alone]
        with Spool(Pins(), tmp_path) as spool:
            other = {"process": _Counting, "failing": _Failing, "nowhere": _Nowhere}[checker]()
            try:
                again = verify_into_spool(bundle, private, lookup, spool, None, other)
            finally:
                if isinstance(other, Preparer):
                    other.close()
            assert again == manifest and spool.pins.digests == pins.digests
            assert [_read(mark, kept) for mark, kept in spool] == expected
            assert len(expected) > 12
            if isinstance(other, _Counting):  # the process did check some of the stretches
                assert other.answers > 1
    laptop.store.dispose()
    central.dispose()


def test_demo_data_is_refused_in_the_same_words_with_nothing_written(
    sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 3)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    before = full_dump(central)
    with pytest.raises(BundleError) as alone:
        merge_bundle_file(central, bundle, tmp_path / "qa.key")
    monkeypatch.setattr(central_module, "WORTH_IT", 0)
    monkeypatch.setattr(checking, "STRETCH", 512)
    with pytest.raises(BundleError) as two:
        merge_bundle_file(central, bundle, tmp_path / "qa.key")
    assert str(two.value) == str(alone.value) and "demo evaluations" in str(two.value)
    assert full_dump(central) == before
    laptop.store.dispose()
    central.dispose()


@pytest.mark.parametrize("checker", ["process", "narrow", "failing", "nowhere", "none"])
def test_the_other_process_has_a_stretch_waiting_and_few_are_held(
    sqlite_db, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch, checker: str
) -> None:
    """Two stretches of every three go to the other process (one of two if its pipes are not
    wide); one is checked here only once the next one for there is sent (that process never
    waits for this one to read the file); and however the stretches are checked, at most
    ``THERE + 2`` are read and not yet taken (the bundle is never held)."""
    monkeypatch.setattr(checking, "STRETCH", 2048)
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 12)
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    private = load_qa_private(tmp_path / "qa.key")
    numbers: dict[int, int] = {}  # a stretch's first line (its id) -> its number
    read: list[int] = []  # the numbers of the stretches read, in order
    events: list[tuple[str, int]] = []
    most_held = 0
    taken = 0

    stretches, lines_checked, take_all = checking._stretches, checking.check_lines, None

    def reading(lines: Any, pins: Pins) -> Any:
        for stretch in stretches(lines, pins):
            numbers[id(stretch[0][0])] = len(read)
            read.append(len(read))
            yield stretch

    def here(lines: list[bytes], version: int, demo: bool) -> list[Any]:
        events.append(("here", numbers[id(lines[0])]))
        return lines_checked(lines, version, demo)

    def taking(self: Any, stretch: list[tuple[bytes, int]], outcomes: list[Any]) -> None:
        nonlocal most_held, taken
        most_held = max(most_held, len(read) - taken)
        taken += 1
        take_all(self, stretch, outcomes)

    take_all = checking._Taking.take_all
    monkeypatch.setattr(checking, "_stretches", reading)
    monkeypatch.setattr(checking, "check_lines", here)
    monkeypatch.setattr(checking._Taking, "take_all", taking)
    kinds = {"process": _Counting, "narrow": _Counting, "failing": _Failing, "nowhere": _Nowhere}
    other: Any = kinds[checker]() if checker in kinds else None
    if checker == "narrow":
        other.wide = False
    share = 0 if other is None else checking.THERE if other.wide else 1
    if other is not None:
        send = other.send_lines

        def sending(lines: list[bytes], version: int, demo: bool) -> bool:
            sent = send(lines, version, demo)
            events.append(("sent" if sent else "not sent", numbers[id(lines[0])]))
            return sent

        other.send_lines = sending
    with central.reader() as session, Spool(Pins(), tmp_path) as spool:
        lookup = device_lookup(session, bundle.name)
        try:
            verify_into_spool(bundle, private, lookup, spool, None, other)
        finally:
            if isinstance(other, Preparer):
                other.close()
        assert spool.count > 12
    assert len(read) > 9 and taken == len(read)
    assert most_held <= checking.THERE + 2
    offered = [n for kind, n in events if kind in ("sent", "not sent")]
    if other is not None:  # two of every three offered to the other process (or one of two)
        assert offered == [n for n in read if n % (share + 1) != share]
    checked_here = [n for kind, n in events if kind == "here"]
    kept_here = [n for n in read if n not in offered]
    if checker in ("process", "narrow"):
        assert checked_here == kept_here
        for n in checked_here:
            if n + 1 < len(read):  # a stretch here: checked after the next one was sent
                assert events.index(("sent", n + 1)) < events.index(("here", n))
    elif checker == "failing":  # and the stretches whose answers were lost, checked here
        assert len(set(checked_here)) == len(checked_here) > len(kept_here)
        assert set(kept_here) < set(checked_here) <= set(read)
    else:  # none went there: all checked here, in the file's order
        assert checked_here == read
    laptop.store.dispose()
    central.dispose()


def test_the_pipes_to_the_other_process_hold_a_stretch_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where a pipe can be sized (Linux), the process's pipes hold PIPE_BYTES; where the system
    refuses that size, the process starts with its pipes as they come, and answers."""
    import subprocess
    import sys

    from qa_tui.sync import preparer

    assert preparer.PIPE_BYTES >= checking.STRETCH * 2
    process = preparer.Preparer()
    try:
        assert process.process is not None and process.process.stdin is not None
        if sys.platform == "linux":
            import fcntl

            size = fcntl.fcntl(process.process.stdin.fileno(), fcntl.F_GETPIPE_SZ)
            assert process.wide is (size == preparer.PIPE_BYTES)
            limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
            assert process.wide or limit < preparer.PIPE_BYTES
        else:
            assert not process.wide
        assert process.send_lines([b"{not json\n"], 2, False)
        assert process.receive_outcomes() == [("e", "corrupt bundle (a line is not JSON)")]
    finally:
        process.close()
    popen = subprocess.Popen

    def refused(*args: Any, **kwargs: Any) -> Any:
        if "pipesize" in kwargs:
            raise OSError(1, "Operation not permitted")
        return popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", refused)
    process = preparer.Preparer()
    try:
        assert not process.wide
        assert process.send_lines([b"{not json\n"], 2, False)
        assert process.receive_outcomes() == [("e", "corrupt bundle (a line is not JSON)")]
    finally:
        process.close()
